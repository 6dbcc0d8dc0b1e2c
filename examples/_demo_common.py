"""What the demo scripts share: their command line and how they draw and save figures.

Not a demo itself. The scripts import it from their own folder (``sys.path`` gets the folder
first), so they run as ``python examples/<script>.py`` from anywhere and under ``runpy``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np


def parse_args(description: str, argv: list[str] | None, epochs: int | None = None) -> Any:
    """Parse the demo's command line: ``--out`` and, for a training demo, ``--epochs``, ``--seed``.

    ``--out`` defaults to ``demo-output`` and is created; ``--seed`` defaults to 0.

    Args:
        description: The ``--help`` text, e.g. the first line of the script's docstring.
        argv: The arguments (``None``: the command line).
        epochs: The default number of training epochs; ``None`` for a script that trains nothing.

    Returns:
        The ``argparse.Namespace``, ``out`` a :class:`~pathlib.Path` that exists.
    """
    parser = argparse.ArgumentParser(description=description)
    if epochs is not None:
        parser.add_argument("--epochs", type=int, default=epochs)
        parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def pyplot() -> Any:
    """``matplotlib.pyplot`` drawing to files only (the Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, path: Path) -> Path:
    """Write ``fig`` to ``path`` (100 dpi, tight layout), close it and return ``path``."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot().close(fig)
    return path


def training_curves(losses: list[float]) -> tuple[Any, Any, np.ndarray]:
    """A figure of two panels: the training loss per epoch (drawn) and accuracy (left empty).

    Returns:
        ``(figure, accuracy_axes, epochs)``, ``epochs`` the x values ``1..len(losses)``.
    """
    epochs = np.arange(1, len(losses) + 1)
    fig, (ax_loss, ax_acc) = pyplot().subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, losses)
    ax_loss.set(xlabel="epoch", ylabel="training loss (cross-entropy)", title="Loss")
    return fig, ax_acc, epochs
