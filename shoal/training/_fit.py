"""``fit``: a training loop for people who don't want to write one.

It runs the step that :func:`~shoal.training.make_train_step` builds over shuffled
mini-batches, shows progress with tqdm (loss, accuracy, throughput, validation score), keeps
the parameters that scored best on a validation set, and can checkpoint them with the
module's ``save``. It is deterministic under ``seed``: the shuffling and any augmentation draw
from one ``numpy.random.Generator`` seeded with it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["FitResult", "fit"]


@dataclass
class FitResult:
    """What :func:`fit` returns.

    Attributes:
        params: The best parameters (highest validation score), or the last ones without
            ``validate``.
        last_params: The parameters after the last epoch.
        opt_state: The optimiser state after the last epoch.
        history: Per epoch: ``"loss"`` (mean over mini-batches), ``"accuracy"`` (mean training
            accuracy when the step reports one, else absent), ``"validation"`` (the score, with
            ``validate``), ``"samples_per_second"`` and ``"seconds"`` (wall time of the epoch).
        best_epoch: Epoch (0-based) of ``params``; the last epoch without ``validate``.
        best_score: Validation score of ``params`` (``None`` without ``validate``).
    """

    params: Any
    last_params: Any
    opt_state: Any
    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1
    best_score: float | None = None


def _split_value(value: Any) -> tuple[Any, Any]:
    """``value`` of a step: a loss, or ``(loss, aux)`` with aux an accuracy or a dict."""
    if isinstance(value, tuple) and len(value) == 2:
        loss, aux = value
        if isinstance(aux, dict):
            aux = aux.get("accuracy")
        return loss, aux
    return value, None


def _check_data(train_data: Sequence[Any], batch_size: int, epochs: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"shoal.training.fit: expected batch_size an integer >= 1, got {batch_size!r}"
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"shoal.training.fit: expected epochs an integer >= 1, got {epochs!r}")
    if not isinstance(train_data, (tuple, list)) or not train_data:
        raise TypeError(
            "shoal.training.fit: expected train_data a tuple of arrays such as (x, y), got "
            f"{type(train_data).__name__}"
        )
    sizes = {len(array) for array in train_data}
    if len(sizes) != 1:
        raise ValueError(
            f"shoal.training.fit: expected train_data arrays with one leading size, got {sorted(sizes)}"
        )
    n = sizes.pop()
    if n < batch_size:
        raise ValueError(
            f"shoal.training.fit: expected at least batch_size={batch_size} training samples, got {n}"
        )
    return n


def fit(
    step: Callable[..., tuple[Any, Any, Any]],
    params: Any,
    opt_state: Any,
    train_data: Sequence[Any],
    *,
    epochs: int,
    batch_size: int,
    args: Sequence[Any] = (),
    validate: Callable[[Any], float] | None = None,
    augment: Callable[[tuple[Any, ...], np.random.Generator], tuple[Any, ...]] | None = None,
    seed: int = 0,
    checkpoint: str | os.PathLike[str] | None = None,
    net: Any = None,
    progress: bool = True,
    desc: str = "training",
) -> FitResult:
    """Train for ``epochs`` passes over ``train_data`` in shuffled mini-batches.

    Each mini-batch runs ``params, opt_state, value = step(params, opt_state, *args, *batch)``
    with ``batch`` the same rows of every array in ``train_data``. Build ``step`` with
    :func:`~shoal.training.make_train_step` (it is jit-compiled; modules go in ``args``). Each
    epoch drops the last ``n % batch_size`` shuffled samples, so that every batch has one shape
    and the step compiles once.

    Args:
        step: ``step(params, opt_state, *args, *batch) -> (params, opt_state, value)``, where
            ``value`` is the loss or ``(loss, aux)`` and ``aux`` is the batch accuracy or a dict
            with an ``"accuracy"`` entry (``make_train_step(..., has_aux=True)``).
        params: Initial parameters (e.g. ``net.parameters("weights")``).
        opt_state: Initial optimiser state (``optimiser.init(params)``).
        train_data: Arrays with a common leading (sample) axis, e.g. ``(x, y)``.
        epochs: Number of passes over the data.
        batch_size: Samples per mini-batch.
        args: Arguments passed to ``step`` before the batch (e.g. ``(net,)``).
        validate: ``validate(params) -> score`` (higher is better, e.g. validation accuracy),
            called after every epoch; ``fit`` keeps the parameters of the best epoch (the
            earliest on a tie).
        augment: ``augment(batch, rng) -> batch``, applied to each NumPy batch before the step
            (e.g. fresh noise or spike encodings), with ``rng`` the seeded generator.
        seed: Seed of the shuffling and augmentation generator (default 0).
        checkpoint: Path to save the best network to (with ``validate``) or the final one,
            through ``net.set_attributes(params).save(checkpoint)``; needs ``net``.
        net: The module whose parameters are trained (needed for ``checkpoint``).
        progress: Show a tqdm progress bar (notebook widget in notebooks), default ``True``.
        desc: Label of the progress bar.

    Returns:
        A :class:`FitResult` with the best and last parameters and the per-epoch history.

    Raises:
        FloatingPointError: An epoch's mean loss is NaN or infinite (training diverged).
        ValueError: ``validate`` returned NaN or infinity, or bad sizes/arguments.

    Examples:
        >>> import jax.numpy as jnp, numpy as np, optax
        >>> from shoal.training import make_train_step
        >>> loss = lambda p, x, y: jnp.mean((x * p["w"] - y) ** 2)
        >>> step = make_train_step(loss, optax.sgd(0.1))
        >>> x = np.linspace(-1, 1, 32); y = 3 * x
        >>> params = {"w": jnp.zeros(())}
        >>> result = fit(step, params, optax.sgd(0.1).init(params), (x, y), epochs=40,
        ...              batch_size=8, progress=False)
        >>> round(float(result.params["w"]), 3)
        3.0
    """
    n = _check_data(train_data, batch_size, epochs)
    if checkpoint is not None and net is None:
        raise ValueError(
            "shoal.training.fit: expected net (the module being trained) with checkpoint, got "
            "None; pass net=net so that fit can call net.set_attributes(params).save(path)"
        )
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    arrays = [np.asarray(a) for a in train_data]
    n_batches = n // batch_size
    history: dict[str, list[float]] = {"loss": [], "samples_per_second": [], "seconds": []}
    best = FitResult(params, params, opt_state, history, best_epoch=-1, best_score=None)
    bar = tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress, file=sys.stderr)
    for epoch in bar:
        start = time.perf_counter()
        order = rng.permutation(n)
        losses, accuracies = [], []
        for b in range(n_batches):
            rows = order[b * batch_size : (b + 1) * batch_size]
            batch = tuple(a[rows] for a in arrays)
            if augment is not None:
                batch = tuple(augment(batch, rng))
            params, opt_state, value = step(params, opt_state, *args, *batch)
            loss, accuracy = _split_value(value)
            losses.append(loss)
            if accuracy is not None:
                accuracies.append(accuracy)
        # One host transfer per epoch, not one per batch: the device keeps running ahead.
        history["loss"].append(float(np.mean([float(v) for v in losses])))
        if not np.isfinite(history["loss"][-1]):
            raise FloatingPointError(
                f"shoal.training.fit: expected a finite loss, got {history['loss'][-1]} in epoch "
                f"{epoch}; the parameters diverged (lower the learning rate or bound them)"
            )
        if accuracies:
            history.setdefault("accuracy", []).append(
                float(np.mean([float(a) for a in accuracies]))
            )
        seconds = time.perf_counter() - start
        history["seconds"].append(seconds)
        history["samples_per_second"].append(n_batches * batch_size / seconds)
        postfix = {"loss": f"{history['loss'][-1]:.3f}"}
        if accuracies:
            postfix["acc"] = f"{history['accuracy'][-1]:.3f}"
        if validate is not None:
            score = float(validate(params))
            if not np.isfinite(score):
                raise ValueError(
                    f"shoal.training.fit: expected validate to return a finite score, got "
                    f"{score} in epoch {epoch}"
                )
            history.setdefault("validation", []).append(score)
            postfix["val"] = f"{score:.3f}"
            if best.best_score is None or score > best.best_score:
                best.params, best.best_score, best.best_epoch = params, score, epoch
                if checkpoint is not None:
                    net.set_attributes(params).save(checkpoint)
        postfix["samples/s"] = f"{history['samples_per_second'][-1]:.0f}"
        bar.set_postfix(postfix)
    bar.close()
    best.last_params, best.opt_state = params, opt_state
    if validate is None:
        best.params, best.best_epoch = params, epochs - 1
        if checkpoint is not None:
            net.set_attributes(params).save(checkpoint)
    return best
