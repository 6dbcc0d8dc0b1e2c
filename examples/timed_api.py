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
first, _, record_first = tmod(ts_input, duration=0.1, record=True)
second, _, record_second = tmod(ts_input, record=True)  # from t = 0.1 s up to the input's end
print(f"t = {tmod.t:.3f} s; output events: {len(first)} + {len(second)}")
print(first)

# One colour per output neuron in the membrane and output panels; a dashed line where the
# second call takes over (state carried across it).
colours = ["tab:blue", "tab:orange", "tab:green"]
fig, axes = plt.subplots(3, 1, sharex=True, figsize=(9, 7.5))
fig.suptitle("A LIF network evolved over events with .timed(), in two calls (0–0.1 s, 0.1–0.2 s)")
ts_input.plot(target=axes[0], color="k")
axes[0].set(title="Input events (4 channels)", ylabel="input channel", yticks=range(4))
axes[0].set_xlabel("")  # the shared time axis is labelled once, at the bottom
for record in (record_first, record_second):
    vmem = record["1_LIF"]["vmem"]
    for n, colour in enumerate(colours):
        axes[1].plot(vmem.times, vmem.samples[:, n], color=colour, lw=1.2)
axes[1].axhline(1.0, color="k", ls=":", lw=1.0)
axes[1].text(0.002, 1.02, "threshold θ = 1", va="bottom", fontsize="small")
axes[1].set(title="Membrane potentials", ylabel="vmem (units)", ylim=(-0.05, 1.5))
for out in (first, second):
    for n, colour in enumerate(colours):
        spike_times = out.times[out.channels == n]
        axes[2].scatter(spike_times, np.full(len(spike_times), n), marker="|", s=150, color=colour)
axes[2].set(title="Output spikes", ylabel="output neuron", yticks=range(3), ylim=(-0.5, 2.5))
axes[2].set_xlabel("time (s)")
axes[2].set_xlim(0.0, tmod.t)
for ax in axes:
    ax.axvline(0.1, color="grey", ls="--", lw=1.0)
handles = [plt.Line2D([], [], color=c, lw=2, label=f"neuron {n}") for n, c in enumerate(colours)]
handles.append(plt.Line2D([], [], color="grey", ls="--", label="second call starts"))
axes[1].legend(handles=handles, loc="upper center", fontsize="small", ncol=4)
fig.tight_layout()
figure_path.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(figure_path, dpi=100)
print(f"saved {figure_path}")
