"""Spike encoders: turn intensities or signals into spike rasters, in NumPy or JAX.

Every encoder returns a raster of spike counts, ``(B, T, N)`` float32 (``(T, N)`` for
unbatched input); :func:`to_events` turns a raster into ``TSEvent`` series. The array library
follows the input: a JAX array (or, for :func:`rate`, a JAX PRNG key) gives a JAX result that
works under ``jit``/``vmap``; anything else gives NumPy. Random encoders are deterministic
under a seed (NumPy) or key (JAX).

============================  =======================================  ===============
encoder                       input                                    output
============================  =======================================  ===============
:func:`rate`                  intensities ``(B, N)`` or ``(B, T, N)``  ``(B, T, N)``
:func:`latency`               intensities ``(B, N)`` in [0, 1]         ``(B, T, N)``
:func:`delta`                 signals ``(B, T, N)``                    ``(B, T, 2N)``
:func:`threshold_crossing`    signals ``(B, T, N)``, levels ``(L,)``   ``(B, T, 2NL)``
============================  =======================================  ===============

Examples:
    >>> import numpy as np
    >>> latency(np.array([[1.0, 0.5, 0.0]]), n_steps=5)[0].T  # bright pixels spike first
    array([[1., 0., 0., 0., 0.],
           [0., 0., 1., 0., 0.],
           [0., 0., 0., 0., 0.]], dtype=float32)
    >>> delta(np.array([[0.0], [0.25], [0.5], [0.1]]), threshold=0.2).T  # rows: up, down
    array([[0., 1., 1., 0.],
           [0., 0., 0., 1.]], dtype=float32)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from shoal.backend._registry import loaded_backend

__all__ = ["delta", "latency", "rate", "threshold_crossing", "to_events"]


def _is_jax(value: Any) -> bool:
    # Asked of the JAX backend only once JAX is imported: a JAX array implies an imported
    # JAX, and NumPy input must never import it.
    jax_backend = loaded_backend("jax")
    return jax_backend is not None and bool(jax_backend.is_array(value))


def _namespace(x: Any) -> Any:
    if _is_jax(x):
        import jax.numpy as jnp

        return jnp
    return np


def _as_array(name: str, x: Any, min_ndim: int) -> Any:
    xp = _namespace(x)
    x = xp.asarray(x, dtype=xp.float32) if xp is not np else np.asarray(x, dtype=np.float64)
    if x.ndim < min_ndim:
        raise ValueError(
            f"shoal.datasets.encoders.{name}: expected input with at least {min_ndim} axes "
            f"({'(N,)' if min_ndim == 1 else '(T, N)'} or batched), got shape {tuple(x.shape)}"
        )
    if xp is np and not np.all(np.isfinite(x)):
        raise ValueError(f"shoal.datasets.encoders.{name}: expected finite input, got NaN or inf")
    return x


def _check_positive(name: str, what: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(f"shoal.datasets.encoders.{name}: expected {what} > 0, got {value!r}")
    return float(value)


def _check_steps(name: str, n_steps: Any) -> int:
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(
            f"shoal.datasets.encoders.{name}: expected n_steps an integer >= 1, got {n_steps!r}"
        )
    return int(n_steps)


def _check_unit_interval(name: str, x: Any) -> None:
    if _namespace(x) is np and x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(
            f"shoal.datasets.encoders.{name}: expected intensities in [0, 1], got values in "
            f"[{x.min():g}, {x.max():g}]; scale them first, e.g. x / x.max()"
        )


def rate(
    x: Any,
    n_steps: int | None = None,
    *,
    max_rate: float = 200.0,
    dt: float = 1e-3,
    method: str = "bernoulli",
    seed: Any = None,
) -> Any:
    r"""Rate coding: each step, channel ``n`` spikes with mean :math:`x_n \cdot r_{max} \cdot dt`.

    Args:
        x: Intensities in [0, 1]: ``(B, N)`` or ``(N,)`` held for ``n_steps`` steps, or a
            time-varying ``(B, T, N)``/``(T, N)`` with ``n_steps=None``.
        n_steps: Number of time steps ``T`` for static input; ``None`` for time-varying input.
        max_rate: Rate in Hz of an intensity of 1 (default 200 Hz).
        dt: Time step in seconds (default 1 ms).
        method: ``"bernoulli"``: at most one spike per step, probability
            :math:`p = x\,r_{max}\,dt \le 1`; ``"poisson"``: a Poisson count with mean
            :math:`x\,r_{max}\,dt` (may exceed 1).
        seed: NumPy: ``None``, an int or a ``numpy.random.Generator``. JAX: a PRNG key
            (``jax.random.PRNGKey(0)``), which also makes the output a JAX array.

    Returns:
        Spike counts ``(B, T, N)`` (or ``(T, N)``), float32.

    Examples:
        >>> spikes = rate(np.full((2, 3), 0.5), n_steps=1000, max_rate=100.0, seed=0)
        >>> spikes.shape, round(float(spikes.mean()) / 1e-3, -1)  # 0.5 · 100 Hz = 50 Hz
        ((2, 1000, 3), 50.0)
    """
    name = "rate"
    use_jax = _is_jax(x) or _is_jax(seed)
    x = _as_array(name, x, 1)
    if use_jax:
        import jax.numpy as jnp

        x = jnp.asarray(x, dtype=jnp.float32)
    _check_unit_interval(name, x)
    mean_per_step = _check_positive(name, "max_rate (Hz)", max_rate) * _check_positive(
        name, "dt (s)", dt
    )
    if method not in ("bernoulli", "poisson"):
        raise ValueError(
            f"shoal.datasets.encoders.rate: expected method 'bernoulli' or 'poisson', "
            f"got {method!r}"
        )
    if method == "bernoulli" and mean_per_step > 1:
        raise ValueError(
            f"shoal.datasets.encoders.rate: expected max_rate·dt <= 1 for Bernoulli spikes "
            f"(one spike per step at most), got {mean_per_step:g}; lower max_rate or dt, or "
            f"use method='poisson'"
        )
    if n_steps is not None:
        steps = _check_steps(name, n_steps)
        x = x[..., None, :]
        shape = (*x.shape[:-2], steps, x.shape[-1])
    else:
        if x.ndim < 2:
            raise ValueError(
                "shoal.datasets.encoders.rate: expected time-varying input (T, N) or (B, T, N) "
                f"when n_steps is None, got shape {tuple(x.shape)}; pass n_steps for static input"
            )
        shape = x.shape
    mean = x * mean_per_step
    if use_jax:
        import jax

        if not _is_jax(seed):
            raise TypeError(
                "shoal.datasets.encoders.rate: expected a JAX PRNG key as seed for JAX input "
                f"(jax.random.PRNGKey(0)), got {type(seed).__name__}"
            )
        if method == "bernoulli":
            return (jax.random.uniform(seed, shape) < mean).astype(jnp.float32)
        return jax.random.poisson(seed, jnp.broadcast_to(mean, shape)).astype(jnp.float32)
    rng = np.random.default_rng(seed)
    if method == "bernoulli":
        return (rng.random(shape) < mean).astype(np.float32)
    return rng.poisson(np.broadcast_to(mean, shape)).astype(np.float32)


def latency(x: Any, n_steps: int, *, threshold: float = 0.0) -> Any:
    r"""Latency (time-to-first-spike) coding: one spike per channel, earlier for larger input.

    Channel ``n`` spikes once, at step :math:`\mathrm{round}((1 - x_n)(T - 1))`: intensity 1
    at step 0, intensity 0 at the last step ``T - 1``. Channels with :math:`x_n \le`
    ``threshold`` do not spike.

    Args:
        x: Intensities in [0, 1], ``(B, N)`` or ``(N,)``.
        n_steps: Number of time steps ``T`` (dt is the caller's: spike time = step · dt).
        threshold: Intensities at or below it emit no spike (default 0: only exact zeros
            stay silent).

    Returns:
        Spikes ``(B, T, N)`` (or ``(T, N)``), float32, at most one per channel.
    """
    name = "latency"
    x = _as_array(name, x, 1)
    _check_unit_interval(name, x)
    steps = _check_steps(name, n_steps)
    xp = _namespace(x)
    first = xp.round((1.0 - x) * (steps - 1))
    grid = xp.arange(steps, dtype=x.dtype)[:, None]
    spikes = (grid == first[..., None, :]) & (x[..., None, :] > threshold)
    return spikes.astype(xp.float32)


def _delta_numpy(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    reference = x[..., 0, :].copy()
    up = np.zeros_like(x)
    down = np.zeros_like(x)
    for t in range(1, x.shape[-2]):
        change = np.trunc((x[..., t, :] - reference) / threshold)
        up[..., t, :] = np.maximum(change, 0)
        down[..., t, :] = np.maximum(-change, 0)
        reference += change * threshold
    return up, down


def _delta_jax(x: Any, threshold: float) -> tuple[Any, Any]:
    import jax
    import jax.numpy as jnp

    def step(reference: Any, x_t: Any) -> tuple[Any, Any]:
        change = jnp.trunc((x_t - reference) / threshold)
        return reference + change * threshold, change

    time_major = jnp.moveaxis(x, -2, 0)
    _, changes = jax.lax.scan(step, time_major[0], time_major)
    changes = jnp.moveaxis(changes, 0, -2)
    return jnp.maximum(changes, 0), jnp.maximum(-changes, 0)


def delta(x: Any, threshold: float) -> Any:
    r"""Send-on-delta coding: up/down spikes each time the signal moves ``threshold`` away.

    A reference level starts at the first sample. At each later step the signal's distance
    from it, in whole thresholds, :math:`k = \mathrm{trunc}((x_t - r)/\theta)`, is emitted as
    :math:`k` up spikes (or :math:`-k` down spikes) and the reference moves by
    :math:`k\theta`. Step 0 never spikes; the reference tracks the signal to within
    :math:`\theta`, so the signal is :math:`x_0 + \theta\,(\text{ups} - \text{downs})` summed
    up to ``t``, within :math:`\theta`.

    Args:
        x: Signals ``(B, T, N)`` or ``(T, N)``, in their own units.
        threshold: :math:`\theta` > 0, in the signal's units.

    Returns:
        Spike counts ``(B, T, 2N)`` (or ``(T, 2N)``), float32: channels ``0..N-1`` are the
        up spikes of signal ``n``, channels ``N..2N-1`` its down spikes.
    """
    x = _as_array("delta", x, 2)
    theta = _check_positive("delta", "threshold", threshold)
    xp = _namespace(x)
    up, down = (_delta_jax if xp is not np else _delta_numpy)(x, theta)
    return xp.concatenate([up, down], axis=-1).astype(xp.float32)


def threshold_crossing(x: Any, levels: Any) -> Any:
    r"""Level-crossing coding: a spike whenever the signal crosses one of fixed levels.

    An up spike for level :math:`l` at step ``t`` when :math:`x_{t-1} < l \le x_t`, a down
    spike when :math:`x_{t-1} \ge l > x_t`. Step 0 never spikes.

    Args:
        x: Signals ``(B, T, N)`` or ``(T, N)``.
        levels: The ``L`` levels, ``(L,)`` (or a scalar), in the signal's units.

    Returns:
        Spikes ``(B, T, 2NL)`` (or ``(T, 2NL)``), float32: channel ``n·L + l`` is the up
        crossing of level ``l`` by signal ``n``; channel ``N·L + n·L + l`` the down crossing.
    """
    x = _as_array("threshold_crossing", x, 2)
    xp = _namespace(x)
    levels = np.atleast_1d(np.asarray(levels, dtype=np.float64))
    if levels.ndim != 1 or levels.size == 0 or not np.all(np.isfinite(levels)):
        raise ValueError(
            "shoal.datasets.encoders.threshold_crossing: expected levels a non-empty 1-D array "
            f"of finite numbers, got {levels.tolist()}"
        )
    level = xp.asarray(levels, dtype=x.dtype)
    before, after = x[..., :-1, :, None], x[..., 1:, :, None]
    up = (before < level) & (after >= level)
    down = (before >= level) & (after < level)
    flat = (*up.shape[:-2], up.shape[-2] * up.shape[-1])
    crossings = xp.concatenate([up.reshape(flat), down.reshape(flat)], axis=-1)
    silent_first = xp.zeros_like(crossings[..., :1, :])
    return xp.concatenate([silent_first, crossings], axis=-2).astype(xp.float32)


def to_events(raster: Any, dt: float = 1e-3, t_start: float = 0.0) -> Any:
    """Spike rasters as ``TSEvent``: one series for ``(T, N)``, a list for ``(B, T, N)``.

    Each spike is placed at the start of its step, ``t_start + t·dt``; a count of ``k`` gives
    ``k`` events. Each series covers ``[t_start, t_start + T·dt)`` with ``N`` channels.
    """
    from shoal.timeseries import TSEvent

    counts = np.asarray(raster)
    if counts.ndim not in (2, 3):
        raise ValueError(
            "shoal.datasets.encoders.to_events: expected a raster (T, N) or (B, T, N), got "
            f"shape {counts.shape}"
        )

    def one(r: np.ndarray) -> Any:
        return TSEvent.from_raster(r, dt=dt, t_start=t_start, spikes_at_bin_start=True)

    return one(counts) if counts.ndim == 2 else [one(r) for r in counts]
