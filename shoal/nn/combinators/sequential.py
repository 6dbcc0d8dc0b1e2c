"""``Sequential``: chain modules so that each one's output is the next one's input.

One implementation, :class:`SequentialBase`, with two thin flavours: :class:`ModSequential`
(NumPy) and ``JaxSequential`` (a JAX pytree, imported only when used). The :func:`Sequential`
factory picks the flavour by looking at every sub-module.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from shoal._errors import UnknownAttributeError, did_you_mean
from shoal.nn.combinators._common import (
    default_name,
    describe,
    flavour_named,
    gather_modules,
    mixed_backend_error,
    pick_flavour,
    register_flavour,
    reject_keywords,
)
from shoal.nn.combinators._nir import chain_graph
from shoal.nn.combinators._projection import PairHook, evolve_projected
from shoal.nn.modules._registry import store as _store
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir._registry import register_nir_graph

if TYPE_CHECKING:  # the JAX flavour is imported on first access (see __getattr__)
    from shoal.nn.combinators._jax import JaxSequential

__all__ = ["JaxSequential", "ModSequential", "Sequential", "SequentialBase", "SequentialMixin"]


class SequentialBase(Module):
    """A chain of sub-modules evaluated one after the other (backend-neutral implementation).

    Build it through :func:`Sequential`, which picks the NumPy or JAX flavour. Sub-modules are
    named ``f"{i}_{ClassName}"`` (``'0_Linear'``, ``'1_Rate'``) or by the keys of a dict, and
    are reachable as attributes (``getattr(seq, '1_Rate')``), by position (``seq[0]``,
    ``seq[-1]``) or by name (``seq['1_Rate']``). ``len(seq)`` is the number of sub-modules and
    iterating yields them in order. A combinator is always truthy, even when empty.

    Args:
        *modules: The sub-modules in order, or one dict (e.g. an ``OrderedDict``) name → module.

    The shape is ``(first.size_in, last.size_out)`` (``(0, 0)`` when empty); the spiking flags
    are the first module's ``spiking_input`` and the last one's ``spiking_output``. They may not
    be given as keywords.

    ``evolve(input, record=False)`` feeds ``input`` (e.g. ``(T, Nin)`` or ``(B, T, Nin)``)
    through every sub-module and returns ``(output, new_state, record)``: ``output`` is the
    last sub-module's output (``(B, T, Nout)`` for auto-batching modules),
    ``new_state = {name: sub_new_state}`` for every sub-module, and with ``record=True``
    ``record = {name: sub_record, f"{name}_output": sub_output}`` for every sub-module;
    with ``record=False`` it is ``{}``.

    Raises:
        ValueError: On a size mismatch between consecutive sub-modules, NumPy and JAX
            sub-modules mixed, a ``shape``/``spiking_input``/``spiking_output`` keyword, or a
            name that clashes with an attribute of the combinator.
    """

    # The user-facing name of this kind of combinator, used in error messages.
    _kind: ClassVar[str] = "Sequential"
    # Keywords the constructor accepts, for the unknown-keyword message.
    _keywords: ClassVar[str] = ""

    def __init__(self, *modules: Any, **kwargs: Any) -> None:
        owner = type(self).__name__
        reject_keywords(owner, self._kind, kwargs, self._keywords)
        super().__init__()
        entries = gather_modules(owner, modules)
        if len({module._backend.name for _, module in entries}) > 1:
            raise mixed_backend_error(owner, entries)
        self._refresh_shape()
        for name, module in entries:
            self._check_addition(name, module)
            self._insert(name, module)
        self._check_shape(self.shape)

    # ------------------------------------------------------------------ evolution
    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve every sub-module in turn; see the class docstring for the returned dicts."""
        return self._chain(input_data, record)

    def _chain(self, data: Any, record: bool) -> tuple[Any, dict, dict]:
        self._refuse_vector(data)  # also when the first sub-module is a user's that accepts it
        new_state: dict[str, Any] = {}
        record_dict: dict[str, Any] = {}
        for index, name in enumerate(self._submodule_names):
            data = self._between(index, data)
            data, sub_state, sub_record = getattr(self, name)(data, record=record)
            new_state[name] = sub_state
            if record:
                record_dict[name] = sub_record
                record_dict[f"{name}_output"] = data
        return data, new_state, record_dict

    def _chain_fusing(self, data: Any, fuse: PairHook) -> tuple[Any, dict, dict]:
        """The chain without records, each pair that ``fuse`` takes run as one.

        ``fuse(module, next_module, data)`` returns ``(output, state, next_state)`` for a
        ``Linear → neuron`` pair it runs as one pass (see
        :mod:`shoal.nn.combinators._projection`), else ``None``: that module runs alone.
        """
        self._refuse_vector(data)
        names = self._submodule_names
        new_state: dict[str, Any] = {}
        index = 0
        while index < len(names):
            module = getattr(self, names[index])
            if index + 1 < len(names):
                fused = fuse(module, getattr(self, names[index + 1]), data)
                if fused is not None:
                    data, new_state[names[index]], new_state[names[index + 1]] = fused
                    index += 2
                    continue
            data, new_state[names[index]], _ = module(data, record=False)
            index += 1
        return data, new_state, {}

    def _jax_flavour(self) -> str:
        return f"a {self._kind} of JAX modules (e.g. {self._kind}(LinearJax(...), LIFJax(...)))"

    def _between(self, index: int, data: Any) -> Any:
        """Hook: transform the data entering sub-module ``index`` (FFwdStack's weights)."""
        return data

    # ------------------------------------------------------------------ building
    def append(self, module: Module, name: str | None = None) -> SequentialBase:
        """Add ``module`` at the end, named ``name`` (default ``f"{len(self)}_{ClassName}"``).

        The module's ``size_in`` must match the current last ``size_out`` and its backend must
        match the combinator's. On failure nothing changes. This mutates the combinator in place
        (also a JAX flavour, like assigning an attribute) and returns it.

        Raises:
            ValueError: For a duplicate or clashing name, a size mismatch or a mixed backend.
        """
        if name is None and isinstance(module, Module):
            name = default_name(len(self), module)
        self._check_addition(name, module)
        self._check_shape(self._shape_with(module))
        self._insert(name, module)  # type: ignore[arg-type]
        return self

    def _check_addition(self, name: Any, module: Any) -> None:
        """Every check for adding ``module`` as ``name``; raises before anything changes."""
        if not isinstance(module, Module):
            raise TypeError(
                f"{self._path}: can only append a Module, got a {type(module).__name__}"
            )
        if not isinstance(name, str):
            raise TypeError(
                f"{self._path}: a sub-module name must be a string, got {name!r} "
                f"({type(name).__name__})"
            )
        if name in self._submodule_names:
            raise ValueError(
                f'{self._path}: Submodule "{name}" already exists in {self._kind} network. '
                "Cannot append a module with the same name."
            )
        if name.startswith("_") or hasattr(type(self), name) or name in self.__dict__:
            raise ValueError(
                f"{self._path}: the sub-module name '{name}' clashes with an attribute of "
                f"{self.class_name}; choose another name (names may not start with '_')."
            )
        if module._backend is not self._backend:
            raise ValueError(
                f"{self._path}: cannot add a {module._backend.label} module {name} "
                f"({module.class_name}) to a {self._backend.label} {self._kind}. Use one "
                "backend for every sub-module."
            )
        if self._submodule_names:
            self._check_link(len(self) - 1, self[-1], len(self), module)

    def _check_link(self, index: int, previous: Module, next_index: int, module: Module) -> None:
        """Consecutive sub-modules must agree on size (sizes of ``None`` match anything)."""
        size_out, size_in = previous.size_out, module.size_in
        if size_out is not None and size_in is not None and size_out != size_in:
            raise ValueError(
                f"{self._path}: The output of submodule {index} ({previous.class_name}) does "
                f"not match the input shape of submodule {next_index} ({module.class_name}): "
                f"{size_out} ≠ {size_in}. Each sub-module's `size_out` must equal the next "
                "one's `size_in`."
            )

    def _check_shape(self, shape: tuple[Any, ...]) -> None:
        """Hook: constraints on the whole combinator's shape (Residual's ``size_in == size_out``)."""

    def _shape_with(self, module: Module) -> tuple[Any, ...]:
        first = self[0] if self._submodule_names else module
        return (first.size_in, module.size_out)

    def _insert(self, name: str, module: Module) -> None:
        """Register a checked sub-module and update the shape (no check may follow this)."""
        setattr(self, name, module)
        self._refresh_shape()

    def _refresh_shape(self) -> None:
        if not self._submodule_names:
            shape: tuple[Any, ...] = (0, 0)
            spiking = (False, False)
        else:
            first, last = self[0], self[-1]
            shape = (first.size_in, last.size_out)
            spiking = (first.spiking_input, last.spiking_output)
        # Set directly: sizes may be ``None`` for shape-agnostic sub-modules.
        _store(self, "_shape", shape)
        _store(self, "_spiking_input", spiking[0])
        _store(self, "_spiking_output", spiking[1])

    # ------------------------------------------------------------------ container protocol
    def __len__(self) -> int:
        return len(self._submodule_names)

    def __bool__(self) -> bool:
        # A module, not a container: ``if net:`` must not depend on how many children it has.
        return True

    def __iter__(self) -> Iterator[Module]:
        return (getattr(self, name) for name in self._submodule_names)

    def __getitem__(self, key: int | str) -> Any:
        """The sub-module at position ``key`` (negative counts from the end) or named ``key``."""
        names = self._submodule_names
        if isinstance(key, str):
            if key not in names:
                raise UnknownAttributeError(
                    f"{self._path}: no sub-module named '{key}'{did_you_mean(key, names)}. "
                    f"Sub-modules: {describe(list(self.modules().items())) or 'none'}."
                )
            return getattr(self, key)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if not -len(names) <= key < len(names):
                raise IndexError(
                    f"{self._path}: sub-module index {key} is out of range; it has "
                    f"{len(names)} sub-module{'s' if len(names) != 1 else ''}."
                )
            return getattr(self, names[key])
        raise TypeError(
            f"{self._path}: sub-modules are indexed by position (int) or name (str), "
            f"got {type(key).__name__}"
        )


