"""``ExpSynTorch``: exponential synapses on Torch. Equations and arguments: :class:`ExpSynBase`."""

from typing import Any

from shoal.nn.modules.exp_syn import ExpSynBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["ExpSynTorch"]


class ExpSynTorch(ExpSynBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Exponential synapses on Torch (see :class:`~shoal.nn.modules.exp_syn.ExpSynBase`).

    As Rockpool's ``ExpSynTorch``, the record is always ``{}`` (the output is ``isyn``).
    """

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        output, new_state, _ = super().evolve(input_data, record=False)
        return output, new_state, {}
