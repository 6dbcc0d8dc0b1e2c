"""Updates and resets: ``set_attributes``, ``reset_state``/``reset_parameters``, checkpoints.

All-or-nothing: every entry is validated before anything is written. NumPy modules update
themselves; JAX modules (``_updated_copy`` returns a shallow copy) return a new module.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from shoal._errors import UnknownAttributeError, did_you_mean
from shoal.nn.modules._checkpoint import load_module, save_module
from shoal.nn.modules._module_base import ModuleBase, _store
from shoal.nn.modules._registry import PARAMETER, STATE, FromAttribute, Registered
from shoal.parameters import ParameterBase

__all__ = ["UpdatableModule"]

_M = TypeVar("_M", bound="UpdatableModule")


class UpdatableModule(ModuleBase):
    """:class:`ModuleBase` with functional or in-place updates, resets and checkpoints."""

    def _restore_states(self, saved: Mapping[str, Any]) -> None:
        for key, value in saved.items():
            if key in self._submodule_names:
                getattr(self, key)._restore_states(value)
            else:
                _store(self, key, value)

    # ------------------------------------------------------------------ updates
    def _updated_copy(self: _M) -> _M:
        """The object that functional updates write to: NumPy modules update themselves."""
        return self

    def _store_child(self, name: str, child: UpdatableModule) -> None:
        _store(self, name, child)

    def set_attributes(self: _M, new_attributes: Mapping[str, Any]) -> _M:
        """Set registered attributes of this module and its submodules from a nested dict.

        All entries are validated first (unknown keys, shapes, values); only if every entry is
        valid is anything changed. NumPy modules update in place and return themselves; JAX
        modules return an updated copy. A nested dict of a subset of keys is fine.
        """
        plan = self._plan_attributes(new_attributes)
        return self._apply_plan(plan)

    def _plan_attributes(self, new_attributes: Any, unknown: list[str] | None = None) -> dict:
        top = unknown is None
        unknown = [] if unknown is None else unknown
        if not isinstance(new_attributes, Mapping):
            raise TypeError(
                f"{self._path}: set_attributes expects a nested dict of attribute values, "
                f"got {type(new_attributes).__name__}"
            )
        plan: dict[str, Any] = {}
        for key, value in new_attributes.items():
            if key in self._registry:
                plan[key] = self._checked_value(key, value)
            elif key in self._submodule_names:
                plan[key] = getattr(self, key)._plan_attributes(value, unknown)
            else:
                known = [*self._registry, *self._submodule_names]
                unknown.append(f"'{self._path}.{key}'{did_you_mean(str(key), known)}")
        if top and unknown:
            raise UnknownAttributeError(
                f"{self._path}: set_attributes got unknown keys: {', '.join(unknown)}. "
                "Keys must name registered attributes or submodules."
            )
        return plan

    def _apply_plan(self: _M, plan: dict[str, Any]) -> _M:
        target = self._updated_copy()
        for key, value in plan.items():
            if key in self._submodule_names:
                target._store_child(key, getattr(self, key)._apply_plan(value))
            else:
                _store(target, key, value)
        return target

    def _initial_value(self, record: Registered) -> Any:
        """What a reset restores: ``init_func(shape)``, or a copy of a stored initial value."""
        if isinstance(record.init_func, FromAttribute):
            return copy.copy(getattr(self, record.init_func.attribute))
        assert record.init_func is not None
        return record.init_func(record.shape)

    def _reset_kind(self: _M, kind: type[ParameterBase]) -> _M:
        target = self._updated_copy()
        for name, record in self._registry.items():
            if issubclass(record.kind, kind) and record.init_func is not None:
                value = target._coerce(name, record.kind, self._initial_value(record))
                _store(target, name, value)
        for child in self._submodule_names:
            target._store_child(child, getattr(self, child)._reset_kind(kind))
        return target

    def reset_state(self: _M) -> _M:
        """Reset every state of this module and its submodules to its initial value."""
        return self._reset_kind(STATE)

    def reset_parameters(self: _M) -> _M:
        """Reset every parameter to its initial value (concrete construction data if given)."""
        return self._reset_kind(PARAMETER)

    def _reset_attribute(self: _M, name: str) -> _M:
        """Reset one registered attribute to its initial value."""
        if name not in self._registry:
            raise UnknownAttributeError(
                f"{self._path}: '{name}' is not a registered attribute"
                f"{did_you_mean(name, self._registry)}."
            )
        record = self._registry[name]
        target = self._updated_copy()
        if record.init_func is not None:
            value = target._coerce(name, record.kind, self._initial_value(record))
            _store(target, name, value)
        return target

    def _commit_state(self, new_state: Mapping[str, Any]) -> None:
        """Hook called by built-in models after evolving: NumPy modules keep the new state."""
        for key, value in new_state.items():
            _store(self, key, value)

    # ------------------------------------------------------------------ checkpoints
    def save(self, path: Any) -> None:
        """Write parameters, state and numeric simulation parameters to an ``.npz`` file.

        See :func:`shoal.nn.modules._checkpoint.save_module` (atomic write, no pickle).
        """
        save_module(self, path)

    def load(self: _M, path: Any) -> _M:
        """Load a file written by :meth:`save` into a module of the same architecture.

        NumPy modules load in place and return themselves; JAX modules return a new module
        (``net = net.load(path)``). See :func:`shoal.nn.modules._checkpoint.load_module`.
        """
        return cast(_M, load_module(self, path))
