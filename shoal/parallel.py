"""Data parallelism for JAX modules: the batch axis sharded over a device mesh.

Shoal's JAX modules (and their combinators) are pytrees, so JAX's own distribution machinery
applies to them unchanged: the batch is split over a 1-D :class:`jax.sharding.Mesh`, the module
and its parameters are replicated on every device, and XLA inserts the all-reduce of the
gradients. This module makes that one call away:

- :func:`evolve_sharded` evolves a module on a batch ``(B, T, N)`` split over all devices;
- :func:`make_sharded_train_step` builds a jitted optimiser step whose loss is the mean over the
  real samples of the (data-parallel) batch;
- :func:`data_mesh`, :func:`shard_batch`, :func:`replicate` and :func:`pad_batch` are the pieces,
  for writing your own step.

The same code runs on one CPU, on several local devices (GPUs, or CPU devices forced with
``XLA_FLAGS=--xla_force_host_platform_device_count=4``) and on several processes or hosts after
``jax.distributed.initialize(...)``. With several processes, every process calls the same
functions with **its own part** of the batch (any size) and gets back the outputs for that part.

Batches that do not divide over the devices are padded (by repeating the last sample) and the
padding is masked out: padded outputs are dropped, and padded samples carry zero weight in the
loss and gradients. Pass ``pad=False`` to get a ``ValueError`` instead. Nothing is dropped
silently.

Importing this module imports JAX (install ``shoal[jax]``; the training step needs
``shoal[train]`` for optax).

Examples:
    >>> import jax.numpy as jnp
    >>> from shoal.nn.modules.jax.lif_jax import LIFJax
    >>> net = LIFJax(3)
    >>> x = jnp.ones((5, 20, 3))  # (B, T, N): any B
    >>> out, new_state, _ = evolve_sharded(net, x)
    >>> out.shape
    (5, 20, 3)
    >>> bool(jnp.allclose(out, net(x)[0]))
    True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from shoal.backend._lazy import require

require("jax", "jax", "shoal.parallel")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.experimental import multihost_utils  # noqa: E402
from jax.sharding import Mesh, NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

from shoal.nn.modules.jax.jax_module import JaxModule  # noqa: E402

__all__ = [
    "data_mesh",
    "evolve_sharded",
    "make_sharded_train_step",
    "pad_batch",
    "replicate",
    "shard_batch",
]

BATCH_AXIS = "batch"


# --------------------------------------------------------------------------- placement
def data_mesh(devices: Any = None, axis: str = BATCH_AXIS) -> Mesh:
    """A 1-D mesh over ``devices`` (default: all devices of all processes) named ``axis``.

    Examples:
        >>> data_mesh().axis_names
        ('batch',)
    """
    devices = jax.devices() if devices is None else list(devices)
    return Mesh(np.asarray(devices), (axis,))


def _axis(mesh: Mesh) -> str:
    if len(mesh.axis_names) != 1:
        raise ValueError(
            f"expected a 1-D data mesh, got axes {mesh.axis_names}; build one with "
            "shoal.parallel.data_mesh()"
        )
    return str(mesh.axis_names[0])


def _local_device_count(mesh: Mesh) -> int:
    return sum(device.process_index == jax.process_index() for device in mesh.devices.flat)


def _multi_process(mesh: Mesh) -> bool:
    return _local_device_count(mesh) != mesh.devices.size


def replicate(tree: Any, mesh: Mesh | None = None) -> Any:
    """Place every array of ``tree`` (a module, parameters, optimiser state) on all devices.

    With several processes, each process must pass the same values. Replicating a module once,
    up front, saves a transfer on every call of :func:`evolve_sharded` or a training step.
    """
    mesh = data_mesh() if mesh is None else mesh
    sharding = NamedSharding(mesh, P())
    if not _multi_process(mesh):
        return jax.device_put(tree, sharding)

    def place(leaf: Any) -> Any:
        if isinstance(leaf, jax.Array) and leaf.sharding == sharding:
            return leaf  # already in place (e.g. the parameters a step returned)
        value = np.asarray(leaf)
        return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])

    return jax.tree_util.tree_map(place, tree)


def pad_batch(x: Any, multiple: int) -> tuple[Any, Any]:
    """Pad axis 0 of ``x`` to a multiple of ``multiple`` by repeating its last sample.

    Returns ``(padded, mask)``, ``mask`` a boolean ``(B_padded,)`` array that is ``True`` for
    the real samples. Repeating a real sample (rather than zeros) keeps every padded loss finite.

    Examples:
        >>> padded, mask = pad_batch(np.arange(5.0), 4)
        >>> padded.tolist(), mask.tolist()
        ([0.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0, 4.0], [True, True, True, True, True, False, False, False])
    """
    size = x.shape[0]
    if size == 0:
        raise ValueError("cannot pad an empty batch: pass at least one sample")
    padded_size = -(-size // multiple) * multiple
    return _pad_to(x, padded_size), np.arange(padded_size) < size


def _pad_to(x: Any, size: int) -> Any:
    extra = size - x.shape[0]
    if extra == 0:
        return x
    xp = jnp if isinstance(x, jax.Array) else np
    return xp.concatenate([x, xp.repeat(x[-1:], extra, axis=0)], axis=0)


def _padded_local_size(size: int, mesh: Mesh, pad: bool) -> int:
    """The per-process batch size after padding (equal on every process)."""
    local = _local_device_count(mesh)
    if _multi_process(mesh):
        # Processes may hold different numbers of samples: pad all to the largest.
        sizes = multihost_utils.process_allgather(np.asarray([size], np.int32))
        largest = int(np.max(sizes))
        if not pad and (largest != size or size % local):
            raise ValueError(
                f"process {jax.process_index()} holds {size} samples, the largest process "
                f"holds {largest} and each has {local} devices; pass pad=True or give every "
                f"process the same multiple of {local} samples"
            )
        size = largest
    elif not pad and size % local:
        raise ValueError(
            f"a batch of {size} does not divide over {local} devices; pass pad=True (padded "
            f"samples are masked out) or use a batch size that is a multiple of {local}"
        )
    return -(-size // local) * local


def _as_batch(name: str, x: Any) -> Any:
    if not isinstance(x, (jax.Array, np.ndarray)):
        x = np.asarray(x)
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(
            f"{name}: expected a batch with the samples on axis 0, e.g. (B, T, N), got shape "
            f"{np.shape(x)}; add a batch axis with x[None]"
        )
    return x


def shard_batch(x: Any, mesh: Mesh | None = None) -> Any:
    """Split axis 0 of ``x`` over the devices of ``mesh`` (a global ``jax.Array``).

    With several processes, each passes its own samples and the global batch is their
    concatenation in process order. Axis 0 must divide over this process's devices; use
    :func:`pad_batch` first otherwise.
    """
    mesh = data_mesh() if mesh is None else mesh
    x = _as_batch("shard_batch", x)
    local = _local_device_count(mesh)
    if x.shape[0] % local:
        raise ValueError(
            f"a batch of {x.shape[0]} does not divide over {local} devices; pad it first with "
            f"shoal.parallel.pad_batch(x, {local}) (and mask the padding), or use a batch size "
            f"that is a multiple of {local}"
        )
    sharding = NamedSharding(mesh, P(_axis(mesh)))
    if isinstance(x, jax.Array) and x.sharding == sharding:
        return x  # already placed (e.g. by an earlier call)
    if not _multi_process(mesh):
        return jax.device_put(x, sharding)
    return jax.make_array_from_process_local_data(sharding, np.asarray(x))


def _local_rows(x: Any, mesh: Mesh, size: int) -> Any:
    """This process's rows of a batch-sharded global array, padding removed."""
    if _multi_process(mesh):
        x = multihost_utils.global_array_to_host_local_array(x, mesh, P(_axis(mesh)))
    return x if x.shape[0] == size else x[:size]


