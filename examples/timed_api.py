"""The time-series API: evolve a network over `TSEvent` input with `.timed()` and plot it.

Usage: ``python examples/timed_api.py [FIGURE_PATH]`` (default ``demo-output/timed_output.png``).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write the figure to a file; no display needed
import matplotlib.pyplot as plt
import numpy as np

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear
from shoal.timeseries import TSEvent

figure_path = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/timed_output.png")

# Input: 200 random events on 4 channels over 0.2 s.
rng = np.random.default_rng(0)
times = np.sort(rng.uniform(0.0, 0.2, 200))
ts_input = TSEvent(times, rng.integers(0, 4, 200), t_start=0.0, t_stop=0.2, name="Input")

# A network of 4 inputs → 3 LIF neurons, wrapped to evolve over time series (dt = 1 ms).
net = Sequential(Linear((4, 3), weight=rng.uniform(0.0, 0.02, (4, 3)), spiking_input=True), LIF(3))
tmod = net.timed(dt=1e-3, add_events=True)  # count every event (not 0/1 per step)
print(tmod)

# Evolve in two chunks: the wrapper keeps its clock and the network's state between calls.
first, _, record = tmod(ts_input, duration=0.1, record=True)
second, _, _ = tmod(ts_input)  # from t = 0.1 s up to the input's end
print(f"t = {tmod.t:.3f} s; output events: {len(first)} + {len(second)}")
print(first)

fig, axes = plt.subplots(3, 1, sharex=True, figsize=(7, 6))
ts_input.plot(target=axes[0], color="k")
axes[0].set_ylabel("input channel")
record["1_LIF"]["vmem"].plot(target=axes[1])
axes[1].set_ylabel("vmem (first 0.1 s)")
first.plot(target=axes[2], color="tab:red")
second.plot(target=axes[2], color="tab:blue")
axes[2].set_ylabel("output neuron")
axes[2].set_xlim(0.0, tmod.t)
fig.tight_layout()
figure_path.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(figure_path, dpi=100)
print(f"saved {figure_path}")
