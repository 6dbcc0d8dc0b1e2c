"""The Torch flavours of the catalogue: ``TorchModule`` and ``LIFTorch``, ``aLIFTorch``...

Importing this package imports PyTorch (install it with ``pip install 'shoal[torch]'``).
Each model is the same backend-neutral definition as its NumPy and JAX flavours, mixed with
:class:`~shoal.nn.modules.torch.torch_module.TorchModule`.
"""

from shoal.nn.modules.torch.alif_torch import aLIFTorch
from shoal.nn.modules.torch.exp_syn_torch import ExpSynTorch
from shoal.nn.modules.torch.instant_torch import InstantTorch
from shoal.nn.modules.torch.lif_bitshift_torch import LIFBitshiftTorch
from shoal.nn.modules.torch.lif_neuron_torch import LIFNeuronTorch
from shoal.nn.modules.torch.lif_torch import LIFTorch, PeriodicExponential, StepPWL
from shoal.nn.modules.torch.linear_torch import LinearTorch
from shoal.nn.modules.torch.rate_torch import RateTorch
from shoal.nn.modules.torch.torch_module import TorchModule, TorchModuleParameters

__all__ = [
    "ExpSynTorch",
    "InstantTorch",
    "LIFBitshiftTorch",
    "LIFNeuronTorch",
    "LIFTorch",
    "LinearTorch",
    "PeriodicExponential",
    "RateTorch",
    "StepPWL",
    "TorchModule",
    "TorchModuleParameters",
    "aLIFTorch",
]
