"""Plumbing shared by the built-in models: rng keys, calling the simulator, committing state."""

from __future__ import annotations

import contextlib
import weakref
from typing import Any, ClassVar

import numpy as np

from shoal.backend import is_tracer
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import TIME_CONSTANT
from shoal.nn.modules.module import Module
from shoal.parameters import State

__all__ = ["SimulatedModule", "is_noisy"]

# Time-constant arrays already found in range, by identity. Only immutable (JAX) arrays are
# kept, weakly: an eager call then pays a dict lookup, not a device-to-host copy. NumPy arrays
# are checked on every call, since they can be edited in place.
_CHECKED_IMMUTABLE: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def is_noisy(noise_std: Any) -> bool:
    """Whether noise must be drawn: skipped entirely when ``noise_std`` is a concrete zero."""
    return is_tracer(noise_std) or bool(noise_std != 0)


class SimulatedModule(Module):
    """Base of the built-in models: ``evolve`` written once, through the model's dynamics.

    A model names its dynamics module (``_dynamics``, a
    :class:`~shoal.dynamics._protocol.Dynamics`) and builds the dynamics' configuration and
    parameters from its attributes (:meth:`_configure`); everything else is shared.
    """

    #: The model's dynamics module (``shoal.dynamics.lif``...).
    _dynamics: ClassVar[Dynamics]

    def _configure(self) -> tuple[Any, Any]:
        """``(config, params)``: the dynamics' static configuration and its parameters."""
        raise NotImplementedError(f"{self.class_name} must define _configure()")

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve over ``(T, Nin)`` or ``(B, T, Nin)`` input; see the model's class docstring."""
        return self._evolve_through(
            input_data,
            lambda dynamics, config, params, state, inputs: self._simulate(
                dynamics, config, params, state, inputs, record
            ),
        )

    def _evolve_through(self, input_data: Any, run: Any) -> tuple[Any, dict, dict]:
        """``evolve`` with ``run(dynamics, config, params, state, inputs)`` as the simulation.

        Batching, state packing and the new state are the module's own; ``run`` returns
        ``(outputs, final_state, rng_key, records)`` (a ``Sequential`` hands a ``Linear →
        neuron`` pair's fused pass here, see ``shoal.nn.combinators._projection``).
        """
        dynamics = self._dynamics
        xp = self._backend.xp
        states = tuple(getattr(self, name) for name in dynamics.STATE_NAMES)
        inputs, batched = self._auto_batch(input_data, states)
        config, params = self._configure()
        state = dynamics.pack_state(xp, config, batched)
        outputs, final, rng_key, records = run(dynamics, config, params, state, inputs)
        new_state = dynamics.unpack_state(xp, config, final, outputs)
        return outputs, self._new_state(new_state, rng_key), records

    def _init_rng_key(self, rng_key: Any) -> None:
        key = self._backend.initial_key(self.class_name, rng_key)
        if key is None:
            return
        # The construction key is what reset_state() restores; like all construction data it
        # is held in `_initial_rng_key`, a pytree leaf (see Module._hold_initial_value).
        self.rng_key = State(key)

    def _check_time_constants(self, recursive: bool) -> None:
        for name, record in self._registry.items():
            if record.constraint is not TIME_CONSTANT:
                continue
            value = self.__dict__.get(name)
            if value is None or is_tracer(value) or _CHECKED_IMMUTABLE.get(id(value)) is value:
                continue
            if not hasattr(value, "shape") or getattr(value, "is_meta", False):
                # A Python number (dt) was checked when set, and cannot change; a tensor on
                # torch's "meta" device holds no values (shape inference only).
                continue
            array = self._backend.to_numpy(value)
            if not np.all((array > 0) & np.isfinite(array)):
                raise ValueError(
                    f"{self._path}.{name}: expected a time constant > 0 (seconds), got {array}. "
                    "Values set under jit or edited in place are not checked when set; "
                    "shoal.training.clip_to_valid(net, params) keeps trained values in range."
                )
            if not self._backend.mutates_on_evolve:  # JAX arrays are immutable: check once
                with contextlib.suppress(TypeError):
                    _CHECKED_IMMUTABLE[id(value)] = value
        super()._check_time_constants(recursive)

    def _simulate(
        self, dynamics: Any, config: Any, params: Any, state: Any, inputs: Any, record: bool
    ) -> tuple[Any, Any, Any, dict[str, Any]]:
        """Run the dynamics: ``(outputs, final batched state, new rng key, records)``."""
        return self._backend.simulate(  # type: ignore[no-any-return]
            dynamics, config, params, state, inputs, self.__dict__.get("rng_key"), bool(record)
        )

    def _new_state(self, values: dict[str, Any], rng_key: Any = None) -> dict[str, Any]:
        """Build the returned state (batch 0, stored dtypes) and commit it on NumPy modules."""
        new_state = {}
        for key, value in values.items():
            current = self.__dict__[key]
            value = value[0]
            dtype = getattr(current, "dtype", None)
            if dtype is not None and value.dtype != dtype:
                value = self._backend.asarray(value, dtype)
            new_state[key] = value
        if rng_key is not None:
            new_state["rng_key"] = rng_key
        self._commit_state(new_state)
        return new_state
