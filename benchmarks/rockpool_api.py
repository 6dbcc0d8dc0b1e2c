"""Benchmarks written once against the Rockpool Module API, run on Rockpool and on shoal.

shoal re-implements Rockpool's low-level API, so the same code measures both: `shoal_bench.py`
passes shoal's modules, `peers/rockpool_bench.py` passes Rockpool 3.1.0's. Usage is the documented
one: `out, state, record = net(x)` with x of shape (B, T, N), `record=False` (the default), JAX
networks called eagerly or under `jax.jit`, training with `jax.value_and_grad` and optax.

Variants: "eager" (JAX modules called directly), "jit" (the same under `jax.jit`), "numpy" (the
NumPy modules, which update their own state on each call), and the Torch modules ("torch",
"torch.compile", in `rockpool_torch_api.py`). Workload (g) passes `record=True` and keeps the
records as the result of each call.
"""

from __future__ import annotations

import importlib
import time
from types import SimpleNamespace
from typing import Any

from rockpool_torch_api import TORCH_VARIANTS, bench_torch, load_torch_api
from workloads import (
    TAU_MEM,
    TAU_SYN,
    WORKLOADS,
    Skip,
    Workload,
    make_input,
    make_target,
    make_weights,
    measure,
)

VARIANTS = ("eager", "jit", "numpy", *TORCH_VARIANTS)
_CLASSES = ("LIF", "Rate", "Linear", "LIFJax", "LinearJax", "RateJax")


def load_api(package: str) -> SimpleNamespace:
    """The module classes of ``package`` ("rockpool" or "shoal") under their shared names."""
    modules = importlib.import_module(f"{package}.nn.modules")
    combinators = importlib.import_module(f"{package}.nn.combinators")
    classes = {name: getattr(modules, name) for name in _CLASSES}
    return SimpleNamespace(Sequential=combinators.Sequential, package=package, **classes)


def _neuron(api: SimpleNamespace, wl: Workload, jax_backend: bool) -> Any:
    lif, rate = (api.LIFJax, api.RateJax) if jax_backend else (api.LIF, api.Rate)
    extra = {"has_rec": True} if wl.recurrent else {}
    if wl.neuron == "lif":
        return lif(wl.n_out, tau_mem=TAU_MEM, tau_syn=TAU_SYN, **extra)
    return rate(wl.n_out, tau=TAU_MEM, **extra)


def build(api: SimpleNamespace, wl: Workload, jax_backend: bool) -> Any:
    """The workload's network: Sequential(Linear, neuron), or the neuron alone for (e)."""
    neuron = _neuron(api, wl, jax_backend)
    if not wl.projection:
        return neuron
    linear = api.LinearJax if jax_backend else api.Linear
    w_in = make_weights(wl)["w_in"]
    return api.Sequential(linear((wl.n_in, wl.n_out), weight=w_in), neuron)


def bench(api: SimpleNamespace, variant: str, workload: str, repeats: int, quick: bool) -> dict:
    """Measure one (workload, variant) with the modules in `api` (Rockpool's or shoal's)."""
    wl = WORKLOADS[workload]
    if workload == "f":
        if variant != "jit":
            raise Skip("workload (f) is measured once, in the 'jit' variant")
        return _bench_pytree(api, repeats, quick)
    if variant in TORCH_VARIANTS:
        try:
            torch_api = load_torch_api(api.package)
        except ImportError as exc:
            raise Skip(f"no Torch modules: {exc}") from exc
        return bench_torch(torch_api, variant, wl, repeats, quick)
    if variant == "numpy":
        if wl.train:
            raise Skip("the NumPy backend has no automatic differentiation")
        return _bench_numpy(api, wl, repeats, quick)
    import jax

    x = jax.numpy.asarray(make_input(wl, quick))
    net = build(api, wl, jax_backend=True)
    if wl.train:
        return _bench_train(net, x, jax.numpy.asarray(make_target(wl, quick)), variant, repeats)
    record = wl.record

    def forward(n: Any, x: Any) -> Any:
        out, _, records = n(x, record=record)
        return out, records

    if variant == "jit":
        forward = jax.jit(forward)
    return measure(lambda: forward(net, x), repeats, jax.block_until_ready)


def _bench_numpy(api: SimpleNamespace, wl: Workload, repeats: int, quick: bool) -> dict:
    x = make_input(wl, quick)
    net = build(api, wl, jax_backend=False)

    def call() -> Any:
        # NumPy modules keep their state between calls: reset so every call does the same work.
        out, _, records = net.reset_state()(x, record=wl.record)
        return out, records

    return measure(call, repeats)


def _bench_train(net: Any, x: Any, y: Any, variant: str, repeats: int) -> dict:
    import jax
    import jax.numpy as jnp
    import optax

    def loss(params: Any, net: Any, x: Any, y: Any) -> Any:
        net = net.set_attributes(params)
        out, _, _ = net(x)
        return jnp.mean((out - y) ** 2)

    optimiser = optax.adam(1e-3)

    def step(params: Any, opt_state: Any, net: Any, x: Any, y: Any) -> tuple:
        value, grads = jax.value_and_grad(loss)(params, net, x, y)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    if variant == "jit":
        step = jax.jit(step)
    state = {"params": net.parameters()}
    state["opt"] = optimiser.init(state["params"])

    def call() -> Any:
        state["params"], state["opt"], value = step(state["params"], state["opt"], net, x, y)
        return value

    return measure(call, repeats, jax.block_until_ready)


def _bench_pytree(api: SimpleNamespace, repeats: int, quick: bool) -> dict:
    """First call of jitted (a) in a fresh process, then flatten+unflatten of a 6-module net."""
    import jax

    wl = WORKLOADS["a"]
    x = jax.numpy.asarray(make_input(wl, quick))
    net = build(api, wl, jax_backend=True)
    forward = jax.jit(lambda n, x: n(x)[0])
    start = time.perf_counter()
    jax.block_until_ready(forward(net, x))
    first_call = time.perf_counter() - start
    start = time.perf_counter()
    jax.block_until_ready(forward(net, x))
    second_call = time.perf_counter() - start

    net6 = api.Sequential(*(api.RateJax(64) for _ in range(6)))

    def round_trip() -> Any:
        leaves, treedef = jax.tree_util.tree_flatten(net6)
        return jax.tree_util.tree_unflatten(treedef, leaves)

    result = measure(round_trip, repeats)
    result["first_call_a_s"] = first_call
    result["compile_a_s"] = max(first_call - second_call, 0.0)
    result["n_leaves"] = len(jax.tree_util.tree_leaves(net6))
    return result
