"""Dropout layers on activity, the one definition behind ``TimeStepDropout`` / ``UnitDropout``.

Masks are drawn with the backend's noise source: NumPy's global generator (seed it with
``np.random.seed``, as for every NumPy model's noise), the module's ``rng_key`` on JAX, split
on every call. NumPy and JAX draw "uniform ``< p``" as a standard normal ``< Φ⁻¹(p)`` (the same
probability), so those backends need no second kind of random number. Torch draws
``torch.rand < p`` from torch's global generator, as Rockpool does, so that
``torch.manual_seed`` gives Rockpool's masks.
"""

from __future__ import annotations

import numbers
from statistics import NormalDist
from typing import Any, ClassVar

from shoal.nn.modules.module import Module
from shoal.parameters import SimulationParameter, State

__all__ = ["DropoutBase", "TimeStepDropoutBase", "UnitDropoutBase"]


class DropoutBase(Module):
    """What both dropouts share: shape and ``p`` checks, the ``training`` flag, the mask draw.

    Args:
        shape: ``N``, ``(N,)`` or ``(N, N)`` (input and output sizes must agree).
        p: Drop probability (checked by each flavour).
        training: Whether to drop (``True``, default) or pass the input through unchanged.
        rng_key: JAX only: PRNG key for the masks (random when ``None``).
    """

    _spike_records: ClassVar[frozenset[str]] = frozenset()
    #: Whether ``p = 1`` is allowed (no rescaling) or refused (``1/(1 − p)`` rescaling).
    _allows_p_one: ClassVar[bool] = True

    p: Any  # simulation parameters, registered in __init__; declared for type checkers
    training: Any

    def __init__(self, shape: Any, p: float = 0.5, training: bool = True, rng_key: Any = None):
        owner = type(self).__name__
        super().__init__(shape=shape, spiking_input=False, spiking_output=False)
        if self.size_in != self.size_out:
            raise ValueError(f"{owner}: `size_in` must be equal to `size_out` for Dropout.")
        if not isinstance(p, numbers.Real) or isinstance(p, bool):
            raise TypeError(f"{owner}.p: expected a probability (a real number), got {p!r}")
        highest_ok = p <= 1.0 if self._allows_p_one else p < 1.0
        if not (p >= 0.0 and highest_ok):  # NaN fails too
            limit = "[0, 1]" if self._allows_p_one else "[0, 1)"
            raise ValueError(
                f"{owner}.p: dropout probability must be between zero and one, in {limit}; "
                f"got {p!r}"
            )
        self.p = SimulationParameter(float(p))
        self.training = SimulationParameter(bool(training))
        key = self._backend.initial_key(owner, rng_key)
        if key is not None:
            self.rng_key = State(key)

    def train(self, mode: bool = True) -> DropoutBase:
        """Switch dropout on (``mode=True``) or off; returns the module (as PyTorch's)."""
        self.training = bool(mode)
        return self

    def eval(self) -> DropoutBase:
        """Switch dropout off: the module passes its input through unchanged."""
        return self.train(False)

    def _mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        raise NotImplementedError

    def _draw_dropped(self, key: Any, shape: tuple[int, ...], data: Any) -> Any:
        """A boolean mask of ``shape``, each element ``True`` (dropped) with probability ``p``."""
        draws = self._backend.normal(key, shape, data.dtype)
        return draws < NormalDist().inv_cdf(self.p)  # P(ξ < Φ⁻¹(p)) = p

    def _keep_scale(self) -> float:
        raise NotImplementedError

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Drop elements of ``(T, N)`` or ``(B, T, N)`` input; output ``(B, T, N)``."""
        data, _ = self._auto_batch(input_data)
        key = self.__dict__.get("rng_key")
        if not self.training or self.p == 0.0:
            return data, ({} if key is None else {"rng_key": key}), {}
        backend, xp = self._backend, self._backend.xp
        key, subkey = backend.split_key(key)
        if self.p >= 1.0:
            output = data * 0.0
        else:
            dropped = self._draw_dropped(subkey, self._mask_shape(tuple(data.shape)), data)
            output = xp.where(dropped, data * 0.0, data * self._keep_scale())
        return output, ({} if key is None else {"rng_key": key}), {}


class TimeStepDropoutBase(DropoutBase):
    """Element-wise dropout, Rockpool's ``TimeStepDropout``: despite the name, each element of
    ``(B, T, N)`` is dropped independently with probability ``p``, and survivors are **not**
    rescaled. ``0 ≤ p ≤ 1``. See :class:`DropoutBase` for the arguments.
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "TimeStepDropout",
        "jax": "TimeStepDropoutJax",
        "torch": "TimeStepDropoutTorch",
    }

    def _mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape

    def _keep_scale(self) -> float:
        return 1.0


class UnitDropoutBase(DropoutBase):
    """Unit dropout, Rockpool's ``UnitDropout``: one draw per ``(batch, unit)``, held for every
    time step; survivors are scaled by ``1/(1 − p)``. ``0 ≤ p < 1``. See :class:`DropoutBase`.
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "UnitDropout",
        "jax": "UnitDropoutJax",
        "torch": "UnitDropoutTorch",
    }
    _allows_p_one = False

    def _mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (shape[0], 1, shape[-1])

    def _keep_scale(self) -> float:
        return 1.0 / (1.0 - self.p)
