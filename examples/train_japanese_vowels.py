"""Speaker identification from real speech with a recurrent spiking network (JapaneseVowels).

Run: ``python examples/train_japanese_vowels.py [--epochs 60] [--seed 0] [--out demo-output]``
(needs ``pip install 'shoal[train,data]'``; the data ship inside the ``sktime`` wheel, so
nothing is downloaded).

* **Data.** Nine male speakers uttering the vowel /ae/: 12 LPC cepstrum coefficients per
  frame, 7–29 frames per utterance; 270 training and 370 test utterances (the UEA split).
* **Encoding.** Each coefficient is standardised (training-set mean and standard deviation)
  and injected as a current; the utterance is played forwards, then backwards, and every
  frame is held for ``FRAME_STEPS`` steps of dt = 1 ms.
  Gaussian noise is added to the training currents (fresh each mini-batch, a cheap
  augmentation); padding after an utterance's end is zero and ignored by the loss.
* **Network.** ``LinearJax(12→128) → LIFJax(128, has_rec=True) → LinearJax(128→9)``: binary
  spikes (``max_spikes_per_dt=1``), fast-sigmoid surrogate gradient. The class scores are the
  time average of the linear readout over the utterance (a non-spiking "mean membrane"
  readout, :func:`shoal.training.spike_loss.mean_membrane_cross_entropy`).
* **Regularisation.** A firing-rate penalty (:func:`shoal.training.spike_loss.firing_rate_penalty`)
  on hidden neurons above ``MAX_RATE`` keeps them out of saturation (one spike every step).
* **Training.** Adam with a cosine learning-rate decay on the weights, through
  :func:`shoal.training.fit` over mini-batches of 32. Time constants stay fixed.

Everything is seeded: the same ``--seed`` gives the same numbers. It prints
``JapaneseVowels test accuracy: NN.N%`` and writes figures, the network and
``japanese_vowels_results.json`` to ``--out``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from shoal.datasets import load_japanese_vowels
from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIFJax, LinearJax
from shoal.training import fit, make_train_step, spike_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the demos' shared code, below
from _demo_common import parse_args, pyplot, save, training_curves

N_CHANNELS = 12
N_CLASSES = 9
N_HIDDEN = 128
FRAME_STEPS = 2  # time steps (dt = 1 ms) each frame is held for
MAX_FRAMES = 29  # longest utterance (test set): every batch has one shape
BATCH_SIZE = 32
EPOCHS = 60
LEARNING_RATE = 3e-3
INPUT_NOISE = 0.6  # std of the training-current noise, in standardised units
TAU_MEM = 0.02
TAU_SYN = 0.005
W_IN_SCALE = 0.2  # input weights ~ N(0, W_IN_SCALE²/12): graded, not saturated, currents
W_REC_SCALE = 0.5
DT = 1e-3  # s
MAX_RATE = 50.0  # Hz: hidden neurons firing faster than this on average are penalised
RATE_PENALTY = 100.0
VALIDATION_PER_CLASS = 0  # utterances per speaker held out for model selection (0: none)


def encode(data: Any, mean: np.ndarray, std: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Currents ``(B, 2·29·FRAME_STEPS, 12)`` and ``(B,)`` lengths in time steps.

    Each utterance is standardised, played forwards then backwards, and every frame is held for
    ``FRAME_STEPS`` steps; the rest is zero padding.
    """
    x = (data.data - mean) / std
    out = np.zeros((len(x), 2 * MAX_FRAMES, N_CHANNELS))
    for b, n in enumerate(data.lengths):
        # Why backwards too: the first and last frames identify the speaker (a linear model on
        # mean + first + last frame beats one on the mean alone), and a time-averaged readout
        # of a network with fading memory weighs the onset little unless it is replayed.
        out[b, : 2 * n] = np.concatenate([x[b, :n], x[b, :n][::-1]])
    return np.repeat(out, FRAME_STEPS, axis=1).astype(np.float32), 2 * data.lengths * FRAME_STEPS


def load() -> dict[str, Any]:
    """Both splits, encoded with the training set's per-coefficient statistics."""
    train, test = load_japanese_vowels("train"), load_japanese_vowels("test")
    valid = np.arange(train.data.shape[1])[None, :] < train.lengths[:, None]
    frames = train.data[valid]  # (frames, 12): statistics over real frames only
    mean, std = frames.mean(axis=0), frames.std(axis=0)
    x_train, len_train = encode(train, mean, std)
    x_test, len_test = encode(test, mean, std)
    return {
        "train": (x_train, len_train, train.labels),
        "test": (x_test, len_test, test.labels),
        "raw_test": test,
    }


