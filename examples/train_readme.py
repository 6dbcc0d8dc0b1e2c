"""The README's training example, run exactly as written, then a figure of output vs target.

Run: ``python examples/train_readme.py [out_dir]`` (default ``demo-output``; part of
``make demo``). The code between the two marker lines is the README's "Training" example,
character for character (``tests/test_readme_training.py`` checks it); it runs inside
``out_dir``, where it writes ``trained.npz``. The figure, ``readme_training.png``, shows the
trained network's output against its target, and the loss per step.
"""

import os
import sys
from pathlib import Path

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output").resolve()
OUT.mkdir(parents=True, exist_ok=True)
os.chdir(OUT)  # the example writes trained.npz to the working directory

# --- README training example: start ---
import jax
import jax.numpy as jnp
import numpy as np
import optax

from shoal.nn.combinators import Sequential
from shoal.nn.modules import ExpSynJax, LIFJax, LinearJax
from shoal.training import clip_to_valid, jax_loss

np.random.seed(0)  # the weight initialisers draw from NumPy's global generator

# A spiking network: 2 input currents -> 32 LIF neurons -> a linear readout, smoothed by a
# 10 ms synapse.
net = Sequential(
    LinearJax((2, 32)),
    LIFJax(32, surrogate="fast_sigmoid", rng_key=jax.random.PRNGKey(0)),
    LinearJax((32, 1), has_bias=True, weight=np.zeros((32, 1))),  # start from a silent readout
    ExpSynJax(1, tau=0.01, spiking_input=False),
)

# Toy task: two input currents rise and fall with a sine (T = 200 steps of 1 ms); the network
# must output that sine.
target = np.sin(np.linspace(0, 4 * np.pi, 200))
x = jnp.asarray(np.stack([1 + target, 1 - target], axis=-1)[None], dtype=jnp.float32)
y = jnp.asarray(target[None, :, None], dtype=jnp.float32)  # (B=1, T=200, 1)


def loss(params, net, x, y):
    net = net.set_attributes(params)  # a new module: JAX modules never mutate
    out, _, _ = net(x)
    return jax_loss.mse(out, y)


optimiser = optax.adam(3e-3)
params = net.parameters()  # everything: weights, biases, time constants, thresholds
opt_state = optimiser.init(params)


@jax.jit
def step(params, opt_state, x, y):
    value, grads = jax.value_and_grad(loss)(params, net, x, y)
    updates, opt_state = optimiser.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)
    # Adam moves every leaf by ~3e-3 per step, seconds or not: keep each time constant at
    # least one dt and each LIF threshold positive (a no-op for values already in range).
    return clip_to_valid(net, params), opt_state, value


losses = []
for i in range(300):
    params, opt_state, value = step(params, opt_state, x, y)
    losses.append(float(value))
    if i % 100 == 0:
        print(f"step {i:3d}  loss {losses[-1]:.4f}")

net = net.set_attributes(params)
print(f"final loss {float(loss(params, net, x, y)):.4f} (0.5 for an output stuck at 0)")
net.save("trained.npz")  # parameters, state and dt: no pickle, atomic write

fresh = Sequential(
    LinearJax((2, 32)),
    LIFJax(32, surrogate="fast_sigmoid"),
    LinearJax((32, 1), has_bias=True),
    ExpSynJax(1, tau=0.01, spiking_input=False),
).load("trained.npz")  # JAX modules return the loaded copy
assert np.array_equal(fresh(x)[0], net(x)[0])
# --- README training example: end ---

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

time_ms = np.arange(len(target))  # dt = 1 ms
output = np.asarray(net(x)[0])[0, :, 0]
fig, (ax_out, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.8))
ax_out.plot(time_ms, target, color="0.6", lw=3, label="target")
ax_out.plot(time_ms, output, color="C0", label="trained network output")
ax_out.set(xlabel="time (ms)", ylabel="output (a.u.)", title="Output after 300 Adam steps")
ax_out.set_ylim(-1.6, 1.3)
ax_out.legend(loc="lower center", ncol=2)
ax_loss.semilogy(losses, color="C1", label="training loss (MSE)")
ax_loss.axhline(0.5, color="0.6", ls="--", label="output stuck at 0")
ax_loss.set(xlabel="training step", ylabel="MSE (a.u.²)", title="Loss")
ax_loss.legend()
fig.tight_layout()
fig.savefig(OUT / "readme_training.png", dpi=100)
plt.close(fig)
print(f"wrote {OUT / 'readme_training.png'}")