class ModSequential(SequentialBase):
    __doc__ = SequentialBase.__doc__

    def _chain(self, data: Any, record: bool) -> tuple[Any, dict, dict]:
        """Without records, each ``Linear → LIF``/``Rate`` pair runs as one pass.

        See :mod:`shoal.nn.combinators._projection`; everything else is the generic chain.
        """
        if record:
            return super()._chain(data, record)
        return self._chain_fusing(data, evolve_projected)


register_nir_graph(
    SequentialBase,
    partial(chain_graph, kind="Sequential", weights=False),  # see shoal.nn.modules.nir
)
register_flavour("Sequential", "numpy", ModSequential)


def Sequential(*modules: Any, **kwargs: Any) -> SequentialBase:
    """Build a :class:`ModSequential` or ``JaxSequential`` from sub-modules.

    The flavour is chosen by looking at every sub-module, however they are passed: all JAX
    modules give ``JaxSequential``, none give :class:`ModSequential` (also when empty).

    Args:
        *modules: Sub-modules in order, or one dict (e.g. ``OrderedDict``) of name → module.

    Returns:
        The combinator; see :class:`SequentialBase`.

    Raises:
        ValueError: If NumPy and JAX sub-modules are mixed.

    Example:
        >>> from shoal.nn.modules import Rate
        >>> net = Sequential(Rate(3), Rate(3))
        >>> net
        ModSequential with shape (3, 3) {
            Rate '0_Rate' with shape (3,)
            Rate '1_Rate' with shape (3,)
        }
        >>> out, state, record = net([[1.0, 1.0, 1.0]])
        >>> out.shape, list(state), record
        ((1, 1, 3), ['0_Rate', '1_Rate'], {})
    """
    return pick_flavour("Sequential", modules)(*modules, **kwargs)  # type: ignore[no-any-return]


#: Rockpool's name for the backend-neutral implementation (``isinstance`` works for
#: every flavour).
SequentialMixin = SequentialBase


def __getattr__(name: str) -> Any:
    if name in ("JaxSequential", "TorchSequential"):  # Rockpool's names, from the flavour registry
        return flavour_named(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
