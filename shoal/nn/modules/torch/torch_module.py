"""``TorchModule``: a shoal :class:`~shoal.nn.modules.Module` that is a ``torch.nn.Module``.

Registration is shoal's (``self.tau = Parameter(...)``), mirrored into torch's tables on every
write (see :func:`shoal.nn.modules._registry.store`):

* ``Parameter`` → ``nn.Parameter`` (``named_parameters()``, ``state_dict()``);
* ``State`` → persistent buffer (``state_dict()``);
* tensor ``SimulationParameter`` → non-persistent buffer; other simulation parameters
  (``dt`` as a float) stay plain attributes;
* a sub-``TorchModule`` → a child module.

``parameters()``/``state()``/``simulation_parameters()`` return the nested
:class:`TorchModuleParameters` of the Module API; give a torch optimiser
``net.parameters().astorch()``. Unlike Rockpool, torch's own methods that iterate the
parameters (``zero_grad``, ``requires_grad_``) work, updates (``set_attributes``,
``reset_parameters``, ``load``) write into the existing ``nn.Parameter`` objects so that an
optimiser built earlier keeps training them, and the state is stored detached after every call
(gradients never cross calls). ``mod(x, record=False)`` runs through ``nn.Module.__call__``
(hooks fire) and returns ``(output, new_state, record)``; ``mod.forward(x)`` returns the output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import torch

from shoal._errors import DeviceMismatchError
from shoal.backend._torch_cpu import torch_cpu_engine_enabled
from shoal.backend.torch_backend import TORCH
from shoal.nn.modules._registry import PARAMETER, SIMULATION_PARAMETER, STATE, store
from shoal.nn.modules.module import Module
from shoal.nn.modules.torch._bridges import from_torch

__all__ = ["TorchModule", "TorchModuleParameters"]


class TorchModuleParameters(dict):  # type: ignore[type-arg]
    """A nested ``dict`` of tensors; :meth:`astorch` yields the leaves for torch optimisers."""

    def astorch(self) -> Iterator[torch.Tensor]:
        """The tensors depth-first in dict order: ``torch.optim.Adam(p.astorch(), lr=...)``."""
        for value in self.values():
            if isinstance(value, TorchModuleParameters):
                yield from value.astorch()
            elif isinstance(value, dict):
                yield from TorchModuleParameters(value).astorch()
            elif isinstance(value, torch.Tensor):
                yield value


def _forget(module: torch.nn.Module, name: str) -> None:
    tables = module.__dict__
    tables["_parameters"].pop(name, None)
    tables["_buffers"].pop(name, None)
    tables["_non_persistent_buffers_set"].discard(name)


def _mirror(module: TorchModule, name: str, value: Any) -> None:
    """Keep torch's tables in step with the value shoal just stored under ``name``."""
    tables = module.__dict__
    if "_parameters" not in tables or name.startswith("_"):
        return  # before nn.Module.__init__, or bookkeeping
    if isinstance(value, torch.nn.Module):
        tables["_modules"][name] = value
        return
    record = tables.get("_registry", {}).get(name)
    if record is None or not isinstance(value, torch.Tensor):
        tables["_modules"].pop(name, None)
        _forget(module, name)
        return
    if issubclass(record.kind, PARAMETER):
        existing = tables["_parameters"].get(name)
        if existing is not None and existing is not value and existing.shape == value.shape:
            # In place: an optimiser holding this nn.Parameter keeps training the module.
            with torch.no_grad():
                existing.copy_(value)
            value = existing
        elif not isinstance(value, torch.nn.Parameter):
            value = torch.nn.Parameter(value.detach())
        _forget(module, name)
        tables["_parameters"][name] = value
    else:
        _forget(module, name)
        tables["_buffers"][name] = value
        if issubclass(record.kind, SIMULATION_PARAMETER) or not issubclass(record.kind, STATE):
            tables["_non_persistent_buffers_set"].add(name)
    object.__setattr__(module, name, value)


