"""The main demo (`make demo`): the low-level API tour."""

import runpy
from pathlib import Path

if __name__ == "__main__":
    here = Path(__file__).parent
    print("=== shoal: the low-level Module API tour ===")
    runpy.run_path(str(here / "low_level_api.py"), run_name="__main__")
