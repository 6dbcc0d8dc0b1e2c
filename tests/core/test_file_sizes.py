"""Small files: no source file of the package grows past 400 lines (ARCHITECTURE.md)."""

from pathlib import Path

_LIMIT = 400


def test_no_shoal_source_file_is_over_400_lines():
    package = Path(__file__).resolve().parents[2] / "shoal"
    too_long = {
        str(path.relative_to(package.parent)): count
        for path in sorted(package.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > _LIMIT
    }
    assert too_long == {}, f"split these files (lines): {too_long}"
