"""The seed document (Rockpool's "Low-level Module API" page), run on shoal.

Every cell of the page, with ``rockpool`` replaced by ``shoal`` in the imports and the page's two
slips fixed (``new_state.update({"neurons": x})``, and cell [6]'s ``evolve`` defined as the
class's method). ``tests/test_seed_example.py`` runs this file and checks what it prints.
"""

# [1]
# - Switch off warnings
import warnings

warnings.filterwarnings("ignore")

# - Useful imports
try:
    from rich import print
except ImportError:
    pass

# - Example of constructing a module
import numpy as np

from shoal.nn.modules import Rate

# - Construct a Module with 4 neurons
mod = Rate(4)
print(mod)

# [2]
# - Construct a Module with concrete parameters
mod = Rate(4, tau=np.ones(4))
print(mod)

# [3]
# - Generate and evolve over some input
T = 5
input = np.random.rand(T, mod.size_in)
output, _, _ = mod(input)
print(f"Output shape: {output.shape}")

# [4]
# - Request the recorded state
output, _, recorded_state = mod(input, record=True)
print("Parameters:", recorded_state)

# [5]
# - Build a simple network
from shoal.nn.modules import Module, RateJax
from shoal.parameters import Parameter


class ffwd_net(Module):
    # - Provide an `__init__` method to specify required parameters and modules
    #   Here you check, define and initialise whatever parameters and
    #   state you need for your module.
    def __init__(
        self,
        shape,
        *args,
        **kwargs,
    ):
        # - Call superclass initialisation
        #   This is always required for a `Module` class
        super().__init__(shape=shape, *args, **kwargs)

        # - Specify weights attribute
        #   We need a weights matrix for our input weights.
        #   We specify the shape explicitly, and provide an initialisation function.
        #   We also specify a family for the parameter, "weights". This is used to
        #   query parameters conveniently, and is a good idea to provide.
        self.w_ffwd = Parameter(
            shape=self.shape,
            init_func=lambda s: np.zeros(s),
            family="weights",
        )

        # - Specify and a add submodule
        #   These will be the neurons in our layer, to receive the weighted
        #   input signals. This sub-module will be automatically configured
        #   internally, to specify the required state and parameters
        self.neurons = RateJax(self.shape[-1])

    # - The `evolve` method contains the internal logic of your module
    #   `evolve` takes care of passing data in and out of the module,
    #   and between sub-modules if present.
    def evolve(self, input_data, *args, **kwargs):
        # - Pass input data through the input weights
        x = input_data @ self.w_ffwd

        # - Pass the signals through the neurons
        x, _, _ = self.neurons(x)

        # - Return the module output
        return x, {}, {}


# [6] (the page's replacement `evolve`, defined as the class's method)
class ffwd_net(ffwd_net):
    def evolve(self, input_data, record: bool = False, *args, **kwargs):
        # - Initialise state and record dictionaries
        new_state = {}
        recorded_state = {}

        # - Pass input data through the input weights
        x = input_data @ self.w_ffwd

        # - Add an internal signal record to the record dictionary
        if record:
            recorded_state["weighted_input"] = x

        # - Pass the signals through the neurons, passing through the `record` argument
        x, submod_state, submod_record = self.neurons(x, record=record)

        # - Record the submodule state
        new_state.update({"neurons": submod_state})

        # - Include the recorded state
        recorded_state.update({"neurons": submod_record})

        # - Return the module output
        return x, new_state, recorded_state


# [7]
# - Build a module for our network
my_mod = ffwd_net((4, 6))
print(my_mod)

# [8]
# - Show module parameters
print("Parameters:", my_mod.parameters())

# [9]
# - Show module state
print("State:", my_mod.state())

# [10]
# - Return parameters from particular families
print("Module time constants:", my_mod.parameters("taus"))
print("Module weights:", my_mod.parameters("weights"))

# [11]
# - Access parameters directly
print(".w_ffwd:", my_mod.w_ffwd)
print(".neurons.tau:", my_mod.neurons.tau)

# - Evolve the network, with and without recording (the contract of cell [6])
output, new_state, record = my_mod(np.random.rand(3, 4), record=True)
print("Network output shape:", output.shape)
print("New state:", new_state)
print(
    "Record keys:", {k: (sorted(v) if isinstance(v, dict) else v.shape) for k, v in record.items()}
)
my_mod = my_mod.set_attributes(new_state)
print("Simulation parameters:", my_mod.simulation_parameters())
