"""The :class:`Module` class: evolution on top of registration (base) and updates.

A module registers its attributes by plain assignment in ``__init__``::

    class MyNet(Module):
        def __init__(self, shape):
            super().__init__(shape=shape)
            self.w = Parameter(shape=self.shape, init_func=np.zeros, family="weights")
            self.neurons = Rate(self.shape[-1])

        def evolve(self, input_data, record=False):
            ...
            return output, new_state, record_dict

``self.w`` is then the raw array; the registry keeps its kind, family, initialiser and shape.
NumPy modules (this class) update their own state on every call. JAX modules
(:class:`~shoal.nn.modules.jax.jax_module.JaxModule`) override a few hooks to never mutate.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from shoal._debug import check_finite, debug_enabled
from shoal.backend import is_tracer
from shoal.backend._inputs import auto_batch, refuse_vector
from shoal.nn.modules._registry import PARAMETER, SIMULATION_PARAMETER, STATE, FromAttribute
from shoal.nn.modules._updates import UpdatableModule
from shoal.nn.modules.timed_module import TimedModuleWrapper

__all__ = ["PARAMETER", "SIMULATION_PARAMETER", "STATE", "FromAttribute", "Module"]


class Module(UpdatableModule):
    """Base class of every simulation module (NumPy backend; JAX modules subclass it).

    Registration, traversal and ``repr`` come from
    :class:`~shoal.nn.modules._module_base.ModuleBase`, updates and resets from
    :class:`~shoal.nn.modules._updates.UpdatableModule`; dtypes and input conversion are the
    backend's (``_backend``). See :class:`ModuleBase` for the arguments and attributes.
    """

    # ------------------------------------------------------------------ evolution
    @abstractmethod
    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve over ``input_data`` and return ``(output, new_state, record_dict)``."""

    def __call__(self, input_data: Any, *args: Any, **kwargs: Any) -> tuple[Any, dict, dict]:
        """Evolve the module: ``output, new_state, record = mod(input, record=False)``.

        A NumPy module whose evolution raises part-way (say the second of three sub-modules)
        is put back in the state it had before the call.
        """
        # References, not copies: built-in models replace their state arrays, never write
        # into them, so holding the old objects is enough to restore them.
        if not self._backend.accepts_tracers and is_tracer(input_data):
            raise self._tracer_error("input")
        saved = self.state() if self._backend.mutates_on_evolve else None
        self._check_time_constants(recursive=False)  # submodules check on their own calls
        try:
            if not debug_enabled():
                return self.evolve(input_data, *args, **kwargs)
            return self._checked_evolve(input_data, *args, **kwargs)
        except BaseException:
            if saved is not None:
                self._restore_states(saved)
            raise

    def _checked_evolve(self, input_data: Any, *args: Any, **kwargs: Any) -> Any:
        check_finite(self._path, "input", input_data)
        # Module.parameters: the nested dict even where parameters() is torch's (to_torch()).
        check_finite(self._path, "parameters", Module.parameters(self))
        check_finite(self._path, "state", self.state())
        output, new_state, record = self.evolve(input_data, *args, **kwargs)
        check_finite(self._path, "output", output)
        check_finite(self._path, "new_state", new_state)
        return output, new_state, record

    # ------------------------------------------------------------------ batching
    def _input_dtype(self) -> Any:
        return self._backend.input_dtype([self.__dict__.get(key) for key in self._registry])

    def _as_input_array(self, data: Any) -> Any:
        """Convert input to a float array of this module's dtype, rejecting non-numeric data."""
        return self._backend.input_array(self._path, data, self._input_dtype())

    def _refuse_vector(self, data: Any) -> None:
        """Refuse 1-D input: ``(T,)`` and ``(N,)`` look alike, and guessing gives garbage."""
        refuse_vector(self._path, data)

    def _auto_batch(
        self,
        data: Any,
        states: Iterable[Any] = (),
        target_shapes: Iterable[Any] | None = None,
    ) -> tuple[Any, tuple[Any, ...]]:
        """Bring input to ``(B, T, Nin)`` and broadcast states to ``(B, *shape)``.

        See :func:`shoal.backend._inputs.auto_batch`. Returns ``(data, batched_states)``.
        """
        data = self._as_input_array(data)
        return auto_batch(self._backend.xp, self._path, data, self.size_in, states, target_shapes)

    # ------------------------------------------------------------------ time series
    def timed(self, output_num: int = 0, dt: float | None = None, add_events: bool = False) -> Any:
        """Wrap this module to evolve over time series, keeping a clock and the state.

        Returns a :class:`~shoal.nn.modules.timed_module.TimedModuleWrapper`; see it for the
        arguments (``dt`` is required when the module has none).
        """
        return TimedModuleWrapper(self, output_num=output_num, dt=dt, add_events=add_events)
