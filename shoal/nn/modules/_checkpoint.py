"""Saving and loading a module's parameters, state and simulation parameters (``.npz``).

The file is a plain NumPy ``.npz`` archive (no pickle) with one array per attribute, keyed by
kind and dotted path, e.g. ``parameters/0_LinearJax.weight``, ``state/1_LIFJax.vmem``,
``simulation/1_LIFJax.dt``, plus a small JSON header under ``__shoal__``. Only numbers and
numeric arrays are saved; callables (activation functions), surrogates and other objects are
part of the architecture, which the loading module already has.
"""

from __future__ import annotations

import json
import numbers
import os
import tempfile
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from shoal._errors import UnknownAttributeError
from shoal.utilities.tree_utils import flatten_dict, unflatten_dict

if TYPE_CHECKING:
    from shoal.nn.modules.module import Module

__all__ = ["load_module", "save_module"]

FORMAT_VERSION = 1
_HEADER = "__shoal__"


def _is_saved(value: Any) -> bool:
    """Numbers and numeric arrays are saved; everything else belongs to the architecture."""
    if isinstance(value, (bool, numbers.Number)):
        return isinstance(value, (bool, numbers.Real))
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return np.dtype(value.dtype).kind in "biuf"
    return False


def _entries(module: Module) -> dict[str, Any]:
    """``{"parameters/a.b": value, ...}`` for every saved attribute of ``module``."""
    trees = {
        "parameters": module.parameters(),
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
    arrays = {key: np.asarray(value) for key, value in _entries(module).items()}
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
        raise ValueError(
            f"{where}: checkpoint entry '{key}' has shape {saved.shape}, but the module expects "
            f"{current_shape}. Build the module with the same sizes as the saved one."
        )
    current_kind = np.asarray(current).dtype.kind
    if (current_kind == "f") != (saved.dtype.kind == "f") or (
        current_kind != "f" and saved.dtype.kind != current_kind
    ):
        raise ValueError(
            f"{where}: checkpoint entry '{key}' has dtype {saved.dtype}, but the module holds "
            f"{np.asarray(current).dtype}."
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
    ``KeyError``) listing them; shape or dtype mismatches raise a ``ValueError`` naming the
    entry. Nothing changes unless everything matches. Float arrays keep the module's dtype,
    so a checkpoint loads bit-exactly into a module of the same backend. Returns the loaded
    module: NumPy modules update in place and return themselves; JAX modules return a copy.
    """
    path = os.fspath(path)
    where = f"{module.class_name}.load('{path}')"
    saved, header = _read(path)
    current = _entries(module)
    missing = sorted(set(current) - set(saved))
    unexpected = sorted(set(saved) - set(current))
    if missing or unexpected:
        raise UnknownAttributeError(
            f"{where}: the checkpoint (saved from a {header.get('class')}) does not match this "
            f"module. Missing keys: {missing or 'none'}. Unexpected keys: {unexpected or 'none'}."
        )
    # A name lives in exactly one registry, so the sections merge without collisions.
    updates = unflatten_dict(
        {
            key.split("/", 1)[1]: _restored(key, saved[key], value, where)
            for key, value in current.items()
        }
    )
    return module.set_attributes(updates)
