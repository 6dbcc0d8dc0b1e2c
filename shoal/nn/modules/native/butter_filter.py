"""Butterworth audio filter banks (NumPy only, SciPy): ``ButterFilter`` and ``ButterMelFilter``.

They are an offline front-end (as in Rockpool, which ships them for NumPy only): they have no
``dt`` and nothing to train, and they turn raw audio sampled at ``fs`` into per-band envelopes
that a network then reads. Each band is a digital Butterworth band-pass (SciPy's convention:
``order`` second-order sections), optionally followed by full-wave rectification and a
Butterworth low-pass at ``cutoff_fs`` (an envelope).

Departures from Rockpool (decided): each filter's state is carried between calls, so a first
call gives Rockpool's numbers and later calls continue the signal; input may be ``(T,)``,
``(T, 1)`` or ``(B, T, 1)`` (filtered along time; other channel counts are refused).
``normalize`` and ``mean_subtraction`` work on each call's output (per batch element), so they
do not stream.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from shoal.backend._lazy import require
from shoal.nn.modules.module import Module
from shoal.parameters import SimulationParameter, State

__all__ = ["ButterFilter", "ButterMelFilter", "mel_band_edges"]


def _mel(f: Any) -> Any:
    return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)


def _mel_inverse(m: Any) -> Any:
    return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)


def mel_band_edges(n: int, fs: float, cutoff_fs: float, filter_width: float) -> np.ndarray:
    """``(n, 2)`` band edges in Hz: lower edges mel-spaced from ``cutoff_fs``, upper ``·(1 + w)``.

    ``w = filter_width / n``; the highest lower edge is ``(fs/2)/(1 + w) − 1``.
    """
    width = filter_width / n
    top = (fs / 2.0) / (1.0 + width) - 1.0
    lower = _mel_inverse(np.linspace(_mel(cutoff_fs), _mel(top), n))
    return np.stack([lower, lower * (1.0 + width)], axis=1)


def _check_number(owner: str, name: str, value: Any, integer: bool = False) -> None:
    kinds = (numbers.Integral,) if integer else (numbers.Real,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        expected = "a positive int" if integer else "a number"
        raise TypeError(f"{owner}.{name}: expected {expected}, got {value!r}")
    if not float(value) > 0:  # NaN fails too
        raise ValueError(f"{owner}.{name}: expected a value > 0, got {value!r}")


def _check_cutoff(owner: str, cutoff_fs: float, fs: float) -> None:
    if not 0.0 < cutoff_fs < fs / 2.0:
        raise ValueError(
            f"{owner}.cutoff_fs: expected 0 < cutoff_fs < fs/2 = {fs / 2.0}, got {cutoff_fs}"
        )


class _FilterBank(Module):
    """Shared machinery: filter design, the streaming state, evolve."""

    _spike_records: ClassVar[frozenset[str]] = frozenset()

    def _setup(
        self,
        edges: np.ndarray,
        fs: float,
        cutoff_fs: float,
        order: int,
        num_workers: int,
        mean_subtraction: bool,
        normalize: bool,
        use_lowpass: bool,
    ) -> None:
        owner = type(self).__name__
        signal = require("scipy.signal", "audio", f"{owner}")
        nyquist = fs / 2.0
        _check_cutoff(owner, cutoff_fs, fs)
        self.fs = SimulationParameter(float(fs))
        self.cutoff_fs = SimulationParameter(float(cutoff_fs))
        self.order = SimulationParameter(int(order))
        self.num_workers = SimulationParameter(int(num_workers))  # Rockpool: chunking only
        self.mean_subtraction = SimulationParameter(bool(mean_subtraction))
        self.normalize = SimulationParameter(bool(normalize))
        self.use_lowpass = SimulationParameter(bool(use_lowpass))
        # Designs are derived from the settings above (not registered: nothing to train/set).
        self._bands = np.stack(
            [signal.butter(order, band / nyquist, btype="band", output="sos") for band in edges]
        )  # (N, order, 6)
        self._lowpass = signal.butter(order, cutoff_fs / nyquist, btype="low", output="sos")
        n = len(edges)
        self.band_state = State(np.zeros((n, self._bands.shape[1], 2)))
        self.lowpass_state = State(np.zeros((n, self._lowpass.shape[0], 2)))

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Filter ``(T,)``/``(T, 1)`` (output ``(T, N)``) or ``(B, T, 1)`` (``(B, T, N)``)."""
        signal = require("scipy.signal", "audio", type(self).__name__)
        raw = np.asarray(input_data)
        unbatched = raw.ndim <= 2
        if raw.ndim == 1:  # (T,): one channel, unambiguous here (size_in is 1)
            raw = raw[:, None]
        data, (band_state, lowpass_state) = self._auto_batch(
            raw, (self.band_state, self.lowpass_state)
        )
        x = data[..., 0]  # (B, T)
        outputs, new_band, new_lowpass = [], [], []
        for k, sos in enumerate(self._bands):
            # zi: (sections, B, 2) for x (B, T) filtered along time.
            y, state = signal.sosfilt(sos, x, axis=-1, zi=np.moveaxis(band_state[:, k], 0, 1))
            new_band.append(state)
            if self.use_lowpass:
                zi = np.moveaxis(lowpass_state[:, k], 0, 1)
                y, state = signal.sosfilt(self._lowpass, np.abs(y), axis=-1, zi=zi)
            else:
                state = np.moveaxis(lowpass_state[:, k], 0, 1)
            new_lowpass.append(state)
            outputs.append(y)
        out = np.stack(outputs, axis=-1)  # (B, T, N)
        if self.normalize:  # the largest |y| over all channels and times (per batch element)
            peak = np.max(np.abs(out), axis=(1, 2), keepdims=True)
            out = out / np.where(peak > 0, peak, 1.0)
        if self.mean_subtraction:  # the mean over all channels and times, as Rockpool
            out = out - np.mean(out, axis=(1, 2), keepdims=True)
        new_state = {  # batch 0, stored (N, sections, 2)
            "band_state": np.stack([s[:, 0] for s in new_band]),
            "lowpass_state": np.stack([s[:, 0] for s in new_lowpass]),
        }
        self._commit_state(new_state)
        return (out[0] if unbatched else out), new_state, {}


