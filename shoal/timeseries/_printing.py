"""``print()`` of a series: its repr, then one line per sample or event (shortened)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._base import TimeSeries

__all__ = ["print_series"]


def print_series(
    series: TimeSeries,
    header: str | None,
    rows: list[str],
    full: bool,
    num_first: int,
    num_last: int,
    limit_shorten: int,
) -> None:
    """Print ``repr(series)``, an optional header line and ``rows``.

    With more than ``limit_shorten`` rows and not ``full``, only the first ``num_first`` and
    the last ``num_last`` rows are printed, separated by a ``...`` line. Each row stays paired
    with its own time (Rockpool shifts the last block of a periodic series by one line).
    """
    lines = [repr(series)]
    if header is not None:
        lines.append(header)
    if full or len(rows) <= limit_shorten:
        lines.extend(rows)
    else:
        lines.extend(rows[:num_first])
        lines.append("\t...")
        lines.extend(rows[len(rows) - num_last :])
    if series.periodic:
        lines.append("\t (...periodic...)")
    print("\n".join(lines))
