"""``from_torch``: a plain ``torch.nn.Module`` becomes a :class:`TorchModule`, in place.

The object's class is swapped for a generated subclass of ``(TorchModule, OriginalClass)``
that keeps the original's name (``Linear``), so ``Sequential(torch.nn.Linear(2, 3),
LIFTorch(3))`` names it ``0_Linear``. One patched class exists per original class; pickling
rebuilds it from the original, so converted modules pickle and ``torch.save`` like any other.
``TorchModule`` is passed in (``TorchModule.from_torch`` is the entry point), which keeps this
module out of an import circle with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from shoal.nn.modules._module_base import ModuleBase
from shoal.nn.modules._registry import store
from shoal.parameters import Parameter, SimulationParameter, State

if TYPE_CHECKING:
    from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["from_torch"]

_PATCHED: dict[type, type] = {}


def _restore(base: type, original: type, contents: dict[str, Any]) -> TorchModule:
    """Unpickle a converted module: the patched class again, the same attributes."""
    obj: Any = object.__new__(_patched_class(base, original))
    obj.__dict__.update(contents)
    return obj  # type: ignore[no-any-return]


def _patched_class(base: type, original: type) -> type:
    patched = _PATCHED.get(original)
    if patched is not None:
        return patched
    torch_forward = original.forward  # type: ignore[attr-defined]

    def evolve(self: Any, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        # The module's own forward: no auto-batching, nothing recorded, no state of its own
        # to return (torch updates buffers such as BatchNorm's running mean in place).
        return torch_forward(self, input_data), {}, {}

    def __reduce_ex__(self: Any, protocol: Any) -> Any:
        return _restore, (base, original, dict(self.__dict__))

    namespace = {
        "evolve": evolve,
        "__reduce_ex__": __reduce_ex__,
        "__module__": original.__module__,
        "__qualname__": original.__qualname__,
        "__doc__": original.__doc__,
        "_converted_from": original,
    }
    patched = type(original.__name__, (base, original), namespace)
    _PATCHED[original] = patched
    return patched


def _shape(obj: torch.nn.Module) -> Any:
    """``(in_features, out_features)`` where the module says so (``nn.Linear``), else none."""
    sizes = (getattr(obj, "in_features", None), getattr(obj, "out_features", None))
    if all(isinstance(size, int) and not isinstance(size, bool) for size in sizes):
        return sizes
    return None


def from_torch(obj: torch.nn.Module, retain_torch_api: bool, base: type) -> TorchModule:
    """Convert a plain ``torch.nn.Module`` to a :class:`TorchModule` in place; return it.

    Unlike Rockpool (which returns ``None``), the converted object is returned; it *is*
    ``obj``. Its torch parameters become Parameters, its floating-point persistent buffers
    States and non-persistent ones simulation parameters (the very same tensors, so an
    optimiser built earlier keeps training them); integer buffers such as BatchNorm's
    ``num_batches_tracked`` stay torch-only buffers (shoal would cast them to float). Child
    modules are converted recursively with the torch API kept, as their parent's ``forward``
    expects tensors from them. Calling the result runs the module's own ``forward`` (no
    auto-batching) and returns ``(output, {}, {})``; with ``retain_torch_api=True`` see
    :meth:`TorchModule.to_torch`. The shape is ``(in_features, out_features)`` when the module
    has both (``nn.Linear``), else unknown.

    Args:
        obj: The module to convert; a :class:`TorchModule` is returned unchanged.
        retain_torch_api: Whether the result keeps torch's call and ``parameters()``.
        base: :class:`TorchModule`.

    Returns:
        ``obj``, now a :class:`TorchModule`.

    Raises:
        TypeError: If ``obj`` is not a ``torch.nn.Module``.
    """
    if isinstance(obj, base):
        return obj  # type: ignore[return-value]
    if not isinstance(obj, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got a {type(obj).__name__}")
    parameters = [(k, v) for k, v in obj._parameters.items() if v is not None]
    buffers = [(k, v) for k, v in obj._buffers.items() if v is not None]
    persistent = {k for k, _ in buffers if k not in obj._non_persistent_buffers_set}
    children = [(k, v) for k, v in obj._modules.items() if v is not None]
    original = type(obj)
    obj.__class__ = _patched_class(base, original)
    converted: Any = obj
    ModuleBase.__init__(converted, _shape(obj))
    for name, parameter in parameters:
        setattr(converted, name, Parameter(parameter))
    for name, buffer in buffers:
        if not buffer.is_floating_point():
            continue
        kind = State if name in persistent else SimulationParameter
        setattr(converted, name, kind(buffer))
    for name, child in children:
        setattr(converted, name, from_torch(child, True, base))
    store(converted, "_in_init", False)
    if retain_torch_api:
        converted.to_torch()
    return converted  # type: ignore[no-any-return]
