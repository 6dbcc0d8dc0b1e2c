"""One figure per spike encoder of :mod:`shoal.datasets.encoders`.

Run: ``python examples/encoders.py [--out demo-output]`` (needs ``pip install 'shoal[plot]'``).
Writes ``encoder_rate.png``, ``encoder_latency.png``, ``encoder_delta.png`` and
``encoder_threshold_crossing.png``: each shows the input above the spikes it becomes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from shoal.datasets.encoders import delta, latency, rate, threshold_crossing

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the demos' shared code, below
from _demo_common import parse_args, pyplot, save

DT = 1e-3  # s per time step


def _figure(title: str) -> tuple[Any, Any, Any]:
    fig, (top, bottom) = pyplot().subplots(2, 1, figsize=(9, 6), sharex=False)
    fig.suptitle(title)
    return fig, top, bottom


def _raster(ax: Any, spikes: np.ndarray, channels: Any = None, **style: Any) -> None:
    t, n = np.nonzero(spikes)
    ax.scatter(
        t * DT * 1e3, n if channels is None else np.asarray(channels)[n], marker="|", **style
    )


def intensities() -> np.ndarray:
    return np.linspace(0.0, 1.0, 8)


def plot_rate(out: Path) -> Path:
    x = intensities()
    spikes = rate(x[None], n_steps=200, max_rate=200.0, dt=DT, seed=0)[0]
    fig, top, bottom = _figure("Rate coding (Bernoulli, 200 Hz at intensity 1)")
    top.barh(np.arange(8), x, color="0.5")
    top.set(xlabel="intensity (dimensionless, 0–1)", ylabel="channel", title="Input")
    _raster(bottom, spikes, s=60, color="k")
    bottom.set(xlabel="time (ms)", ylabel="channel", title="Spikes", yticks=range(8))
    return save(fig, out / "encoder_rate.png")


def plot_latency(out: Path) -> Path:
    x = intensities()
    spikes = latency(x[None], n_steps=50, threshold=0.05)[0]
    fig, top, bottom = _figure("Latency coding: one spike, earlier for larger input")
    top.barh(np.arange(8), x, color="0.5")
    top.set(xlabel="intensity (dimensionless, 0–1)", ylabel="channel", title="Input")
    _raster(bottom, spikes, s=200, color="k")
    bottom.set(xlabel="time (ms)", ylabel="channel", title="Spikes (channel 0 is silent)")
    bottom.set(yticks=range(8), xlim=(-2, 50), ylim=(-0.5, 7.5))
    return save(fig, out / "encoder_latency.png")


def signal() -> np.ndarray:
    t = np.arange(300) * DT
    return np.stack([np.sin(2 * np.pi * 5 * t), 0.6 * np.sin(2 * np.pi * 11 * t) + t], -1)


def plot_delta(out: Path) -> Path:
    x = signal()
    theta = 0.2
    spikes = delta(x, theta)  # (T, 4): up 0, 1; down 2, 3
    fig, top, bottom = _figure(f"Send-on-delta coding (threshold {theta})")
    time_ms = np.arange(len(x)) * DT * 1e3
    for n in range(2):
        top.plot(time_ms, x[:, n], color=f"C{n}", label=f"signal {n}")
    top.set(xlabel="time (ms)", ylabel="signal (a.u.)", title="Input")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    _raster(bottom, spikes[:, :2], [0, 2], s=60, color="C2", label="up")
    _raster(bottom, spikes[:, 2:], [1, 3], s=60, color="C3", label="down")
    bottom.set(xlabel="time (ms)", title="Spikes", yticks=range(4))
    bottom.set_yticklabels(["0 up", "0 down", "1 up", "1 down"])
    bottom.set_ylabel("channel (signal, direction)")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    bottom.set_xlim(top.get_xlim())
    return save(fig, out / "encoder_delta.png")


def plot_threshold_crossing(out: Path) -> Path:
    x = signal()[:, :1]
    levels = np.array([-0.5, 0.0, 0.5])
    spikes = threshold_crossing(x, levels)  # (T, 6): up crossings of 3 levels, then down
    fig, top, bottom = _figure("Threshold-crossing coding (levels −0.5, 0, 0.5)")
    time_ms = np.arange(len(x)) * DT * 1e3
    top.plot(time_ms, x[:, 0], color="k", label="signal")
    for level in levels:
        top.axhline(level, color="0.6", ls="--", lw=0.8)
    top.set(xlabel="time (ms)", ylabel="signal (a.u.)", title="Input (dashed: levels)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    _raster(bottom, spikes[:, :3], [0, 1, 2], s=150, color="C2", label="up crossing")
    _raster(bottom, spikes[:, 3:], [0, 1, 2], s=150, color="C3", label="down crossing")
    bottom.set(xlabel="time (ms)", ylabel="level", title="Spikes", yticks=range(3))
    bottom.set_yticklabels([f"{v:g}" for v in levels])
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    bottom.set_xlim(top.get_xlim())
    return save(fig, out / "encoder_threshold_crossing.png")


def main(argv: list[str] | None = None) -> list[Path]:
    args = parse_args(__doc__.splitlines()[0], argv)
    written = [
        plot(args.out) for plot in (plot_rate, plot_latency, plot_delta, plot_threshold_crossing)
    ]
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main()
