"""Torch modules' forward without autograd, run by the NumPy engine on the same memory.

When nothing records a gradient (``torch.no_grad()``/``torch.inference_mode()``, or no tensor
of the call requires one), Torch's per-step work is all dispatch: a LIF step is ~12 tensor
operations of several microseconds' overhead each on ``(B, N)`` data. The NumPy backend runs
the *same* ``step`` as one numba kernel per call (:mod:`shoal.backend._fused`), or, where no
kernel covers the configuration (recurrent LIF), its generic loop with one BLAS product per
step. So :func:`cpu_simulate` runs the whole ``simulate`` (``prepare``, the loop, ``finish``)
on that engine, on zero-copy NumPy views of the tensors (``tensor.numpy()``), and wraps the
results back (``torch.from_numpy``): same dtype, CPU, no autograd history, state detached.

Why all of ``simulate`` and not only the loop: ``prepare``'s elementwise pass over the whole
input (``β·x``, 64 MB on the benchmark) took as long in Torch as the kernel itself (measured
3.5× NumPy's: a fresh Torch buffer pays a page fault per 4 KiB page, NumPy's uses huge pages).
Noise is still drawn from torch's generator (``torch.manual_seed`` reproduces a run on either
engine). Under ``torch.compile`` the call is a graph break (see ``TorchBackend.simulate``), as
the Torch loop already was: dynamo must not unroll the time loop.

It runs when all of these hold, and otherwise returns ``None`` (the Torch path runs as before):

* the switch is on (``SHOAL_TORCH_CPU=0`` or ``torch_cpu_engine(False)`` turn it off) and
  the numba kernels are enabled (``shoal[numba]`` installed, ``fused_kernels`` on);
* autograd is not recording: grad mode is off, or no tensor of the call requires grad;
* every tensor is a plain dense CPU tensor, all of one dtype, float32 or float64 (Torch and
  NumPy promote mixed dtypes differently; float16 has no kernel);
* the dynamics is one whose ``prepare``/``step``/``finish`` are pure array code
  (:data:`_ENGINE_DYNAMICS`: LIF and its leak variants, ExpSyn); others may call a user's
  Torch function (a rate network's activation) and stay on Torch.

Numbers: float64 agrees with the Torch path to rounding (~1e-15 per step; Torch fuses
``a·b + c`` with ``addcmul``, NumPy rounds twice); float32 to float32 precision.

PyTorch is imported by the functions that take tensors, never by importing this module, so
:func:`torch_cpu_engine` is importable from :mod:`shoal.backend` without torch.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from shoal.backend._fused import fused_kernels_enabled, switched
from shoal.backend.numpy_backend import NumpyBackend

__all__ = ["cpu_simulate", "torch_cpu_engine", "torch_cpu_engine_enabled"]

#: Environment switch: ``SHOAL_TORCH_CPU=0`` keeps every Torch loop in Torch for the process.
ENVIRONMENT_SWITCH = "SHOAL_TORCH_CPU"

_switch = {"enabled": os.environ.get(ENVIRONMENT_SWITCH, "1") != "0"}

#: Dynamics whose prepare, step and finish are pure array code: no user callable (a rate
#: network's activation may be a Torch function) and nothing Torch-only.
_ENGINE_DYNAMICS = frozenset(
    f"shoal.dynamics.{name}" for name in ("lif", "lif_decays", "lif_bitshift", "exp_syn")
)


def torch_cpu_engine_enabled() -> bool:
    """True when no-grad CPU Torch loops may run on the NumPy engine (switch on, numba there)."""
    return _switch["enabled"] and fused_kernels_enabled()


@contextlib.contextmanager
def torch_cpu_engine(enabled: bool) -> Iterator[None]:
    """Let no-grad CPU Torch loops run on the NumPy engine, or not, inside a ``with`` block.

    Args:
        enabled: ``False`` keeps every Torch loop in Torch (e.g. to compare both engines).
            ``True`` uses the NumPy engine where it applies (it never makes numba appear).

    Raises:
        TypeError: ``enabled`` is not a bool.
    """
    with switched(_switch, "shoal.backend.torch_cpu_engine", enabled):
        yield


def cpu_simulate(
    dynamics: Any, config: Any, params: Any, state: Any, inputs: Any, rng_key: Any, record: bool
) -> tuple[Any, Any, Any, dict[str, Any]] | None:
    """``simulate`` on the NumPy engine, or ``None`` where Torch must run it.

    Takes and returns what ``TorchBackend.simulate`` does (tensors, batch-major).
    """
    if not torch_cpu_engine_enabled() or dynamics.__name__ not in _ENGINE_DYNAMICS:
        return None
    leaves: list[Any] = []
    _collect((params, state, inputs), leaves)
    dtype = _common_dtype(leaves)
    if dtype is None or rng_key is not None or _holds_tensor(config):
        return None
    try:
        params_np, state_np, inputs_np = _to_numpy((params, state, inputs))
    except (RuntimeError, TypeError):  # e.g. torch.func's wrapped tensors: no buffer to view
        return None
    # Torch never warns on float arithmetic (NaN, inf − inf); the same call must not start to.
    # NumpyBackend.simulate: the fused loop over the raw input where a kernel covers the call.
    with np.errstate(all="ignore"):
        outputs, final, _, records = _ENGINE.simulate(
            dynamics, config, params_np, state_np, inputs_np, None, record
        )
    return (
        _to_torch(outputs, dtype),
        _to_torch(final, dtype),
        None,
        {key: _to_torch(value, dtype) for key, value in records.items()},
    )


class _NumpyEngine(NumpyBackend):
    """The NumPy backend, with noise from torch's generator."""

    @staticmethod
    def normal(key: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        import torch

        # As TorchBackend.normal draws it: the same numbers for the same torch seed.
        torch_dtype = torch.from_numpy(np.empty(0, dtype)).dtype
        return torch.randn(shape, dtype=torch_dtype).numpy()


_ENGINE = _NumpyEngine()


def _collect(tree: Any, out: list[Any]) -> None:
    """Every leaf of ``tree`` (tuples and named tuples, as the dynamics build them) but ``None``.

    Any other container is one leaf, which :func:`_common_dtype` refuses.
    """
    if tree is None:
        return
    if isinstance(tree, tuple):
        for item in tree:
            _collect(item, out)
    else:
        out.append(tree)


def _common_dtype(leaves: list[Any]) -> Any:
    """The one float dtype of ``leaves`` if NumPy may run on them, else ``None``."""
    import torch

    dtypes = set()
    recording = torch.is_grad_enabled()
    for leaf in leaves:
        if not isinstance(leaf, torch.Tensor):
            if isinstance(leaf, (bool, int, float, str)):
                continue  # configuration scalars: NumPy broadcasts them as Torch does
            return None
        if recording and leaf.requires_grad:
            return None
        # A subclass (parameters aside) may override any operation; other layouts and devices
        # have no NumPy view.
        if type(leaf) not in (torch.Tensor, torch.nn.Parameter) or leaf.is_quantized:
            return None
        if leaf.device.type != "cpu" or leaf.layout != torch.strided:
            return None
        dtypes.add(leaf.dtype)
    if len(dtypes) != 1 or not dtypes <= {torch.float32, torch.float64}:
        return None
    return dtypes.pop()


def _holds_tensor(tree: Any) -> bool:
    import torch

    leaves: list[Any] = []
    _collect(tree, leaves)
    return any(isinstance(leaf, torch.Tensor) for leaf in leaves)


def _to_numpy(tree: Any) -> Any:
    """``tree`` (tuples, named tuples) with every tensor as a NumPy view of its memory.

    Raises:
        RuntimeError, TypeError: A tensor has no plain CPU buffer to view.
    """
    import torch

    if isinstance(tree, torch.Tensor):
        # resolve_neg/conj are no-ops on plain tensors; a lazily negated view has no view.
        return tree.detach().resolve_neg().resolve_conj().numpy()
    if isinstance(tree, tuple):
        items = [_to_numpy(item) for item in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    return tree


def _to_torch(value: Any, dtype: Any) -> Any:
    """NumPy results as ``dtype`` tensors on the same memory (named tuples and ``None`` kept)."""
    import torch

    if value is None:
        return None
    if isinstance(value, tuple):
        items = [_to_torch(item, dtype) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    array = np.asarray(value)
    # torch.from_numpy refuses negative strides and warns on read-only arrays: copy those.
    if not array.flags.writeable or any(stride < 0 for stride in array.strides):
        array = array.copy()
    # The dtype as Torch would have computed it (one float dtype in, the same out); a no-op
    # unless NumPy promoted somewhere.
    return torch.from_numpy(array).to(dtype)
