"""The main demo (`make demo`): the low-level API tour, the timed API, then training.

1. the founding document's tour of the Module API (``low_level_api.py``);
2. a network evolved over event time series with ``.timed()`` (``timed_api.py``);
3. a spiking network trained on scikit-learn's handwritten digits (``train_digits.py``);
4. the README's training example, with a figure of output against target (``train_readme.py``).
5. a recurrent spiking network trained on real speech, JapaneseVowels
   (``train_japanese_vowels.py``), and one figure per spike encoder (``encoders.py``).

Figures and the trained network go to ``demo-output/``.
"""

import os
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    here = Path(__file__).parent
    print("=== 1. shoal: the low-level Module API tour ===")
    runpy.run_path(str(here / "low_level_api.py"), run_name="__main__")
    print("\n=== 2. the timed API: evolving over event time series ===")
    sys.argv = [str(here / "timed_api.py"), "demo-output/timed_output.png"]
    runpy.run_path(str(here / "timed_api.py"), run_name="__main__")
    print("\n=== 3. training a spiking network on handwritten digits ===")
    sys.argv = [str(here / "train_digits.py")]
    runpy.run_path(str(here / "train_digits.py"), run_name="__main__")
    print("\n=== 4. the README's training example ===")
    sys.argv = [str(here / "train_readme.py"), "demo-output"]
    cwd = os.getcwd()
    try:  # the README example runs inside demo-output/ (it saves to its working directory)
        runpy.run_path(str(here / "train_readme.py"), run_name="__main__")
    finally:
        os.chdir(cwd)
    print("\n=== 5. speech: a recurrent spiking network on JapaneseVowels ===")
    sys.argv = [str(here / "train_japanese_vowels.py")]
    runpy.run_path(str(here / "train_japanese_vowels.py"), run_name="__main__")
    sys.argv = [str(here / "encoders.py")]
    runpy.run_path(str(here / "encoders.py"), run_name="__main__")