class TorchModule(Module, torch.nn.Module):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Base class of Torch modules: shoal's Module API and ``torch.nn.Module`` at once.

    Float data is stored as float32 tensors (float64 tensors are kept as float64; ``.double()``
    converts a module). Input is converted to the module's dtype and device; NumPy arrays and
    lists are accepted. Modules mutate their state on every call, like NumPy modules.

    Args:
        shape: The module's dimensions (see :class:`~shoal.nn.modules.Module`).
        spiking_input: Whether the module expects spike input.
        spiking_output: Whether the module emits spikes.
    """

    _backend = TORCH
    _mirror_store = _mirror
    _base_keywords: ClassVar[tuple[str, ...]] = ("retain_torch_api",)

    def __init__(
        self,
        shape: Any = None,
        spiking_input: bool = False,
        spiking_output: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        torch.nn.Module.__init__(self)
        super().__init__(shape, spiking_input, spiking_output, *args, **kwargs)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, torch.nn.Parameter) and name not in self.__dict__.get("_registry", {}):
            from shoal.parameters import Parameter

            value = Parameter(value)  # a raw nn.Parameter registers as a Parameter
        elif isinstance(value, torch.nn.Module) and not isinstance(value, Module):
            # Rockpool's rule: a plain torch child is converted in place, keeping torch's call
            # (the parent's own code expects tensors from it), and becomes a submodule.
            value = from_torch(value, True, TorchModule)
        super().__setattr__(name, value)

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Register a buffer as Rockpool does: persistent → ``State``, else a simulation
        parameter (so ``state()``/``simulation_parameters()`` list it)."""
        if tensor is None or "_registry" not in self.__dict__:
            torch.nn.Module.register_buffer(self, name, tensor, persistent)
            return
        from shoal.parameters import SimulationParameter, State

        setattr(self, name, (State if persistent else SimulationParameter)(tensor))

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        if "_parameters" in self.__dict__:
            _forget(self, name)
            self.__dict__["_modules"].pop(name, None)

    def _check_submodule(self, name: str, module: Any) -> None:
        if not isinstance(module, TorchModule):
            raise ValueError(
                f"{self._path}.{name}: submodules of a TorchModule must themselves be "
                f"TorchModules; got a {module.class_name}. Use the Torch flavour (e.g. "
                f"{module._flavours.get('torch', module.class_name + 'Torch')})."
            )

    def _hold_initial_value(self, name: str, init_func: Any, value: Any) -> Any:
        # The held construction data must not share storage with the live nn.Parameter:
        # training edits the parameter in place.
        if isinstance(value, torch.Tensor):
            value = value.detach().clone()
        return super()._hold_initial_value(name, init_func, value)

    def _initial_value(self, record: Any) -> Any:
        value = super()._initial_value(record)
        return value.clone() if isinstance(value, torch.Tensor) else value

    def _collect(self, kind: Any, family: Any, names: Any = None) -> dict[str, Any]:
        return TorchModuleParameters(super()._collect(kind, family, names))

    # ------------------------------------------------------------------ torch API
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every ``nn.Parameter`` (torch's, not the dict's keys)."""
        for parameter in torch.nn.Module.parameters(self):
            if parameter.grad is None:
                continue
            if set_to_none:
                parameter.grad = None
            else:
                parameter.grad.detach_().zero_()

    def requires_grad_(self, requires_grad: bool = True) -> TorchModule:
        for parameter in torch.nn.Module.parameters(self):
            parameter.requires_grad_(requires_grad)
        return self

    def _apply(self, fn: Any, recurse: bool = True) -> TorchModule:
        """``.to()``/``.double()``...: torch converts its tables; shoal's names follow them."""
        super()._apply(fn, recurse)
        for table in ("_parameters", "_buffers"):
            for key, value in self.__dict__[table].items():
                object.__setattr__(self, key, value)
        return self

    def _device(self) -> torch.device:
        for value in self.__dict__["_parameters"].values():
            return value.device  # type: ignore[no-any-return]
        for value in self.__dict__["_buffers"].values():
            return value.device  # type: ignore[no-any-return]
        return torch.device("cpu")

    def _as_input_array(self, data: Any) -> Any:
        """Input as a tensor of the module's dtype, moved to the module's device.

        Raises:
            DeviceMismatchError: If the input cannot be moved there (it is on "meta").
        """
        device = self._device()
        source = data.device if isinstance(data, torch.Tensor) else torch.device("cpu")
        try:
            return super()._as_input_array(data).to(device)
        except (RuntimeError, NotImplementedError) as error:
            if source == device:
                raise
            raise DeviceMismatchError(
                f"{self._path}: input is on device '{source}', the module on '{device}', and "
                f"the input could not be moved there ({error}). Move one of them with .to()."
            ) from None

    def _auto_batch(
        self, data: Any, states: Any = (), target_shapes: Any = None
    ) -> tuple[Any, tuple[Any, ...]]:
        """As :meth:`Module._auto_batch`; states compute in the input's dtype (no mixed GEMMs).

        The stored state keeps its own dtype (see ``_new_state``), so it never drifts.
        """
        data, batched = super()._auto_batch(data, states, target_shapes)
        return data, tuple(s.to(data.dtype) if isinstance(s, torch.Tensor) else s for s in batched)

    # ------------------------------------------------------------------ bridges
    def _apply_base_keywords(self, retain_torch_api: bool = False) -> None:
        if retain_torch_api:
            self.to_torch()

    def to_torch(self, use_torch_call: bool = True) -> TorchModule:
        """Give this module torch's own API, in place, and return it (Rockpool's bridge).

        Afterwards ``parameters()`` and ``modules()`` are torch's generators (so
        ``torch.optim.Adam(mod.parameters())`` works) and ``repr`` is torch's, on this module
        and every submodule; with ``use_torch_call`` this module's call returns the output
        tensor only (submodules keep returning ``(output, state, record)``, which the
        combinators need). ``state()``, ``set_attributes``, ``reset_*``, ``save``/``load`` keep
        working; the Module API's nested parameter dict is then ``Module.parameters(mod)``.
        Constructing with ``retain_torch_api=True`` does the same.

        Args:
            use_torch_call: Whether calling the module returns only the output tensor.

        Returns:
            This module.
        """
        for module in torch.nn.Module.modules(self):
            if isinstance(module, TorchModule):
                module.__dict__["_torch_api"] = True
        self.__dict__["_torch_call"] = bool(use_torch_call)
        return self

    @staticmethod
    def from_torch(obj: torch.nn.Module, retain_torch_api: bool = False) -> TorchModule:
        """Make a plain ``torch.nn.Module`` a :class:`TorchModule`, in place, and return it.

        See :func:`shoal.nn.modules.torch._bridges.from_torch`.
        """
        return from_torch(obj, retain_torch_api, TorchModule)

    def parameters(self, *args: Any, **kwargs: Any) -> Any:
        """The Module API's nested dict (``family=None``); torch's generator after ``to_torch``."""
        if self.__dict__.get("_torch_api"):
            return torch.nn.Module.parameters(self, *args, **kwargs)
        return Module.parameters(self, *args, **kwargs)

    def modules(self, *args: Any, **kwargs: Any) -> Any:
        """The direct submodules by name; torch's generator (all modules) after ``to_torch``."""
        if self.__dict__.get("_torch_api"):
            return torch.nn.Module.modules(self, *args, **kwargs)
        return Module.modules(self, *args, **kwargs)

    def __repr__(self) -> str:
        if self.__dict__.get("_torch_api"):
            return torch.nn.Module.__repr__(self)
        return Module.__repr__(self)

    # ------------------------------------------------------------------ calling
    def __call__(self, input_data: Any, *args: Any, **kwargs: Any) -> Any:
        """``(output, new_state, record)``; runs through ``nn.Module.__call__`` (hooks fire).

        After :meth:`to_torch` the call returns the output only, like any torch module.
        """
        compiling = torch.compiler.is_compiling()
        if compiling and not torch.is_grad_enabled() and torch_cpu_engine_enabled():
            # Under torch.compile without autograd the time loop runs on the NumPy engine
            # (shoal/backend/_torch_cpu.py), outside any graph; tracing the Python around it
            # only added graph breaks (data-dependent checks) and guards to re-check per call.
            # Dynamo guards on grad mode, so a training call still traces the Torch path.
            return _call_eagerly(self, input_data, *args, **kwargs)
        return self._call(input_data, *args, **kwargs)

    def _call(self, input_data: Any, *args: Any, **kwargs: Any) -> Any:
        """The call itself (``__call__`` may first leave a compiled frame)."""
        store(self, "_call_arguments", (args, kwargs))
        output = torch.nn.Module.__call__(self, input_data)
        new_state, record = self.__dict__.pop("_call_result")
        if self.__dict__.get("_torch_call"):
            return output
        return output, new_state, record

    def forward(self, input_data: Any) -> Any:
        """Evolve on ``input_data`` and return the output only (the state is updated)."""
        pending = self.__dict__.pop("_call_arguments", None)
        args, kwargs = ((), {}) if pending is None else pending
        output, new_state, record = Module.__call__(self, input_data, *args, **kwargs)
        if pending is not None:  # called through __call__, which returns state and record
            store(self, "_call_result", (new_state, record))
        return output

    def _commit_state(self, new_state: Any) -> None:
        """Keep the new state, detached: gradients never flow from one call into the next."""
        for key, value in new_state.items():
            if isinstance(value, torch.Tensor):
                value = value.detach()
                new_state[key] = value
            store(self, key, value)


@torch.compiler.disable  # type: ignore[misc]
def _call_eagerly(module: TorchModule, input_data: Any, *args: Any, **kwargs: Any) -> Any:
    """``module(input_data, ...)`` as an eager call, also when reached from a compiled frame."""
    return module._call(input_data, *args, **kwargs)
