"""The JAX flavours of the combinators: the generic classes mixed with ``JaxModule``.

Imported on first use (it imports JAX). Each flavour is a pytree like any ``JaxModule``: the
sub-modules and weights are children, their names (``_submodule_names``) are static metadata,
so names survive ``jit``, ``grad`` and flatten/unflatten. ``append`` mutates in place, like
assigning an attribute (``m.tau = v``) on any JAX module.
"""

from __future__ import annotations

from typing import Any

from shoal.backend.jax_backend import JAX
from shoal.nn.combinators._common import register_flavour
from shoal.nn.combinators._jax_projection import evolve_projected
from shoal.nn.combinators.ffwd_stack import FFwdStackBase
from shoal.nn.combinators.residual import ResidualBase
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules.jax._engine_route import engine_tree
from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.jax.linear_jax import LinearJax

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

    def _cpu_engine_tree(self) -> bool:
        """Whether a concrete CPU call may leave ``jit`` for the NumPy engine: every child a
        ``LinearJax`` or on the engine (see ``nn/modules/jax/_engine_route.py``), one at least.

        A subclass with its own ``evolve`` or ``_chain`` keeps the compiled path.
        """
        if type(self).evolve is not SequentialBase.evolve or type(self)._chain is not (
            JaxSequential._chain
        ):
            return False
        children = [getattr(self, name) for name in self._submodule_names]
        on_engine = [engine_tree(child) for child in children]
        linear = [type(child) is LinearJax for child in children]
        return any(on_engine) and all(a or b for a, b in zip(on_engine, linear, strict=True))

    def _chain(self, data: Any, record: bool) -> tuple[Any, dict, dict]:
        """Forward-only calls run each ``LinearJax → neuron`` pair as one loop.

        See :mod:`shoal.nn.combinators._jax_projection`; everything else is the generic chain.
        """
        if record or not JAX.is_forward_only():
            return super()._chain(data, record)
        return self._chain_fusing(data, evolve_projected)


class JaxResidual(ResidualBase, _CompiledWhenChildrenAre):
    __doc__ = ResidualBase.__doc__


class JaxFFwdStack(FFwdStackBase, _CompiledWhenChildrenAre):
    __doc__ = FFwdStackBase.__doc__


register_flavour("Sequential", "jax", JaxSequential)
register_flavour("Residual", "jax", JaxResidual)
register_flavour("FFwdStack", "jax", JaxFFwdStack)
