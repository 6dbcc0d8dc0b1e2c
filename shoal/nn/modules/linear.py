"""Linear weight layers, the one definition behind ``Linear`` and ``LinearJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.backend.simulate import linear_projection
from shoal.nn.modules._constraints import FINITE
from shoal.nn.modules.initialisers import kaiming
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._importing import ImportContext, LinearSpec, NodeImport, vector
from shoal.nn.modules.nir._registry import (
    as_matrix,
    as_vector,
    register_nir_export,
    register_nir_import,
)
from shoal.parameters import Parameter

__all__ = ["LinearBase", "uniform_sqrt"]


def uniform_sqrt(shape: Any) -> np.ndarray:
    """Bias initialiser ``U(−1/√n, +1/√n)`` with ``n = shape[0]``."""
    bound = 1.0 / np.sqrt(shape[0])
    return np.random.uniform(-bound, bound, size=shape)


class LinearBase(Module):
    """A dense weight matrix with optional bias: ``y = x @ weight + bias``.

    No batch axis is added (as in Rockpool): ``(T, Nin)`` gives ``(T, Nout)`` and
    ``(B, T, Nin)`` gives ``(B, T, Nout)``. The channel count is checked with the standard
    message. Stateless: ``new_state`` and the record are ``{}``.

    Args:
        shape: ``(Nin, Nout)``.
        weight: Weights ``(Nin, Nout)``; default from ``weight_init_func``. Family ``"weights"``.
        bias: Bias ``(Nout,)``; registered only if given or ``has_bias``. Family ``"biases"``.
        has_bias: Whether to add a trainable bias.
        weight_init_func: Weight initialiser (default :func:`kaiming`).
        bias_init_func: Bias initialiser (default :func:`uniform_sqrt`).
        spiking_input: Whether input is spikes (default ``False``).
        spiking_output: Whether output is spikes (default ``False``).
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "Linear",
        "jax": "LinearJax",
        "torch": "LinearTorch",
    }
    # evolve traces: JAX flavours run eager calls through one compiled program.
    _evolve_is_traceable = True

    weight: Any  # registered through _declare (named errors); declared for type checkers

    def __init__(
        self,
        shape: Any,
        weight: Any = None,
        bias: Any = None,
        has_bias: bool = False,
        weight_init_func: Callable[[Any], Any] = kaiming,
        bias_init_func: Callable[[Any], Any] = uniform_sqrt,
        spiking_input: bool = False,
        spiking_output: bool = False,
    ) -> None:
        owner = type(self).__name__
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise ValueError(
                f"{owner}: `shape` must specify input and output sizes for Linear: "
                f"(Nin, Nout); got {shape!r}."
            )
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        self._declare(
            "weight",
            Parameter,
            weight,
            "weights",
            init_func=weight_init_func,
            shape=self.shape,
            constraint=FINITE,
        )
        self._has_bias = bool(has_bias or bias is not None)
        if self._has_bias:
            self._declare(
                "bias",
                Parameter,
                bias,
                "biases",
                init_func=bias_init_func,
                shape=[(self.size_out,), ()],
                constraint=FINITE,
            )
        else:
            self.bias = 0.0

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        data = self._checked_input(input_data)
        bias = self.bias if self._has_bias else None
        return linear_projection(data, self.weight, bias), {}, {}

    def _checked_input(self, input_data: Any) -> Any:
        """``input_data`` as this module's input array, after every check ``evolve`` makes.

        Also used where a ``Sequential`` runs the product inside the next module's loop
        (:mod:`shoal.nn.combinators._projection`): the same errors, no product.
        """
        data = self._as_input_array(input_data)
        if data.ndim not in (1, 2, 3) or data.shape[-1] != self.size_in:
            if data.ndim in (1, 2, 3):
                raise ValueError(
                    f"{self._path}: Input has wrong neuron dimension. "
                    f"It is {data.shape[-1]}, must be {self.size_in}"
                )
            raise ValueError(
                f"{self._path}: expected input of shape (T, {self.size_in}) or "
                f"(B, T, {self.size_in}), got shape {tuple(data.shape)} ({data.ndim}-d)"
            )
        if data.ndim > 1 and data.shape[-2] == 0:
            raise ValueError(f"{self._path}: input has no time steps (T = 0)")
        return data


def _linear_to_nir(nir: Any, name: str, module: LinearBase, dt: float | None) -> tuple[dict, list]:
    """``nir.Linear`` (``weight.T``), or ``nir.Affine`` with a bias."""
    weight = as_matrix(module.weight).T
    if module._has_bias:
        return {name: nir.Affine(weight=weight, bias=as_vector(module.bias, module.size_out))}, []
    return {name: nir.Linear(weight=weight)}, []


register_nir_export(LinearBase, _linear_to_nir, shares_dt=False)


def _linear_from_nir(node: Any, context: ImportContext) -> NodeImport:
    """``nir.Linear``/``nir.Affine`` → ``Linear`` with ``weight.T`` (and the ``Affine`` bias)."""
    kind = type(node).__name__
    weight = np.asarray(node.weight, dtype=np.float64)
    if weight.ndim != 2:
        raise NIRConversionError(
            f"{context.path}: nir.{kind} weight has shape {weight.shape}; shoal's "
            "Linear needs a 2-D (out, in) matrix."
        )
    bias = None
    if isinstance(node, context.nir.Affine):
        bias = vector(node, "bias", weight.shape[0], context.path)
    source = f"{context.path} (nir.{kind})"
    return NodeImport([LinearSpec(context.name, weight=weight.T.copy(), bias=bias, source=source)])


def _scale_from_nir(node: Any, context: ImportContext) -> NodeImport:
    """``nir.Scale`` (``y = s·x``): a gain on what follows, folded into the ``Linear`` before
    it, else a diagonal ``Linear`` named like the node."""
    scale = np.asarray(node.scale, dtype=np.float64)
    if scale.ndim != 1:
        raise NIRConversionError(
            f"{context.path} (nir.Scale): `scale` has shape {scale.shape}; expected (N,), one "
            "factor per channel."
        )
    return NodeImport([], gain=scale.copy(), gain_name=context.name)


register_nir_import("Linear", _linear_from_nir)
register_nir_import("Affine", _linear_from_nir)
register_nir_import("Scale", _scale_from_nir)
