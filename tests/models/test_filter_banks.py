"""``ButterFilter`` / ``ButterMelFilter`` (catalogue-2 §3): worked numbers, streaming, errors.

NumPy only (an offline audio front-end, as in Rockpool), so they are not in the two-backend
registry; their contract is checked here.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from shoal.nn.modules import ButterFilter, ButterMelFilter
from shoal.nn.modules.native.butter_filter import mel_band_edges

RTOL = 1e-5
SINE = np.sin(2 * np.pi * 100 * np.arange(20) / 1000.0)[:, None]  # 100 Hz at fs = 1 kHz
ROWS = [1, 5, 10, 19]


def test_mel_band_edges():
    edges = mel_band_edges(4, 8000.0, 100.0, 2.0)
    np.testing.assert_allclose(edges[:, 0], [100, 591.468, 1384.86, 2665.67], rtol=RTOL)
    np.testing.assert_allclose(edges[:, 1], [150, 887.202, 2077.29, 3998.5], rtol=RTOL)


def test_butter_mel_filter_table():
    mod = ButterMelFilter(3, fs=1000.0, cutoff_fs=20.0, filter_width=1.0)
    assert mod.shape == (1, 3) and mod.parameters() == {}
    out, _, record = mod(SINE)
    assert out.shape == (20, 3) and out.dtype == np.float64 and record == {}
    expected = [
        [9.06796e-07, 5.89342e-05, 0.000206929],
        [0.000304393, 0.00387566, 0.00588871],
        [0.00306193, 0.0213367, 0.0116324],
        [0.00621506, 0.0392735, 0.0145319],
    ]
    np.testing.assert_allclose(out[ROWS], expected, rtol=RTOL)


def test_butter_filter_tables():
    out, _, _ = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0)(SINE)
    expected = [
        [0.000362243, 0.00125089],
        [0.0392248, 0.0547153],
        [0.182613, 0.136369],
        [0.49427, 0.0486973],
    ]
    np.testing.assert_allclose(out[ROWS], expected, rtol=RTOL)
    raw, _, _ = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0, use_lowpass=False)(SINE)
    band = [[0.007852, 0.027116], [0.036061, 0.072485], [0.073837, 0.022953], [0.081882, -0.132006]]
    np.testing.assert_allclose(raw[1:5], band, rtol=1e-4)


def test_normalize_and_mean_subtraction_are_global():
    plain, _, _ = ButterFilter([100.0, 200.0], 40.0, fs=1000.0)(SINE)
    normalised, _, _ = ButterFilter([100.0, 200.0], 40.0, fs=1000.0, normalize=True)(SINE)
    np.testing.assert_allclose(normalised, plain / np.max(np.abs(plain)), rtol=1e-12)
    centred, _, _ = ButterFilter([100.0, 200.0], 40.0, fs=1000.0, mean_subtraction=True)(SINE)
    np.testing.assert_allclose(centred, plain - plain.mean(), rtol=1e-12, atol=1e-15)


def test_calls_stream_and_input_shapes():
    """Rockpool restarts every call; shoal carries the filter state (decided)."""
    whole, _, _ = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0)(SINE)
    mod = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0)
    first, state, _ = mod(SINE[:7])
    second, _, _ = mod(SINE[7:])
    np.testing.assert_allclose(np.concatenate([first, second]), whole, rtol=1e-12, atol=1e-15)
    assert set(state) == {"band_state", "lowpass_state"}
    mod.reset_state()
    np.testing.assert_allclose(mod(SINE)[0], whole, rtol=1e-12)
    fresh = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0)
    np.testing.assert_allclose(fresh(SINE[:, 0])[0], whole, rtol=1e-12)  # (T,)
    batched, _, _ = ButterFilter([100.0, 200.0], [40.0, 80.0], fs=1000.0)(
        np.stack([SINE, 2 * SINE])
    )
    assert batched.shape == (2, 20, 2)
    np.testing.assert_allclose(batched[0], whole, rtol=1e-12)
    np.testing.assert_allclose(batched[1], 2 * whole, rtol=1e-12)
    x = SINE.copy()
    ButterFilter([100.0], 40.0, fs=1000.0)(x)
    np.testing.assert_array_equal(x, SINE)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ButterMelFilter((2, 3)), ValueError, r"ButterMelFilter: The input dimension"),
        (
            lambda: ButterMelFilter(4, fs=8000.0, cutoff_fs=3000.0),
            ValueError,
            r"ButterMelFilter: `cutoff_fs` is too large \(given: 3000.0\)",
        ),
        (
            lambda: ButterMelFilter(4, fs=1000.0, cutoff_fs=600.0),
            ValueError,
            r"ButterMelFilter.cutoff_fs: expected 0 < cutoff_fs < fs/2",
        ),
        (
            lambda: ButterMelFilter(4, order=2.0),
            TypeError,
            r"ButterMelFilter.order: expected a positive int, got 2.0",
        ),
        (
            lambda: ButterMelFilter(4, fs=-1.0),
            ValueError,
            r"ButterMelFilter.fs: expected a value > 0",
        ),
        (lambda: ButterMelFilter(4, num_workers=0), ValueError, r"ButterMelFilter.num_workers"),
        (
            lambda: ButterFilter([100.0, 200.0, 300.0], [10.0, 20.0]),
            ValueError,
            r"ButterFilter: `bandwidth` must be either a scalar or of the same size than "
            r"`frequency`. Got 2 and 3",
        ),
        (
            lambda: ButterFilter([10.0], 40.0),
            ValueError,
            r"ButterFilter: `frequency` must be greater than `bandwidth` / 2",
        ),
        (
            lambda: ButterFilter([490.0], 40.0, fs=1000.0),
            ValueError,
            r"ButterFilter: `frequency` must be lesser than \(`fs` - `bandwidth`\) / 2",
        ),
    ],
)
def test_constructor_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_other_channel_counts_are_refused():
    with pytest.raises(ValueError, match=r"ButterFilter"):
        ButterFilter([100.0], 40.0, fs=1000.0)(np.ones((10, 2)))


def test_plot_draws_one_response_per_band():
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.figure()
    try:
        ButterMelFilter(4, fs=8000.0, plot=True)
        assert len(plt.gca().lines) == 4
    finally:
        plt.close("all")