def build_network(seed: int) -> Any:
    rng = np.random.default_rng(seed)
    return Sequential(
        LinearJax((N_CHANNELS, N_HIDDEN), weight=rng.normal(0, W_IN_SCALE / np.sqrt(N_CHANNELS), (N_CHANNELS, N_HIDDEN))),
        LIFJax(
            N_HIDDEN,
            has_rec=True,
            w_rec=rng.normal(0, W_REC_SCALE / np.sqrt(N_HIDDEN), (N_HIDDEN, N_HIDDEN)),
            tau_mem=TAU_MEM,
            tau_syn=TAU_SYN,
            max_spikes_per_dt=1,
            surrogate="fast_sigmoid",
            dt=DT,
            rng_key=jax.random.PRNGKey(seed),
        ),
        LinearJax((N_HIDDEN, N_CLASSES), weight=rng.normal(0, 1 / np.sqrt(N_HIDDEN), (N_HIDDEN, N_CLASSES))),
    )  # fmt: skip


def forward(params: Any, net: Any, x: Any) -> tuple[Any, Any]:
    """Readout ``(B, T, 9)`` and hidden spikes ``(B, T, 128)`` (layer by layer, for the penalty)."""
    net = net.set_attributes(params)
    currents, _, _ = net[0](x)
    spikes, _, _ = net[1](currents)
    readout, _, _ = net[2](spikes)
    return readout, spikes


def scores(params: Any, net: Any, x: Any, lengths: Any) -> Any:
    """Class scores ``(B, 9)``: the readout averaged over each utterance's steps."""
    return spike_loss.mean_over_time(forward(params, net, x)[0], lengths)


def loss_fn(params: Any, net: Any, x: Any, lengths: Any, labels: Any) -> tuple[Any, Any]:
    readout, spikes = forward(params, net, x)
    loss = spike_loss.mean_membrane_cross_entropy(readout, labels, lengths)
    upper = MAX_RATE * DT  # spikes per step
    penalty = spike_loss.firing_rate_penalty(spikes, upper=upper, lengths=lengths)
    accuracy = spike_loss.accuracy(spike_loss.mean_over_time(readout, lengths), labels)
    return loss + RATE_PENALTY * penalty, accuracy


@jax.jit
def predict(params: Any, net: Any, x: Any, lengths: Any) -> Any:
    return jnp.argmax(scores(params, net, x, lengths), axis=-1)


