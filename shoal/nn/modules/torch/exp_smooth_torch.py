"""``ExpSmoothTorch``: exponential smoothing on Torch. Equations: :class:`ExpSmoothBase`."""

from typing import Any

from shoal.nn.modules.exp_smooth import ExpSmoothBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["ExpSmoothTorch"]


class ExpSmoothTorch(ExpSmoothBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Exponential smoothing on Torch (see :class:`~shoal.nn.modules.exp_smooth.ExpSmoothBase`).

    Rockpool has no Torch flavour (it deprecates ``ExpSmoothJax`` for ``ExpSynJax``); this one
    follows the Torch family's rule, as ``LinearTorch``: input ``(T, N)`` gains a batch axis,
    so output and record are ``(1, T, N)``. ``activation_fun`` takes tensors (``torch.tanh``;
    NumPy ufuncs such as ``np.tanh`` are mapped to torch's function of the same name).
    """

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        data = self._as_input_array(input_data)
        if data.ndim == 2:
            data = data[None]
        return super().evolve(data, record)
