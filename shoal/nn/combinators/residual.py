"""``Residual``: a :func:`~shoal.nn.combinators.sequential.Sequential` chain plus a skip connection.

One implementation, :class:`ResidualBase`, with thin flavours :class:`ModResidual` (NumPy) and
``JaxResidual`` (JAX pytree, imported only when used); :func:`Residual` picks the flavour.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from shoal.nn.combinators._common import flavour_named, pick_flavour, register_flavour
from shoal.nn.combinators._nir import chain_graph
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules.nir._registry import register_nir_graph

if TYPE_CHECKING:  # the JAX flavour is imported on first access (see __getattr__)
    from shoal.nn.combinators._jax import JaxResidual

__all__ = ["JaxResidual", "ModResidual", "Residual", "ResidualBase"]


class ResidualBase(SequentialBase):
    """A chain of sub-modules whose output is added to its input: ``y = f(x) + x``.

    Everything else (naming, indexing, ``append``, records, state) is as for
    :class:`~shoal.nn.combinators.sequential.SequentialBase`. The input is broadcast against the
    chain's output, so a ``(T, N)`` input with a ``(1, T, N)`` output gives ``(1, T, N)``.
    Records hold the sub-modules' own outputs, before the skip connection is added.

    Args:
        *modules: The sub-modules in order, or one dict name → module. The chain must map
            ``N`` channels to ``N`` channels (``size_in == size_out``).

    Raises:
        ValueError: If ``size_in != size_out`` (also for an ``append`` that would break it),
            plus every error of ``Sequential``.
    """

    _kind: ClassVar[str] = "Residual"

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve the chain and add the input: ``(output + input, new_state, record)``."""
        output, new_state, record_dict = self._chain(input_data, record)
        return output + self._as_input_array(input_data), new_state, record_dict

    def _check_shape(self, shape: tuple[Any, ...]) -> None:
        size_in, size_out = shape[0], shape[-1]
        if size_in is not None and size_out is not None and size_in != size_out:
            raise ValueError(
                f"{self._path}: `size_in` and `size_out` must be identical for a residual "
                f"block. Got {size_in} → {size_out}; end the chain with {size_in} channels."
            )


class ModResidual(ResidualBase):
    __doc__ = ResidualBase.__doc__


register_nir_graph(
    ResidualBase,
    partial(chain_graph, kind="Residual", weights=False),  # see shoal.nn.modules.nir
)
register_flavour("Residual", "numpy", ModResidual)


def Residual(*modules: Any, **kwargs: Any) -> ResidualBase:
    """Build a :class:`ModResidual` or ``JaxResidual``: all JAX sub-modules give the JAX one.

    Args:
        *modules: Sub-modules in order, or one dict (e.g. ``OrderedDict``) of name → module.

    Raises:
        ValueError: If NumPy and JAX sub-modules are mixed, or ``size_in != size_out``.

    Example:
        >>> from shoal.nn.modules import Rate
        >>> out, _, _ = Residual(Rate(3))([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
        >>> out.round(4).tolist()
        [[[1.05, 1.05, 1.05], [1.0975, 1.0975, 1.0975]]]
    """
    return pick_flavour("Residual", modules)(*modules, **kwargs)  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    if name in ("JaxResidual", "TorchResidual"):  # Rockpool's names, from the flavour registry
        return flavour_named(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
