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
    assert ts.plot(target=axes) is axes  # Rockpool returns the Axes for a target
    lines = axes.lines
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
    ts.plot(times=np.linspace(0, 1, 5), target=axes, channels=1, label="mine")
    assert len(axes.lines) == 1 and len(axes.lines[0].get_xdata()) == 5
    assert axes.get_ylabel() == "Value"
    ts.plot(target=axes)
    assert len(axes.lines) == 3
    assert TSContinuous().plot() == []


def test_event_plot_renders(axes, tmp_path):
    ev = TSEvent.from_raster(np.random.rand(50, 4) > 0.7, dt=0.01, name="spikes")
    assert ev.plot(target=axes) is axes
    (artist,) = axes.collections
    assert isinstance(artist, PathCollection)
    assert len(artist.get_offsets()) == len(ev)
    assert axes.get_xlabel() == "Time (s)" and axes.get_ylabel() == "Channel"
    assert axes.get_xlim() == pytest.approx((ev.t_start, ev.t_stop))
    path = tmp_path / "events.png"
    axes.figure.savefig(path)
    assert path.stat().st_size > 0


def test_event_plot_window_and_channels(axes):
    ev = TSEvent([0.1, 0.2, 0.3], [0, 1, 2], t_start=0.0, t_stop=1.0)
    ev.plot(time_limits=(0.15, 0.5), target=axes, channels=[1, 2], color="k")
    (artist,) = axes.collections
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


# -- backends and Rockpool's plot options (timeseries-compat.md §7) ---------------------------


@pytest.fixture
def restore_backend():
    from shoal.timeseries import get_global_ts_plotting_backend, set_global_ts_plotting_backend

    before = get_global_ts_plotting_backend()
    yield
    set_global_ts_plotting_backend(before, verbose=False)


def test_global_backend_functions(restore_backend, capsys):
    from shoal.timeseries import get_global_ts_plotting_backend, set_global_ts_plotting_backend

    assert get_global_ts_plotting_backend() == "matplotlib"
    for alias in ("matplotlib", "mpl", "mp", "pyplot", "plt"):
        set_global_ts_plotting_backend(alias, verbose=False)
        assert get_global_ts_plotting_backend() == "matplotlib"
    set_global_ts_plotting_backend("mpl")
    assert capsys.readouterr().out == "Global plotting backend has been set to matplotlib.\n"
    set_global_ts_plotting_backend(None)
    assert capsys.readouterr().out == "No global plotting backend is set.\n"
    assert get_global_ts_plotting_backend() is None
    with pytest.raises(RuntimeError, match=r"TSContinuous: `unnamed`: No plotting back-end set"):
        TSContinuous([0.0], [1.0]).plot()
    with pytest.raises(RuntimeError, match=r"TSEvent: `unnamed`: No plotting back-end set"):
        TSEvent().plot()
    for bad in ("MPL", "HV", "bokeh", ""):
        with pytest.raises(ValueError, match="Plotting backend not recognized"):
            set_global_ts_plotting_backend(bad)


def test_holoviews_missing_is_a_runtime_error(restore_backend, monkeypatch):
    # holoviews is not installed in the test environment (it is the optional extra plot-hv).
    from shoal.timeseries import _backends, set_global_ts_plotting_backend

    monkeypatch.setattr(_backends, "backend_available", lambda name: name != "holoviews")
    for alias in ("holoviews", "holo", "Holoviews", "HoloViews", "hv"):
        with pytest.raises(RuntimeError, match="Holoviews is not available"):
            set_global_ts_plotting_backend(alias)
    with pytest.raises(RuntimeError, match="Holoviews is not available"):
        TSContinuous([0.0], [1.0]).set_plotting_backend("hv")


def test_per_series_backend(restore_backend, capsys):
    from shoal.timeseries import set_global_ts_plotting_backend

    ts = TSContinuous([0.0], [1.0], name="s")
    set_global_ts_plotting_backend(None, verbose=False)
    ts.set_plotting_backend("mpl")
    assert ts.plotting_backend == "matplotlib" and TSContinuous().plotting_backend is None
    ts.set_plotting_backend(None)
    assert "TSContinuous `s`: Using global plotting backend." in capsys.readouterr().out
    assert ts.plotting_backend is None


def test_plot_stagger_skip_dt(axes):
    ts = TSContinuous([0.0, 1.0, 2.0], [[0, 1, 5], [1, 2, 6], [2, 3, 7]])
    ts.plot(channels=[1], stagger=1, skip=1, dt=0.5, target=axes)
    (line,) = axes.lines
    np.testing.assert_array_equal(line.get_xydata(), [[0, 1], [0.5, 1], [1, 2], [1.5, 2]])
    ts.plot(stagger=10, skip=2, target=axes)
    assert len(axes.lines) == 3
    np.testing.assert_array_equal(axes.lines[2].get_ydata()[:3], [15, 16, 17])
    with pytest.raises(ValueError, match="`skip` must be a positive integer; got 0"):
        ts.plot(skip=0, target=axes)


def test_plot_target_type_and_time_limits(axes):
    with pytest.raises(TypeError, match="Unrecognized type for `target`"):
        TSContinuous([0.0], [1.0]).plot(target="axes")
    with pytest.raises(TypeError, match="`time_limits` must be None or tuple of length 2"):
        TSEvent().plot(time_limits=(1,), target=axes)
    ev = TSEvent([0.1, 0.6], [0, 1], t_start=0, t_stop=1, name="ev")
    ev.plot(time_limits=(None, 0.5), target=axes)
    assert len(axes.collections[0].get_offsets()) == 1 and axes.get_title() == "ev"


class _FakeElement:
    """Stands in for holoviews elements (holoviews itself is an optional extra, not installed
    in the test environment), recording what the plotting code asks for."""

    def __init__(self, data, kdims=None, vdims=None):
        self.data, self.kdims, self.vdims = data, kdims, vdims
        self.label = self.group = None

    def options(self, **kwargs):
        self.opts = kwargs
        return self

    def relabel(self, label=None, group=None):
        self.label, self.group = label or self.label, group or self.group
        return self

    def __mul__(self, other):
        return _FakeElement([self, other])


def test_holoviews_mapping_with_a_stand_in(restore_backend, monkeypatch):
    import types

    from shoal.timeseries import _backends, set_global_ts_plotting_backend

    fake = types.SimpleNamespace(
        Curve=type("Curve", (_FakeElement,), {}),
        Overlay=type("Overlay", (_FakeElement,), {}),
        Scatter=type("Scatter", (_FakeElement,), {}),
    )
    monkeypatch.setitem(sys.modules, "holoviews", fake)
    monkeypatch.setattr(_backends, "backend_available", lambda name: True)
    set_global_ts_plotting_backend("hv", verbose=False)
    one = TSContinuous([0.0, 1.0], [1.0, 2.0], name="quad").plot()
    assert type(one).__name__ == "Curve" and one.label == "quad"
    assert (one.kdims, one.vdims) == ("Time", "y")
    two = TSContinuous([0.0, 1.0], [[1.0, 2.0], [3.0, 4.0]], name="pair").plot()
    assert type(two).__name__ == "Overlay" and two.group == "pair" and len(two.data) == 2
    scatter = TSEvent([0.1], [0], t_stop=1, name="ev").plot()
    assert type(scatter).__name__ == "Scatter" and scatter.label == "ev"
