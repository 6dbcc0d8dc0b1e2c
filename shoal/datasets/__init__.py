"""Data for training on temporal tasks, offline: loaders and spike encoders.

* :func:`load_japanese_vowels`, :func:`load_basic_motions`: UEA multivariate time series that
  ship inside the ``sktime`` (or ``aeon``) wheel (``pip install 'shoal[data]'``).
* :func:`load_shd`, :func:`load_ssc`: Spiking Heidelberg Digits / Spiking Speech Commands from
  HDF5 files you downloaded yourself (needs ``h5py``, also in ``shoal[data]``).
* :mod:`shoal.datasets.encoders`: rate, latency, delta and threshold-crossing spike encoders
  (NumPy or JAX), and :func:`~shoal.datasets.encoders.to_events`.

Nothing here downloads anything, and importing this package imports neither JAX nor the data
packages.
"""

from __future__ import annotations

from shoal.datasets import encoders
from shoal.datasets.spiking_audio import SpikeDataset, load_shd, load_ssc
from shoal.datasets.uea import (
    SequenceDataset,
    load_basic_motions,
    load_japanese_vowels,
    pad_sequences,
)

__all__ = [
    "SequenceDataset",
    "SpikeDataset",
    "encoders",
    "load_basic_motions",
    "load_japanese_vowels",
    "load_shd",
    "load_ssc",
    "pad_sequences",
]
