"""A reader for the ``.ts`` text format of the UEA/UCR time-series archive (no pandas needed).

The format: ``#`` comment lines, ``@key value`` header lines, then ``@data`` and one case per
line. A case is its dimensions separated by ``:``, each dimension a comma-separated list of
numbers (``?`` for a missing value), and, when ``@classLabel true``, the class label last.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["TsFile", "read_ts"]


@dataclass(frozen=True)
class TsFile:
    """The contents of a ``.ts`` file.

    Attributes:
        series: One ``(T_i, C)`` float64 array per case (lengths may differ).
        labels: The class label of each case, as written in the file.
        class_names: The labels declared by ``@classLabel``, in declaration order.
        header: Every ``@key value`` header entry, keys lower-cased.
    """

    series: list[np.ndarray]
    labels: list[str]
    class_names: tuple[str, ...]
    header: dict[str, str]


def _parse_case(path: str, line_number: int, line: str, has_labels: bool) -> tuple[np.ndarray, str]:
    fields = line.split(":")
    label = fields.pop().strip() if has_labels else ""
    try:
        dimensions = [
            [float("nan") if v.strip() == "?" else float(v) for v in field.split(",")]
            for field in fields
        ]
    except ValueError as error:
        raise ValueError(f"{path}, line {line_number}: expected numbers, got {error}") from None
    lengths = {len(d) for d in dimensions}
    if len(lengths) != 1:
        raise ValueError(
            f"{path}, line {line_number}: expected every dimension of a case to have the same "
            f"length, got lengths {sorted(lengths)}"
        )
    return np.asarray(dimensions, dtype=np.float64).T, label


def read_ts(path: str | os.PathLike[str]) -> TsFile:
    """Read a ``.ts`` file.

    Args:
        path: Path of the file.

    Returns:
        The cases as ``(T_i, C)`` arrays, their labels, the declared class names and the header.

    Raises:
        FileNotFoundError: No file at ``path``.
        ValueError: A malformed file (the message names the file and the line).
    """
    path = os.fspath(path)
    header: dict[str, str] = {}
    series: list[np.ndarray] = []
    labels: list[str] = []
    in_data = False
    with open(path, encoding="utf-8") as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                if not line.startswith("@"):
                    raise ValueError(
                        f"{path}, line {line_number}: expected a '@key value' header line or "
                        f"'@data', got {line[:40]!r}"
                    )
                key, _, value = line[1:].partition(" ")
                if key.lower() == "data":
                    in_data = True
                else:
                    header[key.lower()] = value.strip()
                continue
            has_labels = header.get("classlabel", "false").split(" ")[0].lower() == "true"
            case, label = _parse_case(path, line_number, line, has_labels)
            series.append(case)
            labels.append(label)
    if not in_data:
        raise ValueError(f"{path}: expected an '@data' line, got none")
    declared = header.get("classlabel", "false").split()
    class_names = tuple(declared[1:]) if declared and declared[0].lower() == "true" else ()
    unknown = sorted(set(labels) - set(class_names)) if class_names else []
    if unknown:
        raise ValueError(
            f"{path}: expected labels among @classLabel {list(class_names)}, got {unknown}"
        )
    dims = {case.shape[1] for case in series}
    if len(dims) > 1:
        raise ValueError(f"{path}: expected one number of dimensions, got {sorted(dims)}")
    return TsFile(series, labels, class_names, header)