def add_noise(batch: tuple[np.ndarray, ...], rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Fresh Gaussian noise on the training currents, only inside each utterance."""
    x, lengths, labels = batch
    inside = np.arange(x.shape[1])[None, :, None] < lengths[:, None, None]
    noise = rng.normal(0.0, INPUT_NOISE, x.shape).astype(np.float32)
    return x + noise * inside, lengths, labels


def split_validation(train: tuple[np.ndarray, ...], per_class: int, seed: int) -> tuple[Any, Any]:
    """Hold ``per_class`` utterances of every speaker out of the training set (stratified)."""
    labels = train[-1]
    rng = np.random.default_rng(seed)
    held = np.concatenate(
        [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in range(N_CLASSES)]
    )
    kept = np.setdiff1d(np.arange(len(labels)), held)
    return tuple(a[kept] for a in train), tuple(a[held] for a in train)


def accuracy_on(params: Any, net: Any, data: tuple[np.ndarray, ...]) -> float:
    x, lengths, labels = data
    return float(np.mean(np.asarray(predict(params, net, x, lengths)) == labels))


def train(epochs: int, seed: int, progress: bool = True) -> dict[str, Any]:
    """Train with :func:`shoal.training.fit`; returns the network, history and test results."""
    data = load()
    training, validation = split_validation(data["train"], VALIDATION_PER_CLASS, seed)
    net = build_network(seed)
    n_batches = len(training[0]) // BATCH_SIZE
    schedule = optax.cosine_decay_schedule(LEARNING_RATE, epochs * n_batches)
    optimiser = optax.adam(schedule)
    params = net.parameters("weights")
    step = make_train_step(loss_fn, optimiser, has_aux=True)
    result = fit(
        step,
        params,
        optimiser.init(params),
        training,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        args=(net,),
        validate=(lambda p: accuracy_on(p, net, validation)) if VALIDATION_PER_CLASS else None,
        augment=add_noise,
        seed=seed,
        progress=progress,
        desc="JapaneseVowels",
    )
    net = net.set_attributes(result.params)
    x_test, len_test, y_test = data["test"]
    predicted = np.asarray(predict(result.params, net, x_test, len_test))
    return {
        "net": net,
        "history": result.history,
        "best_epoch": result.best_epoch,
        "test_accuracy": float(np.mean(predicted == y_test)),
        "predicted": predicted,
        "data": data,
    }


def confusion(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """``(9, 9)`` counts: row = true speaker, column = predicted speaker."""
    matrix = np.zeros((N_CLASSES, N_CLASSES), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def plot(result: dict[str, Any], out: Path) -> list[Path]:
    """Training curves, confusion matrix, input encoding and output rasters."""
    plt = pyplot()
    written = []
    history = result["history"]
    fig, ax_acc, epochs = training_curves(history["loss"])
    ax_acc.plot(epochs, history["accuracy"], label="train (noisy mini-batches)")
    if "validation" in history:
        ax_acc.plot(epochs, history["validation"], label="validation (held out of train)")
    ax_acc.axhline(result["test_accuracy"], color="k", ls="--", lw=1, label="test, final model")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (fraction)", title="Accuracy", ylim=(0.5, 1.01))
    ax_acc.legend(loc="lower right")
    written.append(save(fig, out / "jv_training.png"))

    y_test = result["data"]["test"][2]
    matrix = confusion(y_test, result["predicted"])
    fig, ax = plt.subplots(figsize=(5.5, 5))
    image = ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                    color="white" if count > matrix.max() / 2 else "black")  # fmt: skip
    ticks = range(N_CLASSES)
    ax.set(xticks=ticks, yticks=ticks, xticklabels=range(1, 10), yticklabels=range(1, 10))
    ax.set(xlabel="predicted speaker", ylabel="true speaker")
    ax.set_title(f"Test confusion matrix ({100 * result['test_accuracy']:.1f}% correct)")
    fig.colorbar(image, ax=ax, label="utterances")
    written.append(save(fig, out / "jv_confusion.png"))

    raw, index = result["data"]["raw_test"], 0
    x, lengths = result["data"]["test"][0][index : index + 1], result["data"]["test"][1][index]
    fig, (ax_raw, ax_in) = plt.subplots(2, 1, figsize=(8, 6))
    frames = raw.lengths[index]
    image = ax_raw.imshow(raw.data[index, :frames].T, aspect="auto", cmap="coolwarm",
                          extent=(-0.5, frames - 0.5, N_CHANNELS - 0.5, -0.5))  # fmt: skip
    ax_raw.set(xlabel="frame", ylabel="LPC cepstrum coefficient", title="Utterance (raw features)")
    fig.colorbar(image, ax=ax_raw, label="coefficient value")
    image = ax_in.imshow(x[0, :lengths].T, aspect="auto", cmap="coolwarm",
                         extent=(0, lengths, N_CHANNELS - 0.5, -0.5))  # fmt: skip
    ax_in.set(xlabel="time (ms)", ylabel="input channel",
              title=f"Encoded input: standardised, forwards then backwards, frames held {FRAME_STEPS} ms")  # fmt: skip
    fig.colorbar(image, ax=ax_in, label="input current (standardised)")
    written.append(save(fig, out / "jv_input.png"))

    net = result["net"]
    readout, _, record = net(x, record=True)
    spikes = np.asarray(record["1_LIFJax"]["spikes"][0, :lengths])
    readout = np.asarray(readout[0, :lengths])
    label = int(y_test[index])
    fig, (ax_spk, ax_out) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    t, neuron = np.nonzero(spikes)
    ax_spk.scatter(t, neuron, marker="|", s=8, color="k")
    ax_spk.set(ylabel="hidden neuron", title=f"Hidden spikes ({spikes.mean() * 1e3:.0f} Hz mean)")
    for k in range(N_CLASSES):
        ax_out.plot(
            np.arange(lengths), readout[:, k], lw=2.5 if k == label else 1, label=str(k + 1)
        )
    ax_out.set(xlabel="time (ms)", ylabel="readout (a.u.)")
    ax_out.set_title(
        f"Readout (true speaker {label + 1}, predicted {result['predicted'][index] + 1})"
    )
    ax_out.legend(
        title="speaker", ncol=3, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1)
    )
    written.append(save(fig, out / "jv_output.png"))
    return written


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=EPOCHS)

    wall, cpu = time.perf_counter(), time.process_time()
    result = train(args.epochs, args.seed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    accuracy = result["test_accuracy"]
    print(f"JapaneseVowels test accuracy: {100 * accuracy:.1f}%")
    print(f"({len(result['predicted'])} test utterances; training + evaluation {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU)")  # fmt: skip
    summary = {"test_accuracy": accuracy, "epochs": args.epochs, "seed": args.seed,
               "wall_seconds": wall, "cpu_seconds": cpu}  # fmt: skip
    results = args.out / "japanese_vowels_results.json"
    results.write_text(json.dumps(summary, indent=2) + "\n")
    checkpoint = args.out / "japanese_vowels_net.npz"
    result["net"].save(checkpoint)
    for path in [*plot(result, args.out), checkpoint, results]:
        print(f"wrote {path}")
    result.update(summary)
    return result


if __name__ == "__main__":
    main()
