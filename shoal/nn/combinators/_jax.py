"""The JAX flavours of the combinators: the generic classes mixed with ``JaxModule``.

Imported on first use (it imports JAX). Each flavour is a pytree like any ``JaxModule``: the
sub-modules and weights are children, their names (``_submodule_names``) are static metadata,
so names survive ``jit``, ``grad`` and flatten/unflatten. ``append`` mutates in place, like
assigning an attribute (``m.tau = v``) on any JAX module.
"""

from __future__ import annotations

from shoal.nn.combinators._common import register_flavour
from shoal.nn.combinators.ffwd_stack import FFwdStackBase
from shoal.nn.combinators.residual import ResidualBase
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["JaxFFwdStack", "JaxResidual", "JaxSequential"]


class _CompiledWhenChildrenAre(JaxModule):
    """Eager calls run compiled when every sub-module's ``evolve`` is traceable."""

    @property
    def _evolve_is_traceable(self) -> bool:  # type: ignore[override]
        return all(
            getattr(child, "_evolve_is_traceable", False) for child in self.modules().values()
        )


class JaxSequential(SequentialBase, _CompiledWhenChildrenAre):
    __doc__ = SequentialBase.__doc__


class JaxResidual(ResidualBase, _CompiledWhenChildrenAre):
    __doc__ = ResidualBase.__doc__


class JaxFFwdStack(FFwdStackBase, _CompiledWhenChildrenAre):
    __doc__ = FFwdStackBase.__doc__


register_flavour("Sequential", "jax", JaxSequential)
register_flavour("Residual", "jax", JaxResidual)
register_flavour("FFwdStack", "jax", JaxFFwdStack)