# --------------------------------------------------------------------------- evolution
@partial(jax.jit, static_argnames=("record", "mesh"))
def _evolve(net: Any, x: Any, record: bool, mesh: Mesh) -> Any:
    output, new_state, recorded = net(x, record=record)
    batch = NamedSharding(mesh, P(_axis(mesh)))
    size = x.shape[0]

    def place(leaf: Any) -> Any:
        # Rockpool records are (B, T, ...); state (batch element 0's) carries no batch axis.
        if leaf.ndim >= 2 and leaf.shape[0] == size:
            return jax.lax.with_sharding_constraint(leaf, batch)
        return leaf

    recorded = jax.tree_util.tree_map(place, recorded)
    return jax.lax.with_sharding_constraint(output, batch), new_state, recorded


def _require_jax_module(net: Any, caller: str) -> None:
    if not isinstance(net, JaxModule):
        raise TypeError(
            f"{caller} needs a JAX module (a pytree, e.g. LIFJax or a JaxSequential); got "
            f"{type(net).__name__}. Use the module's JAX flavour."
        )


def evolve_sharded(
    net: Any, x: Any, mesh: Mesh | None = None, record: bool = False, pad: bool = True
) -> tuple[Any, Any, Any]:
    """Evolve ``net`` on ``x`` ``(B, T, N)`` with the batch split over the devices of ``mesh``.

    Equals ``net(x, record=record)`` (to float32 rounding); the module is replicated and the
    input sharded on its batch axis, so each device simulates ``B / n_devices`` samples.

    Args:
        net: Any JAX module or combinator whose ``evolve`` traces under ``jax.jit``.
        x: Input ``(B, T, N)``; with several processes, this process's samples.
        mesh: Device mesh (default :func:`data_mesh`, all devices).
        record: Whether to return the recorded internal state.
        pad: Pad ``B`` to a multiple of the device count and drop the padded outputs (default);
            ``False`` raises a ``ValueError`` for a batch that does not divide. Noisy modules
            (``noise_std > 0``) draw their noise for the padded batch, so padding changes the
            noise realisation (not its statistics).

    Returns:
        ``(output, new_state, record)`` as for ``net(x)``: ``output`` ``(B, T, N_out)`` sharded
        on the batch axis (with several processes, this process's rows), ``new_state`` batch
        element 0's final state (Rockpool's rule) replicated, and the record dict.
    """
    _require_jax_module(net, "evolve_sharded")
    mesh = data_mesh() if mesh is None else mesh
    x = _as_batch("evolve_sharded", x)
    size = x.shape[0]
    padded = _pad_to(x, _padded_local_size(size, mesh, pad))
    output, new_state, recorded = _evolve(
        replicate(net, mesh), shard_batch(padded, mesh), record=record, mesh=mesh
    )

    def unpad(leaf: Any) -> Any:
        if leaf.ndim >= 2 and leaf.shape[0] == output.shape[0]:
            return _local_rows(leaf, mesh, size)
        return leaf

    return _local_rows(output, mesh, size), new_state, jax.tree_util.tree_map(unpad, recorded)


