"""Parameter mismatch: multiplicative Gaussian deviations, as fabricated hardware shows them.

Rockpool-compatible (``rockpool.transform.mismatch``). Importing this module imports JAX
(install ``shoal[jax]``).

Examples:
    >>> import jax
    >>> from shoal.nn.modules import LinearJax
    >>> from shoal.utilities.tree_utils import make_prototype_tree
    >>> net = LinearJax((2, 3), weight=[[1, 2, 3], [-1, -2, -3]])
    >>> prototype = make_prototype_tree(module_registery(net), net.parameters("weights"))
    >>> regenerate = mismatch_generator(prototype, percent_deviation=0.3, sigma_rule=3.0)
    >>> new = regenerate(net, jax.random.PRNGKey(42))
    >>> net = net.set_attributes(new)
    >>> [round(float(w), 4) for w in net.weight[0]]
    [1.0606, 2.1598, 2.7273]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from shoal.backend._lazy import require

require("jax", "jax", "shoal.transform.mismatch")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from shoal.nn.modules.module import PARAMETER, SIMULATION_PARAMETER, Module  # noqa: E402
from shoal.utilities.jax_tree_utils import tree_map_select_with_rng  # noqa: E402

__all__ = ["mismatch_generator", "module_registery"]


def _is_numeric(value: Any) -> bool:
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
            return isinstance(value, bool)
        try:
            dtype = jnp.asarray(value).dtype
        except (TypeError, ValueError):
            return False
    return dtype.kind in "biuf"


def module_registery(module: Module) -> dict[str, Any]:
    """Every numeric Parameter and SimulationParameter of ``module``, as float32 arrays.

    The name (with its typo) is Rockpool's. Own attributes come first, then one entry per
    submodule. States are left out. Unlike Rockpool, non-numeric simulation parameters (an
    activation function, a surrogate) are skipped instead of raising ``TypeError``, so every
    module has a registry.

    Args:
        module: Any shoal module (JAX or NumPy).

    Returns:
        A nested dict of float32 ``jax.Array`` values, the tree ``mismatch_generator`` perturbs.
    """
    if not isinstance(module, Module):
        raise TypeError(f"module_registery: expected a shoal Module, got {type(module).__name__}")
    return _registry_tree(module, lambda value: jnp.asarray(value, dtype=jnp.float32))


def _registry_tree(module: Module, convert: Callable[[Any], Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, record in module._registry.items():
        if not issubclass(record.kind, (PARAMETER, SIMULATION_PARAMETER)):
            continue
        value = getattr(module, name)
        if value is not None and _is_numeric(value):
            tree[name] = convert(value)
    for name, child in module.modules().items():
        tree[name] = _registry_tree(child, convert)
    return tree


def _as_configured(selected: bool, original: Any, perturbed: Any) -> Any:
    """Unselected values come back as they were; selected Python scalars stay scalars.

    Simulation parameters such as ``dt`` or ``max_spikes_per_dt`` are Python numbers: static
    configuration. Set as arrays they would become traced values, which some modules cannot
    compile with.
    """
    if not selected:
        return original
    if isinstance(original, (int, float)) and not isinstance(perturbed, jax.core.Tracer):
        return float(perturbed)
    return perturbed


def _paths(tree: Any) -> list[str]:
    with_path, _ = jax.tree_util.tree_flatten_with_path(tree)
    return ["/".join(str(getattr(k, "key", k)) for k in path) for path, _ in with_path]


def mismatch_generator(
    prototype: Any, percent_deviation: float = 0.30, sigma_rule: float = 3.0
) -> Callable[[Module, Any], dict[str, Any]]:
    r"""Build a function that draws mismatched parameters for a module.

    Each selected value becomes :math:`p + \sigma \xi p` with :math:`\xi \sim N(0, 1)` drawn
    per element and :math:`\sigma = \text{percent\_deviation} / \text{sigma\_rule}` (so that
    ``sigma_rule`` standard deviations span ``percent_deviation``: the defaults put 99.7 % of
    values within ±30 %). The registry is flattened with sorted keys; leaf ``i`` uses subkey
    ``i`` of ``split(rng_key, n_leaves + 1)[1:]`` whether it is selected or not, so a given
    key gives Rockpool's numbers for the same registry.

    Args:
        prototype: A tree with the structure of ``module_registery(mod)`` (every leaf, simulation
            parameters included) and boolean leaves: ``True`` where mismatch applies. Build it
            with ``make_prototype_tree(module_registery(mod), mod.parameters("taus"))``.
        percent_deviation: Deviation spanned by ``sigma_rule`` standard deviations, as a
            fraction in ``[0, 1]`` (default 0.30, i.e. 30 %).
        sigma_rule: How many standard deviations ``percent_deviation`` spans (default 3.0).

    Returns:
        ``regenerate_mismatch(mod, rng_key) -> tree``: the registry with the selected leaves
        perturbed (float32), ready for ``mod.set_attributes(tree)``. Deterministic for a key.
        Unselected values come back as the module holds them, and simulation parameters held
        as Python numbers (``dt``...) stay Python numbers (Rockpool gives float32 arrays): as
        arrays they would turn static configuration into traced values. (Under ``jax.jit``
        they necessarily come back as arrays; the generator is cheap, call it eagerly.)
    """
    for name, value in (("percent_deviation", percent_deviation), ("sigma_rule", sigma_rule)):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError(f"mismatch_generator: `{name}` must be a number, got {value!r}")
        if not math.isfinite(value) or value < 0 or (name == "sigma_rule" and value == 0):
            bound = "> 0" if name == "sigma_rule" else ">= 0"
            raise ValueError(
                f"mismatch_generator: `{name}` must be finite and {bound}, got {value}"
            )
    proto_leaves = jax.tree_util.tree_leaves(prototype)
    bad = [leaf for leaf in proto_leaves if not isinstance(leaf, (bool, jnp.bool_))]
    if bad or not proto_leaves:
        raise TypeError(
            "mismatch_generator: `prototype` must be a tree of booleans (True = apply "
            f"mismatch), got {'no leaves' if not bad else repr(bad[0])}"
        )
    if percent_deviation > 1:
        # "percent" invites 30 for 30 %: that would be σ = 10, flipping signs at random.
        raise ValueError(
            "mismatch_generator: `percent_deviation` is a fraction (0.30 = 30 %) and must be "
            f"<= 1, got {percent_deviation}"
        )
    sigma = percent_deviation / sigma_rule

    def perturb(value: Any, key: Any) -> Any:
        noise = jax.random.normal(key, jnp.shape(value), dtype=jnp.float32)
        return jnp.asarray(value + sigma * noise * value, dtype=jnp.float32)

    def regenerate_mismatch(mod: Module, rng_key: Any) -> dict[str, Any]:
        tree = module_registery(mod)
        tree_def = jax.tree_util.tree_structure(tree)
        if jax.tree_util.tree_structure(prototype) != tree_def:  # type: ignore[operator]
            raise ValueError(
                f"regenerate_mismatch({mod.full_name}): the prototype must have exactly the "
                f"leaves of module_registery(mod): expected {_paths(tree)}, got "
                f"{_paths(prototype)}"
            )
        perturbed = tree_map_select_with_rng(tree, prototype, perturb, rng_key)
        originals = _registry_tree(mod, lambda value: value)
        return jax.tree_util.tree_map(_as_configured, prototype, originals, perturbed)

    return regenerate_mismatch
