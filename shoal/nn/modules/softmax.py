"""Smoothed softmax readouts, the one definition behind ``Softmax``/``SoftmaxJax``/``SoftmaxTorch``
and the log-softmax trio.

Each is a linear layer, an exponential synapse per output and a normalisation over the
outputs. Rockpool's ``SoftmaxJax`` normalises over the whole ``(B, T, N)`` array, which couples
batch elements and time steps; shoal normalises each ``(b, t)`` over ``N`` (decisions.md, second
round). Per step the two differ by a positive factor (softmax) or a constant (log-softmax).
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import numpy as np

from shoal.nn.modules.module import Module

__all__ = ["LogSoftmaxBase", "SoftmaxBase", "log_softmax", "softmax"]


def softmax(xp: Any, x: Any) -> Any:
    """``exp(x) / Σ exp(x)`` over the last axis (shifted by the max: no overflow)."""
    shifted = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    return shifted / xp.sum(shifted, axis=-1, keepdims=True)


def log_softmax(xp: Any, x: Any) -> Any:
    """``x − log Σ exp(x)`` over the last axis (shifted by the max: no overflow)."""
    shifted = x - xp.max(x, axis=-1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))


def _flavour_of(base_name: str, backend_name: str) -> Any:
    """The ``backend_name`` flavour of a built-in model (``"Linear"`` → ``LinearJax``)."""
    modules = importlib.import_module("shoal.nn.modules")
    return getattr(modules, getattr(modules, base_name)._flavours[backend_name])


class SoftmaxBase(Module):
    r"""A linear readout, smoothed per output, normalised to probabilities at each step.

    .. math::

        h_t = u_t W + b, \qquad I_t = (I_{t-1} + h_t)\,e^{-dt/\tau}, \qquad
        y_{t,i} = \frac{e^{I_{t,i}}}{\sum_j e^{I_{t,j}}}

    Normalised over the outputs of each batch element and step (Rockpool normalises the whole
    array at once; see the module docstring).

    Args:
        shape: ``(Nin, N)``; if ``None``, taken from ``weight.shape``.
        weight: Weights ``(Nin, N)`` (default: ``Linear``'s initialiser).
        bias: Biases ``(N,)`` (default: ``Linear``'s initialiser).
        has_bias: Whether the linear layer has a bias (default ``True``, unlike ``Linear``).
        tau: Smoothing time constant(s) in seconds, ``(N,)`` or scalar; default 0.1.
        dt: Time step in seconds (default 1 ms).

    Submodules ``linear`` (``Linear``) and ``smooth`` (``ExpSyn``) of the same backend.
    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, N)``. State
    ``{"linear": {}, "smooth": {"isyn"}}``; records (``record=True``) the same tree.
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "Softmax",
        "jax": "SoftmaxJax",
        "torch": "SoftmaxTorch",
    }
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _evolve_is_traceable = True  # every step traces: JAX eager calls run compiled

    def __init__(
        self,
        shape: Any = None,
        weight: Any = None,
        bias: Any = None,
        has_bias: bool = True,
        tau: Any = 0.1,
        dt: float = 1e-3,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            if weight is None:
                raise ValueError(
                    f"{owner}: One of `shape` or `weight` parameters must be provided."
                )
            shape = np.shape(weight)
        super().__init__(shape=shape, spiking_input=False, spiking_output=False)
        if len(self.shape) != 2:
            raise ValueError(f"{owner}: `shape` must be (Nin, N); got {self.shape}.")
        linear = self._build("linear", "Linear", self.shape, weight, bias, has_bias)
        smooth = self._build("smooth", "ExpSyn", (self.size_out,), tau=tau, dt=dt)
        self.linear = linear
        self.smooth = smooth

    def _build(self, name: str, model: str, *args: Any, **kwargs: Any) -> Any:
        """The backend's flavour of ``model``; its errors name it as ``<path>.<name>``."""
        cls = _flavour_of(model, self._backend.name)
        try:
            return cls(*args, **kwargs)
        except (ValueError, TypeError) as error:
            message = str(error)
            if not message.startswith(cls.__name__):
                raise
            raise type(error)(f"{self._path}.{name}{message[len(cls.__name__) :]}") from None

    def _normalise(self, xp: Any, x: Any) -> Any:
        return softmax(xp, x)

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve over ``(T, Nin)`` or ``(B, T, Nin)``; see the class docstring."""
        hidden, linear_state, linear_record = self.linear(input_data, record=record)
        smoothed, smooth_state, smooth_record = self.smooth(hidden, record=record)
        outputs = self._normalise(self._backend.xp, smoothed)
        new_state = {"linear": linear_state, "smooth": smooth_state}
        records = {"linear": linear_record, "smooth": smooth_record} if record else {}
        return outputs, new_state, records


class LogSoftmaxBase(SoftmaxBase):
    r"""As :class:`SoftmaxBase`, with log-probabilities:
    :math:`y_{t,i} = I_{t,i} - \log \sum_j e^{I_{t,j}}` (per batch element and step).
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "LogSoftmax",
        "jax": "LogSoftmaxJax",
        "torch": "LogSoftmaxTorch",
    }

    def _normalise(self, xp: Any, x: Any) -> Any:
        return log_softmax(xp, x)
