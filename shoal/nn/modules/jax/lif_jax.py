"""``LIFJax``: LIF neurons on JAX (float32, compiled, surrogate gradients).

Equations and arguments: :class:`~shoal.nn.modules.lif.LIFBase`. Also Rockpool's spike
function ``step_pwl`` (the one ``LIFJax`` uses by default), for code that imports it from here.
"""

from typing import Any

import jax
import jax.numpy as jnp

from shoal.backend.surrogates import StepPWL
from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.lif import LIFBase

__all__ = ["LIFJax", "step_pwl"]


class LIFJax(LIFBase, JaxModule):
    __doc__ = LIFBase.__doc__


@jax.custom_jvp
def step_pwl(x: Any, threshold: Any, window: Any = 0.5, max_spikes_per_dt: Any = 2.0**16) -> Any:
    """Multi-spike counts ``clip(floor(x/θ), 0, max_spikes_per_dt)`` where ``x ≥ θ``, else 0.

    The JVP is the piecewise-linear surrogate of
    :class:`~shoal.backend.surrogates.StepPWL`: ``d/dx = [x ≥ θ − window] / θ`` and
    ``d/dθ = −[x ≥ θ − window] · x / θ²``; ``window`` and ``max_spikes_per_dt`` get no
    gradient. Every argument may be traced.

    Args:
        x: Membrane potentials, any shape.
        threshold: Threshold ``θ`` (> 0), broadcast against ``x``.
        window: Width below threshold where the surrogate gradient is non-zero (default 0.5).
        max_spikes_per_dt: Most spikes per step (default 2**16).

    Examples:
        >>> import jax
        >>> step_pwl(jax.numpy.array([0.2, 0.8, 2.5]), 1.0).tolist()
        [0.0, 0.0, 2.0]
        >>> float(jax.grad(step_pwl)(0.8, 1.0))
        1.0
    """
    counts = jnp.floor(x / threshold) * (x >= threshold)
    return jnp.clip(counts, 0.0, max_spikes_per_dt)


@step_pwl.defjvp
def _step_pwl_jvp(primals: Any, tangents: Any) -> Any:
    x, threshold, window, max_spikes_per_dt = primals
    x_dot, threshold_dot, _, _ = tangents
    d_x, d_threshold = StepPWL(window).partials(jnp, jnp.asarray(x), threshold)
    out = step_pwl(x, threshold, window, max_spikes_per_dt)
    return out, d_x * x_dot + d_threshold * threshold_dot
