"""Plotting: rendered with the Agg backend to PNG files; matplotlib loads only when plotting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shoal.timeseries import TSContinuous, TSEvent

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402


@pytest.fixture
def axes():
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_continuous_plot_renders(axes, tmp_path):
    ts = TSContinuous.from_clocked(np.random.rand(20, 3), dt=0.01, name="v", units="V")
    lines = ts.plot(target=axes)
    assert len(lines) == 3 and all(isinstance(line, Line2D) for line in lines)
    assert lines[0].get_label() == "v [0]"
    # The held last sample is drawn up to t_stop.
    assert lines[0].get_xdata()[-1] == pytest.approx(ts.t_stop)
    assert axes.get_xlabel() == "Time (s)" and axes.get_ylabel() == "Value (V)"
    path = tmp_path / "continuous.png"
    axes.figure.savefig(path)
    assert path.stat().st_size > 0


def test_continuous_plot_options(axes):
    ts = TSContinuous([0.0, 1.0], [[0.0, 1.0], [1.0, 0.0]], interp_kind="linear")
    lines = ts.plot(times=np.linspace(0, 1, 5), target=axes, channels=1, label="mine")
    assert len(lines) == 1 and len(lines[0].get_xdata()) == 5
    assert axes.get_ylabel() == "Value"
    assert len(ts.plot(target=axes)) == 2
    assert TSContinuous().plot(target=axes) == []


def test_event_plot_renders(axes, tmp_path):
    ev = TSEvent.from_raster(np.random.rand(50, 4) > 0.7, dt=0.01, name="spikes")
    artist = ev.plot(target=axes)
    assert isinstance(artist, PathCollection)
    assert len(artist.get_offsets()) == len(ev)
    assert axes.get_xlabel() == "Time (s)" and axes.get_ylabel() == "Channel"
    assert axes.get_xlim() == pytest.approx((ev.t_start, ev.t_stop))
    path = tmp_path / "events.png"
    axes.figure.savefig(path)
    assert path.stat().st_size > 0


def test_event_plot_window_and_channels(axes):
    ev = TSEvent([0.1, 0.2, 0.3], [0, 1, 2], t_start=0.0, t_stop=1.0)
    artist = ev.plot(time_limits=(0.15, 0.5), target=axes, channels=[1, 2], color="k")
    np.testing.assert_allclose(artist.get_offsets(), [[0.2, 1.0], [0.3, 2.0]])


def test_default_axes_are_current_axes():
    import matplotlib.pyplot as plt

    try:
        ev = TSEvent([0.1], [0], t_stop=1.0)
        assert ev.plot() in plt.gca().collections
        assert TSContinuous([0.0], [1.0]).plot()[0] in plt.gca().lines
    finally:
        plt.close("all")


def test_missing_matplotlib_names_the_extra(monkeypatch):
    # A None entry in sys.modules makes `import matplotlib.pyplot` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install shoal\[plot\]"):
        TSContinuous([0.0], [1.0]).plot()
    with pytest.raises(ImportError, match=r"pip install shoal\[plot\]"):
        TSEvent().plot()


def test_importing_timeseries_does_not_import_matplotlib():
    import shoal

    root = str(Path(shoal.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    code = "import sys, shoal.timeseries; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
