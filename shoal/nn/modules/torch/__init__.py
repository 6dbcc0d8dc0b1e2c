"""The Torch flavours of the catalogue: ``TorchModule`` and ``LIFTorch``, ``aLIFTorch``...

Importing this package imports PyTorch (install it with ``pip install 'shoal[torch]'``).
Each model is the same backend-neutral definition as its NumPy and JAX flavours, mixed with
:class:`~shoal.nn.modules.torch.torch_module.TorchModule`.
"""

from shoal.nn.modules.torch.alif_torch import aLIFTorch
from shoal.nn.modules.torch.boolean_state_torch import BooleanStateTorch
from shoal.nn.modules.torch.dropout_torch import TimeStepDropoutTorch, UnitDropoutTorch
from shoal.nn.modules.torch.exp_smooth_torch import ExpSmoothTorch
from shoal.nn.modules.torch.exp_syn_torch import ExpSynTorch
from shoal.nn.modules.torch.instant_torch import InstantTorch
from shoal.nn.modules.torch.lif_bitshift_torch import LIFBitshiftTorch
from shoal.nn.modules.torch.lif_neuron_torch import LIFNeuronTorch
from shoal.nn.modules.torch.lif_torch import LIFTorch, PeriodicExponential, StepPWL
from shoal.nn.modules.torch.linear_torch import LinearTorch
from shoal.nn.modules.torch.low_pass import LowPass
from shoal.nn.modules.torch.rate_torch import RateTorch
from shoal.nn.modules.torch.softmax_torch import LogSoftmaxTorch, SoftmaxTorch
from shoal.nn.modules.torch.torch_module import TorchModule, TorchModuleParameters
from shoal.nn.modules.torch.updown_torch import UpDownTorch

# Rockpool's names for these Torch classes (shoal.nn.modules gives them to the NumPy flavours).
BooleanState = BooleanStateTorch
TimeStepDropout = TimeStepDropoutTorch
UnitDropout = UnitDropoutTorch

__all__ = [
    "BooleanState",
    "BooleanStateTorch",
    "ExpSmoothTorch",
    "ExpSynTorch",
    "InstantTorch",
    "LIFBitshiftTorch",
    "LIFNeuronTorch",
    "LIFTorch",
    "LinearTorch",
    "LogSoftmaxTorch",
    "LowPass",
    "PeriodicExponential",
    "RateTorch",
    "SoftmaxTorch",
    "StepPWL",
    "TorchModule",
    "TimeStepDropout",
    "TimeStepDropoutTorch",
    "TorchModuleParameters",
    "UnitDropout",
    "UnitDropoutTorch",
    "UpDownTorch",
    "aLIFTorch",
]