class ButterFilter(_FilterBank):
    """A bank of Butterworth band-pass filters at given frequencies (NumPy, SciPy).

    Band ``k`` is ``[frequency_k − bandwidth_k/2, frequency_k + bandwidth_k/2]`` Hz; the
    low-pass cutoff is the lowest band's lower edge. See the module docstring.

    Args:
        frequency: Centre frequencies (Hz), one per filter.
        bandwidth: Bandwidth(s) (Hz), a scalar or one per filter.
        fs: Sampling frequency (Hz), > 0; default 44100.
        order: Butterworth order, a positive int (default 2).
        mean_subtraction: Subtract the mean over all channels and times (default False).
        normalize: Divide by the largest ``|y|`` over all channels and times (default False).
        num_workers: Kept for Rockpool compatibility (a positive int; no effect).
        use_lowpass: Rectify and low-pass each band (default True).

    Shape ``(1, N)``. Input ``(T,)``, ``(T, 1)`` → output ``(T, N)`` float64; ``(B, T, 1)`` →
    ``(B, T, N)``. State ``band_state``, ``lowpass_state`` (the filters' memories).
    """

    def __init__(
        self,
        frequency: Any,
        bandwidth: Any,
        fs: float = 44100.0,
        order: int = 2,
        mean_subtraction: bool = False,
        normalize: bool = False,
        num_workers: int = 1,
        use_lowpass: bool = True,
    ) -> None:
        owner = type(self).__name__
        _check_number(owner, "fs", fs)
        _check_number(owner, "order", order, integer=True)
        _check_number(owner, "num_workers", num_workers, integer=True)
        frequency = np.atleast_1d(np.asarray(frequency, dtype=float))
        bandwidth = np.asarray(bandwidth, dtype=float)
        if bandwidth.size not in (1, frequency.size) or frequency.ndim != 1:
            raise ValueError(
                f"{owner}: `bandwidth` must be either a scalar or of the same size than "
                f"`frequency`. Got {bandwidth.size} and {frequency.size}"
            )
        bandwidth = np.broadcast_to(bandwidth.reshape(-1), frequency.shape)
        if np.any(frequency - bandwidth / 2 <= 0):
            raise ValueError(f"{owner}: `frequency` must be greater than `bandwidth` / 2")
        if np.any(frequency + bandwidth / 2 > fs / 2):
            raise ValueError(f"{owner}: `frequency` must be lesser than (`fs` - `bandwidth`) / 2")
        super().__init__(shape=(1, frequency.size), spiking_input=False, spiking_output=False)
        edges = np.stack([frequency - bandwidth / 2, frequency + bandwidth / 2], axis=1)
        self.frequency = SimulationParameter(frequency)
        self.bandwidth = SimulationParameter(bandwidth.copy())
        lowest = int(np.argmin(frequency))
        cutoff = float(edges[lowest, 0])
        self._setup(edges, fs, cutoff, order, num_workers, mean_subtraction, normalize, use_lowpass)


