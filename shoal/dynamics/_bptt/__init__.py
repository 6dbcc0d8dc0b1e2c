"""Fused training loops (numba): forward and hand-written backward (BPTT) of one dynamics.

Used by the Torch backend's training path (:mod:`shoal.backend._torch_bptt`): under autograd the
generic loop records ~10 graph nodes per time step and replays them in the backward; these
kernels run the whole forward loop without a graph, keep only what the backward needs (the
pre-reset membrane and the synaptic currents), and run the backward as one loop over time in
reverse. Each kernel repeats its dynamics' ``step`` operations in the same order (fused
multiply-adds where Torch fuses them), so forward numbers equal the generic loop's; the
backward is the chain rule of exactly the graph the generic loop records (tested against it).

numba is imported on first use only (``pip install "shoal[numba]"``).
"""