# --------------------------------------------------------------------------- training
def make_sharded_train_step(
    loss: Callable[[Any, Any], Any],
    optimiser: Any,
    mesh: Mesh | None = None,
    penalty: Callable[[Any], Any] | None = None,
    pad: bool = True,
) -> Callable[..., tuple[Any, Any, Any]]:
    """Build a data-parallel ``step(params, opt_state, net, x, y) -> (params, opt_state, loss)``.

    The step evolves ``net.set_attributes(params)`` on ``x`` ``(B, T, N)``, scores it against
    ``y`` (``(B, ...)``) and applies one ``optimiser`` update. ``x`` and ``y`` are split over
    the devices of ``mesh`` on their batch axis, ``params``/``opt_state``/``net`` are
    replicated, and XLA reduces the gradients across devices (and processes). The returned
    ``params``, ``opt_state`` and ``loss`` are replicated.

    The value minimised is the mean of ``loss`` over the **real** samples (plus ``penalty``)::

        mean_b loss(output[b:b+1], y[b:b+1]) + penalty(params)

    which equals ``loss(output, y)`` for any loss that is a mean over samples of equally sized
    per-sample terms, such as :func:`shoal.training.jax_loss.mse`. Padded samples get zero
    weight, so uneven batches give the same loss and gradients as the unpadded batch.

    Args:
        loss: ``loss(output, target)`` returning a scalar, e.g. ``jax_loss.mse``.
        optimiser: An ``optax.GradientTransformation``; ``opt_state = optimiser.init(params)``.
        mesh: Device mesh (default :func:`data_mesh` at build time).
        penalty: Optional ``penalty(params)`` added once per step (e.g. a weight regulariser).
        pad: Pad uneven batches and mask the padding (default); ``False`` raises instead.

    Examples:
        >>> import optax
        >>> from shoal.nn.modules.jax.linear_jax import LinearJax
        >>> from shoal.training import jax_loss
        >>> net = LinearJax((2, 1), weight=jnp.zeros((2, 1)))
        >>> step = make_sharded_train_step(jax_loss.mse, optax.sgd(0.1))
        >>> params = net.parameters()
        >>> opt_state = optax.sgd(0.1).init(params)
        >>> x, y = jnp.ones((3, 4, 2)), jnp.ones((3, 4, 1))
        >>> for _ in range(30):
        ...     params, opt_state, value = step(params, opt_state, net, x, y)
        >>> round(float(value), 4)
        0.0
    """
    optax = require("optax", "train", "shoal.parallel.make_sharded_train_step")
    mesh = data_mesh() if mesh is None else mesh
    replicated = NamedSharding(mesh, P())

    def per_sample(output: Any, target: Any) -> Any:
        return loss(output[None], target[None])

    def objective(params: Any, net: Any, x: Any, y: Any, mask: Any) -> Any:
        output, _, _ = net.set_attributes(params)(x)
        values = jax.vmap(per_sample)(output, y)
        value = jnp.sum(jnp.where(mask, values, 0.0)) / jnp.sum(mask)
        return value if penalty is None else value + penalty(params)

    @partial(jax.jit, out_shardings=(replicated, replicated, replicated))
    def _step(params: Any, opt_state: Any, net: Any, x: Any, y: Any, mask: Any) -> Any:
        value, grads = jax.value_and_grad(objective)(params, net, x, y, mask)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    def step(params: Any, opt_state: Any, net: Any, x: Any, y: Any) -> tuple[Any, Any, Any]:
        _require_jax_module(net, "make_sharded_train_step")
        x = _as_batch("step (x)", x)
        y = _as_batch("step (y)", y)
        if x.shape[0] != y.shape[0]:
            raise ValueError(
                f"x holds {x.shape[0]} samples but y holds {y.shape[0]}; pass one target per "
                "sample (axis 0 is the batch)"
            )
        size = _padded_local_size(x.shape[0], mesh, pad)
        mask = np.arange(size) < x.shape[0]
        params, opt_state, net = replicate((params, opt_state, net), mesh)
        return _step(
            params,
            opt_state,
            net,
            shard_batch(_pad_to(x, size), mesh),
            shard_batch(_pad_to(y, size), mesh),
            shard_batch(mask, mesh),
        )

    return step
