"""Saving and loading a module's parameters, state and simulation parameters (``.npz``).

The file is a plain NumPy ``.npz`` archive (no pickle) with one array per attribute, keyed by
kind and dotted path, e.g. ``parameters/0_LinearJax.weight``, ``state/1_LIFJax.vmem``,
``simulation/1_LIFJax.dt``, plus a small JSON header under ``__shoal__``. Only numbers and
numeric arrays are saved; callables (activation functions), surrogates and other objects are
part of the architecture, which the loading module already has.

Loading is strict about the architecture and forgiving where it is safe:

* an entry whose shape broadcasts to the module's loads broadcast (a scalar time constant saved
  from ``LIF(5, tau_mem=0.03)`` loads into ``LIF(5)``'s ``(5,)``);
* names match across backends: default sub-module names carry the class name, which differs per
  backend only by an affix (``0_LinearJax``, ``0_Linear``; ``0_JaxSequential``,
  ``0_ModSequential``), so keys are compared with those affixes removed. A new backend
  registers its affixes with :func:`register_flavour_affixes`;
* backend-only state (a JAX module's ``rng_key``) that one side lacks is skipped.

Everything else (missing or unexpected keys, shapes that do not broadcast, integer vs float
data) raises before anything changes.
"""

from __future__ import annotations

import json
import numbers
import os
import re
import tempfile
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from shoal._errors import UnknownAttributeError
from shoal.utilities.tree_utils import flatten_dict, unflatten_dict

if TYPE_CHECKING:
    from shoal.nn.modules._updates import UpdatableModule as Module

__all__ = ["load_module", "register_flavour_affixes", "save_module"]

FORMAT_VERSION = 1
_HEADER = "__shoal__"

# Class-name affixes that mark a backend flavour: "LinearJax" and "Linear" are one model, as are
# "JaxSequential" and "ModSequential". Torch registers "Torch" for both when it arrives.
_FLAVOUR_SUFFIXES: set[str] = {"Jax", "Torch"}
_FLAVOUR_PREFIXES: set[str] = {"Jax", "Mod", "Torch"}
# State that exists on one backend only; a checkpoint from the other backend cannot hold it.
_BACKEND_ONLY_STATE: set[str] = {"rng_key"}
# A default sub-module name: "<position>_<ClassName>" (user-chosen names are compared as given).
_DEFAULT_NAME = re.compile(r"^(\d+)_(\w+)$")


def register_flavour_affixes(
    suffix: str | None = None, prefix: str | None = None, backend_only_state: tuple[str, ...] = ()
) -> None:
    """Let checkpoints load across a new backend's flavours of the built-in classes.

    Args:
        suffix: Added to model class names by the backend (``"Torch"`` for ``LIFTorch``).
        prefix: Added to combinator class names by the backend (``"Torch"`` for
            ``TorchSequential``).
        backend_only_state: State names that only this backend's modules hold; skipped when
            the other side of a load lacks them.
    """
    if suffix:
        _FLAVOUR_SUFFIXES.add(suffix)
    if prefix:
        _FLAVOUR_PREFIXES.add(prefix)
    _BACKEND_ONLY_STATE.update(backend_only_state)


def _canonical_segment(segment: str) -> str:
    match = _DEFAULT_NAME.match(segment)
    if match is None:
        return segment
    index, name = match.groups()
    for suffix in _FLAVOUR_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{index}_{name[: -len(suffix)]}"
    for prefix in _FLAVOUR_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return f"{index}_{name[len(prefix) :]}"
    return segment


def _canonical(key: str) -> str:
    """``"parameters/0_LinearJax.weight"`` → ``"parameters/0_Linear.weight"``."""
    section, path = key.split("/", 1)
    return f"{section}/" + ".".join(_canonical_segment(s) for s in path.split("."))


def _is_backend_only(key: str) -> bool:
    return key.startswith("state/") and key.replace("/", ".").rsplit(".", 1)[-1] in (
        _BACKEND_ONLY_STATE
    )


def _match_keys(
    current: list[str], saved: list[str]
) -> tuple[dict[str, str], list[str], list[str]]:
    """Pair module keys with checkpoint keys: ``(module key → saved key, missing, unexpected)``.

    Exact names pair first; the rest pair by backend-neutral name when that name is unique on
    both sides. Unpaired backend-only state is dropped from both lists.
    """
    pairs = {key: key for key in current if key in set(saved)}
    left_current = [key for key in current if key not in pairs]
    left_saved = [key for key in saved if key not in pairs]
    by_name: dict[str, list[str]] = {}
    for key in left_saved:
        by_name.setdefault(_canonical(key), []).append(key)
    current_names = [_canonical(key) for key in left_current]
    for key, name in zip(left_current, current_names):
        if len(by_name.get(name, ())) == 1 and current_names.count(name) == 1:
            pairs[key] = by_name[name][0]
    taken = set(pairs.values())
    missing = sorted(k for k in current if k not in pairs and not _is_backend_only(k))
    unexpected = sorted(k for k in saved if k not in taken and not _is_backend_only(k))
    return pairs, missing, unexpected