class ButterMelFilter(_FilterBank):
    """A bank of Butterworth band-pass filters on a mel scale (NumPy, SciPy).

    Lower band edges are mel-spaced from ``cutoff_fs`` (:func:`mel_band_edges`), each band
    ``[f_k, f_k·(1 + filter_width/N)]``. See the module docstring.

    Args:
        shape: ``N`` or ``(1, N)``: ``N`` filters (default ``(1, 64)``).
        fs: Sampling frequency (Hz), > 0; default 44100.
        cutoff_fs: Lowest band edge and low-pass cutoff (Hz), in ``(0, fs/2)``; default 100.
        filter_width: Total relative width; each band is ``filter_width / N`` (default 2).
        mean_subtraction, normalize, order, num_workers, use_lowpass: As :class:`ButterFilter`.
        plot: Draw the filters' frequency responses with matplotlib (extra ``shoal[plot]``).

    Input, output and state as :class:`ButterFilter`.
    """

    def __init__(
        self,
        shape: Any = (1, 64),
        fs: float = 44100.0,
        cutoff_fs: float = 100.0,
        filter_width: float = 2.0,
        mean_subtraction: bool = False,
        normalize: bool = False,
        order: int = 2,
        num_workers: int = 1,
        plot: bool = False,
        use_lowpass: bool = True,
    ) -> None:
        owner = type(self).__name__
        shape = (1, shape) if isinstance(shape, numbers.Integral) else tuple(shape)
        if len(shape) != 2 or shape[0] != 1:
            raise ValueError(f"{owner}: The input dimension (`shape[0]`) must be `1`; got {shape}")
        _check_number(owner, "fs", fs)
        _check_number(owner, "cutoff_fs", cutoff_fs)
        _check_number(owner, "filter_width", filter_width)
        _check_number(owner, "order", order, integer=True)
        _check_number(owner, "num_workers", num_workers, integer=True)
        _check_cutoff(owner, float(cutoff_fs), float(fs))
        super().__init__(shape=shape, spiking_input=False, spiking_output=False)
        edges = mel_band_edges(self.size_out, float(fs), float(cutoff_fs), float(filter_width))
        if not edges[0, 0] < edges[-1, 0] or edges[-1, 1] >= fs / 2:
            raise ValueError(f"{owner}: `cutoff_fs` is too large (given: {cutoff_fs})")
        self.filter_width = SimulationParameter(float(filter_width))
        self._setup(
            edges, fs, cutoff_fs, order, num_workers, mean_subtraction, normalize, use_lowpass
        )
        if plot:
            self.plot_filters()

    def plot_filters(self) -> None:
        """Plot every band's frequency response (needs ``shoal[plot]``)."""
        plt = require("matplotlib.pyplot", "plot", "ButterMelFilter(plot=True)")
        signal = require("scipy.signal", "audio", "ButterMelFilter")
        for sos in self._bands:
            freqs, response = signal.sosfreqz(sos, worN=2048, fs=self.fs)
            plt.plot(freqs, np.abs(response))
        plt.xlabel("frequency (Hz)")
        plt.ylabel("gain")
