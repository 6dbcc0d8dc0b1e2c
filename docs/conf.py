"""Sphinx configuration for shoal's documentation (``make docs`` builds it with ``-W``)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Notebooks run in a fresh kernel: make the checkout importable there too. (No MPLBACKEND: the
# kernel's inline backend is what turns figures into images.)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

from shoal import __version__  # noqa: E402

project = "shoal"
author = "The shoal developers"
copyright = "The shoal developers, Apache-2.0"
release = __version__
version = __version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    # MathJax served from the site itself (no CDN): the docs work offline, and the browser test
    # sees no failed network request.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "test_site.py", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}

# Every notebook is executed at every build (nothing cached, as in CI); a failing cell fails
# the build.
nb_execution_mode = "force"
nb_execution_timeout = 240
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = ["torch"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Attributes sections as fields: NamedTuple fields are then not described twice.
napoleon_use_ivar = True

html_theme = "furo"
html_title = f"shoal {version}"
html_static_path = []
# No web fonts or analytics: the site works offline (and the browser test runs offline).
html_theme_options = {"navigation_with_keys": True}
