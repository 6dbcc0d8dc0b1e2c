"""The global time-series plotting backend (matplotlib or holoviews).

matplotlib and holoviews are optional: they are only looked up here (``find_spec``), and
imported when something is drawn. holoviews comes with ``pip install "shoal[plot-hv]"``.
"""

from __future__ import annotations

import importlib.util

__all__ = [
    "backend_available",
    "get_global_ts_plotting_backend",
    "resolve_backend",
    "set_global_ts_plotting_backend",
]

_ALIASES = {
    **dict.fromkeys(("matplotlib", "mpl", "mp", "pyplot", "plt"), "matplotlib"),
    **dict.fromkeys(("holoviews", "holo", "Holoviews", "HoloViews", "hv"), "holoviews"),
}
_MISSING = {
    "matplotlib": 'Matplotlib is not available. Install it with: pip install "shoal[plot]"',
    "holoviews": 'Holoviews is not available. Install it with: pip install "shoal[plot-hv]"',
}


def backend_available(backend: str) -> bool:
    """Whether the library of ``backend`` (``"matplotlib"`` / ``"holoviews"``) is installed."""
    return importlib.util.find_spec(backend) is not None


def resolve_backend(backend: str) -> str:
    """The canonical name of an installed backend.

    Raises:
        ValueError: If the name is not recognised.
        RuntimeError: If the backend's library is not installed.
    """
    if not isinstance(backend, str) or backend not in _ALIASES:
        raise ValueError(
            f"Plotting backend not recognized: {backend!r}. Use 'matplotlib' (or 'mpl', 'mp', "
            "'pyplot', 'plt'), 'holoviews' (or 'holo', 'Holoviews', 'HoloViews', 'hv') or None."
        )
    name = _ALIASES[backend]
    if not backend_available(name):
        raise RuntimeError(_MISSING[name])
    return name


def _default() -> str | None:
    for name in ("matplotlib", "holoviews"):
        if backend_available(name):
            return name
    return None


_GLOBAL: dict[str, str | None] = {"backend": _default()}


def set_global_ts_plotting_backend(backend: str | None, verbose: bool = True) -> None:
    """Set the plotting backend used by every series without its own.

    Args:
        backend: ``"matplotlib"`` (also ``"mpl"``, ``"mp"``, ``"pyplot"``, ``"plt"``),
            ``"holoviews"`` (also ``"holo"``, ``"Holoviews"``, ``"HoloViews"``, ``"hv"``), or
            ``None`` for none.
        verbose: Print the new setting.

    Raises:
        ValueError: If the name is not recognised.
        RuntimeError: If the backend's library is not installed (``"Holoviews is not
            available."``).
    """
    name = None if backend is None else resolve_backend(backend)
    _GLOBAL["backend"] = name
    if verbose:
        if name is None:
            print("No global plotting backend is set.")
        else:
            print(f"Global plotting backend has been set to {name}.")


def get_global_ts_plotting_backend() -> str | None:
    """The global plotting backend: ``"matplotlib"``, ``"holoviews"`` or ``None``.

    At import it is matplotlib when installed, else holoviews when installed, else None.
    """
    return _GLOBAL["backend"]
