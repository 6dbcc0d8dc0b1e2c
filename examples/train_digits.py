"""Train a spiking network to classify handwritten digits (scikit-learn's 8x8 ``load_digits``).

Run: ``python examples/train_digits.py [--epochs 30] [--seed 0] [--out demo-output]``
(needs ``pip install 'shoal[train]'``).

* **Data.** 1797 images of 8x8 pixels (intensities 0..16), split 75 % / 25 % into a training
  and a held-out test set (stratified, seeded).
* **Encoding (rate coding).** Each pixel becomes one input channel; at every one of ``T`` time
  steps (dt = 1 ms) it emits a spike with probability ``p_max · intensity / 16``, drawn
  independently (Bernoulli). Training spikes are redrawn every epoch (a cheap augmentation);
  test spikes are drawn once.
* **Network.** ``LinearJax(64→128) → LIFJax(128) → LinearJax(128→10) → LIFJax(10)``; the class
  is the readout neuron that spikes most. The loss is the softmax cross-entropy of the readout
  spike counts; gradients flow through the spikes by the LIF surrogate gradient (fast sigmoid).
* **Training.** Adam on the weights (``net.parameters("weights")``), one ``jit``-compiled
  ``value_and_grad`` step per mini-batch (``make_train_step``). Time constants and thresholds
  stay fixed (were they trained, ``make_train_step`` would keep them in range).

Everything is seeded: the same ``--seed`` gives the same numbers. Figures and the trained
network (``digits_net.npz``, reloadable with ``net.load``) are written to ``--out``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIFJax, LinearJax
from shoal.training import jax_loss, make_train_step

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the demos' shared code, below
from _demo_common import parse_args, pyplot, save, training_curves

N_STEPS = 32  # time steps per sample (dt = 1 ms)
MAX_PROB = 0.5  # spike probability per step of a full-intensity pixel
N_HIDDEN = 128
BATCH_SIZE = 64
LEARNING_RATE = 5e-3
COUNT_SCALE = 0.25  # logits = COUNT_SCALE * readout spike counts
W_IN_SCALE = 0.5
W_OUT_SCALE = 0.5
TAU_MEM = 0.02
TAU_SYN = 0.005
SURROGATE = "fast_sigmoid"


def encode(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rate-code ``(N, 64)`` intensities in [0, 1] as Bernoulli spikes ``(N, T, 64)`` float32."""
    probabilities = MAX_PROB * images[:, None, :]
    shape = (images.shape[0], N_STEPS, images.shape[1])
    return (rng.random(shape) < probabilities).astype(np.float32)


def build_network(seed: int) -> Any:
    """Linear → LIF → Linear → LIF readout, with seeded weights and PRNG keys."""
    rng = np.random.default_rng(seed)
    w_in = rng.normal(0.0, W_IN_SCALE / np.sqrt(64), (64, N_HIDDEN))
    w_out = rng.normal(0.0, W_OUT_SCALE / np.sqrt(N_HIDDEN), (N_HIDDEN, 10))
    lif = {
        "tau_mem": TAU_MEM,
        "tau_syn": TAU_SYN,
        "max_spikes_per_dt": 1,
        "surrogate": SURROGATE,
    }
    return Sequential(
        LinearJax((64, N_HIDDEN), weight=w_in),
        LIFJax(N_HIDDEN, rng_key=jax.random.PRNGKey(seed), **lif),
        LinearJax((N_HIDDEN, 10), weight=w_out),
        LIFJax(10, rng_key=jax.random.PRNGKey(seed + 1), **lif),
    )


def logits_of(params: Any, net: Any, spikes: Any) -> Any:
    """Class scores ``(B, 10)``: the scaled spike count of each readout neuron."""
    out, _, _ = net.set_attributes(params)(spikes)
    return COUNT_SCALE * jnp.sum(out, axis=1)


def loss_fn(params: Any, net: Any, spikes: Any, labels: Any) -> tuple[Any, Any]:
    logits = logits_of(params, net, spikes)
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return jax_loss.softmax_cross_entropy(logits, labels), accuracy


@jax.jit
def predict(params: Any, net: Any, spikes: Any) -> Any:
    return jnp.argmax(logits_of(params, net, spikes), axis=-1)


def load_data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    return train_test_split(
        images, digits.target, test_size=0.25, random_state=seed, stratify=digits.target
    )


