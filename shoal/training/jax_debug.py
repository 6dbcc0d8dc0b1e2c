"""NaN hunting for JAX training (Rockpool's ``training.jax_debug``).

:func:`debug_evolution` evolves a module once and reports every NaN in its parameters, state
and results; :func:`debug_optimisation` does the same for a loss and its gradients and finds the
first time step whose gradient is NaN. Both raise one ``ValueError`` listing every finding and
return ``None`` when all is finite. (For checks on every call, see shoal's debug mode.)
Names of entries come from :func:`flatten`: the path joined with ``sep``, then one index per
array axis, then ``0`` (``tau_mem_2_0`` is element 2 of ``tau_mem``).

Examples:
    >>> import numpy as np
    >>> dict(flatten({"a": 1.0, "b": {"c": np.array([1.0, 2.0])}}))
    {'a_0': 1.0, 'b_c_0_0': 1.0, 'b_c_1_0': 2.0}
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["debug_evolution", "debug_optimisation", "flatten"]


def flatten(collection: Any, sep: str = "_") -> OrderedDict[str, Any]:
    """One entry per scalar of a nested collection (dicts, lists, tuples, arrays).

    Keys join the dict keys and the indices along the way with ``sep``; every scalar gets a
    final ``sep + "0"``. Values are Python scalars (``.item()`` of each array element).

    Args:
        collection: Nested dicts / sequences / arrays (NumPy or JAX) of numbers.
        sep: Separator of the key parts (default ``"_"``).
    """
    out: OrderedDict[str, Any] = OrderedDict()
    _walk(collection, "", sep, out)
    return out


def _join(prefix: str, part: Any, sep: str) -> str:
    return f"{prefix}{sep}{part}" if prefix else str(part)


def _walk(value: Any, prefix: str, sep: str, out: OrderedDict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _walk(item, _join(prefix, key, sep), sep, out)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk(item, _join(prefix, index, sep), sep, out)
    else:
        array = np.asarray(value)
        if array.ndim == 0:
            out[_join(prefix, 0, sep)] = array.item()
        else:
            for index, item in enumerate(array):
                _walk(item, _join(prefix, index, sep), sep, out)


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, complex)) and bool(np.isnan(value))


def _nan_entries(tree: Any) -> list[str]:
    return [key for key, value in flatten(tree).items() if _is_nan(value)]


def _raise_if(findings: list[str]) -> None:
    if findings:
        raise ValueError("".join(f"{line}\n" for line in findings))


def debug_evolution(jmod: Any, state: Any, parameters: Any, input: Any) -> None:
    """Report NaNs in ``parameters`` and ``state``, then in the output and state after evolving.

    As in Rockpool, ``state`` and ``parameters`` are only checked: ``jmod`` is evolved as it
    is (set them on it first to evolve with them).

    Args:
        jmod: The module. state, parameters: Trees to check (e.g. ``jmod.state()``).
        input: Input to evolve on, ``(T, Nin)`` or ``(B, T, Nin)``.

    Raises:
        ValueError: One line per NaN element, e.g. ``Network parameter tau_0_0 contains NaNs``
            or ``Post-evolve network state vmem_0_0 contains NaNs``.
    """
    findings = [f"Network parameter {k} contains NaNs" for k in _nan_entries(parameters)]
    findings += [f"Network state {k} contains NaNs" for k in _nan_entries(state)]
    output, new_state, _ = jmod(input)
    findings += [f"Network output {k} contains NaNs" for k in _nan_entries(output)]
    findings += [f"Post-evolve network state {k} contains NaNs" for k in _nan_entries(new_state)]
    _raise_if(findings)


def debug_optimisation(
    jmod: Any,
    parameters: Any,
    input: Any,
    target: Any,
    vgf_loss: Callable[[Any, Any, Any, Any], tuple[Any, Any]],
) -> None:
    """Report a NaN loss or NaN gradients, and the first time step whose gradient is NaN.

    ``vgf_loss(parameters, jmod, input, target) -> (loss, grads)`` is e.g.
    ``jax.value_and_grad(loss)``. When a gradient is NaN, it is re-run on growing prefixes of
    the time axis (axis 0 of a ``(T, N)`` input, axis 1 of ``(B, T, N)``; ``target`` is cut the
    same way when it has the same length there) to find where the NaNs begin.

    Raises:
        ValueError: Lines such as ``Loss is NaN``, ``Gradient w_0_1_0 contains NaNs`` and
            ``Gradient NaNs begin in step 3`` (0-based time index).
    """
    loss, grads = vgf_loss(parameters, jmod, input, target)
    findings = ["Loss is NaN"] if any(_is_nan(v) for v in flatten(loss).values()) else []
    bad = _nan_entries(grads)
    findings += [f"Gradient {k} contains NaNs" for k in bad]
    if bad:
        data = np.asarray(input)
        axis = 0 if data.ndim <= 2 else 1
        steps = data.shape[axis]
        cut_target = np.ndim(target) > axis and np.shape(target)[axis] == steps
        for t in range(steps):
            prefix = np.take(data, np.arange(t + 1), axis=axis)
            part = (
                np.take(np.asarray(target), np.arange(t + 1), axis=axis) if cut_target else target
            )
            _, step_grads = vgf_loss(parameters, jmod, prefix, part)
            if _nan_entries(step_grads):
                findings.append(f"Gradient NaNs begin in step {t}")
                break
    _raise_if(findings)