def _host(value: Any) -> np.ndarray:
    """``value`` as a NumPy array; torch tensors are detached and copied to the host first."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()  # type: ignore[no-any-return]
    return np.asarray(value)


def _is_saved(value: Any) -> bool:
    """Numbers and numeric arrays are saved; everything else belongs to the architecture."""
    if isinstance(value, (bool, numbers.Number)):
        return isinstance(value, (bool, numbers.Real))
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return _host(value).dtype.kind in "biuf"
    return False


def _entries(module: Module) -> dict[str, Any]:
    """``{"parameters/a.b": value, ...}`` for every saved attribute of ``module``."""
    from shoal.nn.modules._module_base import ModuleBase

    trees = {
        # The Module API's dict even where parameters() is torch's (TorchModule.to_torch()).
        "parameters": ModuleBase.parameters(module),
        "state": module.state(),
        "simulation": module.simulation_parameters(),
    }
    return {
        f"{section}/{path}": value
        for section, tree in trees.items()
        for path, value in flatten_dict(tree).items()
        if _is_saved(value)
    }


def save_module(module: Module, path: str | os.PathLike[str]) -> None:
    """Write ``module``'s parameters, state and numeric simulation parameters to ``path``.

    The file is written to a temporary file in the same folder and renamed into place, so a
    crash never leaves a half-written file (an existing file stays intact). ``path`` is used as
    given (no ``.npz`` suffix is added).
    """
    path = os.fspath(path)
    arrays = {key: _host(value) for key, value in _entries(module).items()}
    header = {"format": FORMAT_VERSION, "class": module.class_name}
    arrays[_HEADER] = np.asarray(json.dumps(header))
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".shoal-", suffix=".npz.tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            cast(Any, np.savez)(file, **arrays)  # looked up per call: patchable in tests
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _read(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    if _HEADER not in arrays:
        raise ValueError(f"{path}: not a shoal checkpoint (no '{_HEADER}' entry)")
    header = json.loads(str(arrays.pop(_HEADER)))
    if header.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: checkpoint format {header.get('format')!r} is not supported "
            f"(this version of shoal reads format {FORMAT_VERSION})"
        )
    return arrays, header


def _restored(key: str, saved: np.ndarray, current: Any, where: str) -> Any:
    """Check ``saved`` against the module's ``current`` value and convert it to its type."""
    current_shape = tuple(np.shape(current))
    if saved.shape != current_shape:
        try:
            # Safe: every element of the module's attribute gets the one saved value it had.
            saved = np.array(np.broadcast_to(saved, current_shape))  # a writable copy
        except ValueError:
            raise ValueError(
                f"{where}: checkpoint entry '{key}' has shape {saved.shape}, but the module "
                f"expects {current_shape}. Build the module with the same sizes as the saved one."
            ) from None
    current_kind = _host(current).dtype.kind
    if (current_kind == "f") != (saved.dtype.kind == "f") or (
        current_kind != "f" and saved.dtype.kind != current_kind
    ):
        raise ValueError(
            f"{where}: checkpoint entry '{key}' has dtype {saved.dtype}, but the module holds "
            f"{_host(current).dtype}."
        )
    if isinstance(current, bool):
        return bool(saved)
    if isinstance(current, numbers.Integral):
        return int(saved)
    if isinstance(current, numbers.Real):
        return float(saved)
    return saved


def load_module(module: Module, path: str | os.PathLike[str]) -> Module:
    """Load a file written by :func:`save_module` into ``module`` (same architecture).

    Every key is checked: missing and unexpected keys raise an ``UnknownAttributeError`` (a
    ``KeyError``) listing them; shapes that do not broadcast and dtype mismatches raise a
    ``ValueError`` naming the entry. Names match across backends and backend-only state is
    skipped (see the module docstring). Nothing changes unless everything matches. Float arrays keep the module's dtype,
    so a checkpoint loads bit-exactly into a module of the same backend. Returns the loaded
    module: NumPy modules update in place and return themselves; JAX modules return a copy.
    """
    path = os.fspath(path)
    where = f"{module.class_name}.load('{path}')"
    saved, header = _read(path)
    current = _entries(module)
    pairs, missing, unexpected = _match_keys(list(current), list(saved))
    if missing or unexpected:
        raise UnknownAttributeError(
            f"{where}: the checkpoint (saved from a {header.get('class')}) does not match this "
            f"module. Missing keys: {missing or 'none'}. Unexpected keys: {unexpected or 'none'}."
        )
    # A name lives in exactly one registry, so the sections merge without collisions.
    updates = unflatten_dict(
        {
            key.split("/", 1)[1]: _restored(pairs[key], saved[pairs[key]], value, where)
            for key, value in current.items()
            if key in pairs
        }
    )
    return module.set_attributes(updates)
