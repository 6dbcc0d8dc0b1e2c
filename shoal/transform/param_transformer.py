"""Wrappers that evolve a module with transformed parameters (Rockpool's ``param_transformer``).

A transformer wraps a module as its submodule ``module``. On every call it transforms the
selected parameters (stochastic rounding, dropout...), evolves the module with them and puts the
original parameters back, so training sees the transformation while the stored parameters stay
continuous. NumPy flavours draw from ``numpy.random``; JAX flavours carry an ``rng_key`` state
and, unlike Rockpool 3.1.0, really evolve with the transformed parameters.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from shoal.nn.modules._simulated import SimulatedModule
from shoal.nn.modules.module import Module
from shoal.parameters import SimulationParameter
from shoal.utilities.tree_utils import branches, get_nested

__all__ = ["ParameterTransformerMixin", "jax_flavour", "pick_flavour"]


def _has_leaves(tree: Any) -> bool:
    return any(True for _ in branches(tree))


def _families_of(module: Module) -> list[str]:
    found: set[str] = set()
    for record in module._registry.values():
        if record.family is not None:
            found.add(str(record.family))
    for child in module.modules().values():
        found.update(_families_of(child))
    return sorted(found)


def _set_in(tree: dict[str, Any], branch: tuple[str, ...], value: Any) -> None:
    for key in branch[:-1]:
        tree = tree[key]
    tree[branch[-1]] = value


class ParameterTransformerMixin(SimulatedModule):
    """Base of the parameter transformers: selection, transformation, swap-and-restore.

    Args:
        module: The module to wrap (becomes the submodule ``module``); the wrapper takes its
            shape and spiking flags.
        families: Parameter families to transform: a name, a list of names, or ``None``
            (default) for all parameters. Stored as a list (``None`` → ``[None]``).
        transform_params: One transformation parameter per family (a single value is repeated);
            its meaning and default depend on the transformer.
        rng_key: JAX flavours only: PRNG key (random when ``None``); the state ``rng_key`` is
            ``split(rng_key)[1]``.

    Subclasses define :meth:`_transform_leaf` and, optionally, :meth:`_check_param`.
    """

    _default_param: Any = None

    def __init__(
        self,
        module: Module,
        families: Any = None,
        transform_params: Any = None,
        rng_key: Any = None,
    ) -> None:
        owner = type(self).__name__
        if not isinstance(module, Module):
            raise TypeError(
                f"{owner}: expected a shoal Module to wrap, got {type(module).__name__}"
            )
        family_list = list(families) if isinstance(families, (list, tuple)) else [families]
        if transform_params is None:
            transform_params = self._default_param
        params = (
            list(transform_params)
            if isinstance(transform_params, (list, tuple))
            else [transform_params] * len(family_list)
        )
        if len(params) != len(family_list):
            raise ValueError(
                f"{owner}: expected one transform parameter per family ({len(family_list)}: "
                f"{family_list}), got {len(params)}: {params}"
            )
        for family in family_list:
            if family is not None and not _has_leaves(module.parameters(family)):
                raise ValueError(
                    f"{owner}: family {family!r} selects no parameter of {module.full_name}; "
                    f"its families are {_families_of(module)}"
                )
        for value in params:
            self._check_param(owner, value)
        super().__init__(
            shape=module.shape,
            spiking_input=module.spiking_input,
            spiking_output=module.spiking_output,
        )
        self.module = module
        self.families = SimulationParameter(family_list)
        self.transform_params = SimulationParameter(params)
        self._init_rng_key(rng_key)

    def _check_param(self, owner: str, value: Any) -> None:
        """Hook: refuse a transformation parameter (raise naming ``owner``)."""

    def _transform_leaf(self, value: Any, param: Any, key: Any) -> Any:
        """Hook: the transformed array (``key`` is ``None`` on NumPy)."""
        raise NotImplementedError

    def _uniform(self, shape: tuple[int, ...], key: Any) -> Any:
        """``U[0, 1)`` samples: ``numpy.random.random`` on NumPy, ``jax.random.uniform`` on JAX."""
        if key is None:
            return np.random.random(shape)
        import jax

        return jax.random.uniform(key, shape)

    def _transformed(self, key: Any) -> dict[str, Any]:
        """The module's parameters with each family transformed, in the order given."""
        params = self.module.parameters()
        family_keys: list[Any] = [None] * len(self.families)
        if key is not None:
            import jax

            family_keys = list(jax.random.split(key, len(self.families)))
        for family, param, family_key in zip(self.families, self.transform_params, family_keys):
            selected = sorted(branches(self.module.parameters(family)))
            leaf_keys: list[Any] = [None] * len(selected)
            if family_key is not None:
                import jax

                # Sorted branches and split(key, n + 1)[1:]: the rule of jax_tree_utils.
                leaf_keys = list(jax.random.split(family_key, len(selected) + 1)[1:])
            for branch, leaf_key in zip(selected, leaf_keys):
                value = get_nested(params, branch)
                _set_in(params, branch, self._transform_leaf(value, param, leaf_key))
        return params

    def _next_keys(self) -> tuple[Any, Any]:
        """``(key to keep, key to use now)``; both ``None`` on NumPy."""
        if "rng_key" not in self._registry:
            return None, None
        return self._backend.split_key(self.rng_key)  # type: ignore[no-any-return]

    def transformed_parameters(self) -> dict[str, Any]:
        """``parameters()`` with each selected family transformed: ``{"module": {...}}``.

        On JAX this uses the key the next ``evolve`` will use, so it shows exactly the
        parameters of the next call; on NumPy it draws fresh random numbers.
        """
        return {"module": self._transformed(self._next_keys()[1])}

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve ``module`` with transformed parameters; the originals are kept.

        Returns ``(output, {"module": state}, {"module": record})`` (JAX flavours add the next
        ``rng_key`` to the state; the record is ``{}`` when ``record`` is false).
        """
        keep_key, use_key = self._next_keys()
        transformed = self._transformed(use_key)
        if self._backend.mutates_on_evolve:
            original = self.module.parameters()
            self.module.set_attributes(transformed)
            try:
                output, state, rec = self.module(input_data, record=record)
            finally:
                self.module.set_attributes(original)
        else:
            output, state, rec = self.module.set_attributes(transformed)(input_data, record=record)
        new_state: dict[str, Any] = {"module": state}
        if keep_key is not None:
            new_state["rng_key"] = keep_key
        return output, new_state, ({"module": rec} if record else {})


def pick_flavour(module: Any, numpy_flavour: type, jax_flavour: Callable[[], type]) -> type:
    """The wrapper class matching ``module``'s backend (JAX is imported only if it is in use)."""
    if getattr(module, "_backend", None) is not None and module._backend.name == "jax":
        return jax_flavour()
    return numpy_flavour


@functools.cache
def jax_flavour(base: type, name: str) -> type:
    """The JAX flavour of the transformer ``base``: ``base`` mixed with ``JaxModule``, built once.

    Built here on first use (it imports JAX) rather than in a module importing ``base``'s own
    module back, which made an import circle. It is filed under ``base``'s module and ``name``,
    where that module's ``__getattr__`` finds it, so pickling works.

    Args:
        base: The backend-neutral transformer (``DropoutBase``).
        name: Rockpool's class name (``"JaxDropout"``).
    """
    from shoal.nn.modules.jax.jax_module import JaxModule  # imports JAX: only when used

    def body(namespace: dict[str, Any]) -> None:
        namespace.update(__doc__=base.__doc__, __module__=base.__module__, __qualname__=name)

    return types.new_class(name, (base, JaxModule), exec_body=body)