def train(epochs: int, seed: int) -> dict[str, Any]:
    """Train and evaluate; returns the network, history and test data."""
    x_train, x_test, y_train, y_test = load_data(seed)
    rng = np.random.default_rng(seed)
    test_spikes = jnp.asarray(encode(x_test, rng))
    net = build_network(seed)
    optimiser = optax.adam(LEARNING_RATE)
    params = net.parameters("weights")
    opt_state = optimiser.init(params)
    step = make_train_step(loss_fn, optimiser, has_aux=True)
    history: dict[str, list[float]] = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    n_batches = len(x_train) // BATCH_SIZE
    progress = tqdm(range(epochs), desc="training", unit="epoch")
    for _ in progress:
        order = rng.permutation(len(x_train))
        spikes = encode(x_train[order], rng)
        labels = y_train[order]
        losses, accuracies = [], []
        for b in range(n_batches):
            batch = slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE)
            params, opt_state, (loss, accuracy) = step(
                params, opt_state, net, jnp.asarray(spikes[batch]), jnp.asarray(labels[batch])
            )
            losses.append(loss)
            accuracies.append(accuracy)
        test_accuracy = float(np.mean(np.asarray(predict(params, net, test_spikes)) == y_test))
        history["loss"].append(float(np.mean(losses)))
        history["train_accuracy"].append(float(np.mean(accuracies)))
        history["test_accuracy"].append(test_accuracy)
        progress.set_postfix(
            loss=f"{history['loss'][-1]:.3f}",
            train_acc=f"{history['train_accuracy'][-1]:.3f}",
            test_acc=f"{test_accuracy:.3f}",
        )
    net = net.set_attributes(params)
    train_spikes = jnp.asarray(encode(x_train, rng))
    train_accuracy = float(np.mean(np.asarray(predict(params, net, train_spikes)) == y_train))
    return {
        "net": net,
        "history": history,
        "train_accuracy": train_accuracy,
        "test_accuracy": history["test_accuracy"][-1],
        "test_spikes": test_spikes,
        "y_test": y_test,
    }


def plot(result: dict[str, Any], out: Path) -> list[Path]:
    """Loss/accuracy curves, an input raster, the output raster and membrane traces."""
    plt = pyplot()
    written = []
    history = result["history"]
    fig, ax_acc, epochs = training_curves(history["loss"])
    ax_acc.plot(epochs, history["train_accuracy"], label="train (mini-batches)")
    ax_acc.plot(epochs, history["test_accuracy"], label="test (held out)")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0, 1))
    ax_acc.legend()
    written.append(save(fig, out / "loss_accuracy.png"))

    net, sample = result["net"], result["test_spikes"][:1]
    label = int(result["y_test"][0])
    _, _, record = net(sample, record=True)
    time_ms = np.arange(N_STEPS)  # dt = 1 ms
    readout = np.asarray(record["3_LIFJax"]["spikes"][0])
    vmem = np.asarray(record["3_LIFJax"]["vmem"][0])

    fig, ax = plt.subplots(figsize=(8, 4))
    t, channel = np.nonzero(np.asarray(sample[0]))
    ax.scatter(t, channel, marker="|", s=20, color="k")
    ax.set(
        xlabel="time (ms)", ylabel="input channel (pixel)", title=f"Input spikes (digit {label})"
    )
    written.append(save(fig, out / "input_raster.png"))

    fig, ax = plt.subplots(figsize=(8, 3))
    t, neuron = np.nonzero(readout)
    ax.scatter(t, neuron, marker="|", s=80, color="C3")
    ax.set(xlabel="time (ms)", ylabel="readout neuron (class)", yticks=range(10), ylim=(-0.5, 9.5))
    ax.set_title(f"Output spikes (digit {label}, predicted {int(np.argmax(readout.sum(0)))})")
    written.append(save(fig, out / "output_raster.png"))

    fig, ax = plt.subplots(figsize=(8, 4))
    for k in range(10):
        name = f"{k} (true)" if k == label else str(k)
        ax.plot(time_ms, vmem[:, k], lw=2.5 if k == label else 1, label=name)
    # Thresholds are trained, one per readout neuron: draw their mean, labelled.
    theta = float(np.asarray(net[3].threshold).mean())
    ax.axhline(theta, color="k", ls="--", lw=1.0, label=f"threshold θ (mean {theta:.2f})")
    ax.set(
        xlabel="time (ms)",
        ylabel="membrane potential vmem (units)",
        title=f"Readout membranes for one test digit (a {label}); a spike resets by θ",
    )
    ax.legend(ncol=4, fontsize="small", title="readout neuron (class)", loc="lower left")
    written.append(save(fig, out / "membrane.png"))
    return written


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(__doc__.splitlines()[0], argv, epochs=30)

    start = time.perf_counter()
    result = train(args.epochs, args.seed)
    seconds = time.perf_counter() - start
    print(
        f"train accuracy {result['train_accuracy']:.3f}, "
        f"test accuracy {result['test_accuracy']:.3f} "
        f"({len(result['y_test'])} held-out digits; {seconds:.1f} s training + evaluation)"
    )
    checkpoint = args.out / "digits_net.npz"
    result["net"].save(checkpoint)
    for path in [*plot(result, args.out), checkpoint]:
        print(f"wrote {path}")
    result["seconds"] = seconds
    return result


if __name__ == "__main__":
    main()
