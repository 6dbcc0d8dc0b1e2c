"""The JAX flavours of the parameter transformers (imported when a JAX module is wrapped)."""

from __future__ import annotations

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.transform.dropout import DropoutBase
from shoal.transform.quantize import StochasticQuantizeBase

__all__ = ["JaxDropout", "JaxStochasticQuantize"]


class JaxStochasticQuantize(StochasticQuantizeBase, JaxModule):
    __doc__ = StochasticQuantizeBase.__doc__


class JaxDropout(DropoutBase, JaxModule):
    __doc__ = DropoutBase.__doc__
