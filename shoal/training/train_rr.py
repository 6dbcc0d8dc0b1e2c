r"""A ridge-regression readout: closed-form linear weights from recorded activity (NumPy).

Rockpool 3.1.0's ``training.train_rr`` cannot be imported (it "needs to be ported to the v2
API"); this is a working trainer with the API its ``RidgeRegrTrainer`` describes. It solves

.. math::

    \min_{W, b} \; \lVert X W + b - Y \rVert^2 + \lambda \lVert W \rVert^2

accumulating :math:`X^\top X` and :math:`X^\top Y` over batches (with compensated summation),
so the data never has to fit in memory at once. The bias is not regularised. Typical use:
record a reservoir's output, fit a readout, put it in a ``Linear`` module.

With ``fisher_relabelling=True`` each output column is a two-class problem (targets 1, 0, or −1
for "ignore this sample in this column"); the targets are relabelled 1 → N/N₁ and 0 → −N/N₀
with the counts of the whole data set, which makes the least-squares weights those of Fisher's
linear discriminant (Bishop, *Pattern Recognition and Machine Learning*, §4.1.5).

Examples:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3))
    >>> y = x @ np.array([[1.0], [-2.0], [0.5]]) + 3.0
    >>> trainer = RidgeRegrTrainer(num_features=3, num_outputs=1, regularize=0.0)
    >>> weights, bias = trainer.fit(x, y)
    >>> np.round(weights.ravel(), 6).tolist(), np.round(bias, 6).tolist()
    ([1.0, -2.0, 0.5], [3.0])
    >>> from shoal.nn.modules import Linear
    >>> readout = Linear((3, 1), weight=weights, bias=bias)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["RidgeRegrTrainer"]


class RidgeRegrTrainer:
    """Accumulate batches, then solve the ridge regression for weights and bias.

    Args:
        num_features: Input size ``F`` (e.g. the number of recorded neurons).
        num_outputs: Output size ``O``.
        regularize: Ridge penalty :math:`\\lambda \\geq 0` on the weights (default 0: least
            squares; the minimum-norm solution when the inputs are degenerate).
        fisher_relabelling: Treat each target column as classes 1 / 0 (−1: sample ignored in
            that column) and relabel them ``N/N₁`` / ``−N/N₀`` (counts over every batch, per
            column) so the solution is Fisher's discriminant (default ``False``). Rockpool's
            argument, in Rockpool's position.
        standardize: Z-score the inputs with the mean and standard deviation of the *first*
            batch (a zero std counts as 1) before fitting; the returned weights and bias are
            for the raw inputs. The penalty then acts on the standardised weights.
        train_biases: Fit a bias (default ``True``); otherwise it is zero.

    Attributes:
        weights: ``(F, O)`` weights after :meth:`update_model` (``None`` before).
        bias: ``(O,)`` bias after :meth:`update_model` (``None`` before).
    """

    num_features: int
    num_outputs: int
    regularize: float
    fisher_relabelling: bool
    standardize: bool
    train_biases: bool
    num_samples: int

    def __init__(
        self,
        num_features: int,
        num_outputs: int,
        regularize: float = 0.0,
        fisher_relabelling: bool = False,
        standardize: bool = False,
        train_biases: bool = True,
    ) -> None:
        for name, value in (("num_features", num_features), ("num_outputs", num_outputs)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(
                    f"RidgeRegrTrainer: `{name}` must be an integer >= 1, got {value!r}"
                )
        if (
            isinstance(regularize, bool)
            or not isinstance(regularize, numbers.Real)
            or not math.isfinite(regularize)
            or regularize < 0
        ):
            raise ValueError(
                f"RidgeRegrTrainer: `regularize` must be a finite number >= 0, got {regularize!r}"
            )
        self.num_features = int(num_features)
        self.num_outputs = int(num_outputs)
        self.regularize = float(regularize)
        self.fisher_relabelling = bool(fisher_relabelling)
        self.standardize = bool(standardize)
        self.train_biases = bool(train_biases)
        self.weights: np.ndarray | None = None
        self.bias: np.ndarray | None = None
        self.reset()

    def reset(self) -> None:
        """Forget every batch (and the standardisation statistics)."""
        size = self.num_features + int(self.train_biases)
        # Fisher relabelling ignores a sample per column (target −1): one Gram matrix per
        # column, and X^T·[y = 1], X^T·[y = 0] kept apart so the relabelling can use the counts
        # of all batches at solve time (per-batch counts would not give Fisher's solution).
        columns = (self.num_outputs,) if self.fisher_relabelling else ()
        self._xtx = np.zeros((*columns, size, size))
        self._xty = np.zeros(
            (size, 2 * self.num_outputs if self.fisher_relabelling else self.num_outputs)
        )
        self._class_counts = np.zeros((2, self.num_outputs))
        # Kahan compensation terms: many batches of large sums lose precision otherwise.
        self._xtx_error = np.zeros_like(self._xtx)
        self._xty_error = np.zeros_like(self._xty)
        self._mean: np.ndarray | None = None
        self._std: np.ndarray | None = None
        self.num_samples = 0

    def _check(self, owner: str, inp: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(inp, dtype=np.float64)
        y = np.asarray(target, dtype=np.float64)
        if x.ndim not in (2, 3) or x.shape[-1] != self.num_features:
            raise ValueError(
                f"{owner}: expected input (T, {self.num_features}) or (B, T, "
                f"{self.num_features}), got shape {x.shape}"
            )
        if y.shape != (*x.shape[:-1], self.num_outputs):
            raise ValueError(
                f"{owner}: expected target of shape {(*x.shape[:-1], self.num_outputs)} to "
                f"match the input {x.shape}, got {y.shape}"
            )
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError(f"{owner}: input and target must be finite")
        if self.fisher_relabelling and not np.all(np.isin(y, (-1.0, 0.0, 1.0))):
            bad = float(y[~np.isin(y, (-1.0, 0.0, 1.0))].ravel()[0])
            raise ValueError(
                f"{owner}: with fisher_relabelling the targets must be class labels 1, 0 or -1 "
                f"(ignored), got {bad!r}"
            )
        return x.reshape(-1, self.num_features), y.reshape(-1, self.num_outputs)

    def _design(self, x: np.ndarray) -> np.ndarray:
        if self.standardize:
            x = (x - self._mean) / self._std
        if self.train_biases:
            x = np.concatenate([x, np.ones((x.shape[0], 1))], axis=1)
        return x

    @staticmethod
    def _add(total: np.ndarray, error: np.ndarray, value: np.ndarray) -> None:
        corrected = value - error
        new_total = total + corrected
        error[...] = (new_total - total) - corrected
        total[...] = new_total

    def train_batch(self, inp: Any, target: Any, update_model: bool = False) -> None:
        """Add a batch: ``inp`` ``(T, F)`` or ``(B, T, F)``, ``target`` ``(T, O)`` / ``(B, T, O)``.

        Every time step of every batch element is one sample. ``update_model=True`` solves
        right away (see :meth:`update_model`).
        """
        x, y = self._check("RidgeRegrTrainer.train_batch", inp, target)
        if self.standardize and self._mean is None:
            self._mean = x.mean(axis=0)
            std = x.std(axis=0)
            self._std = np.where(std > 0, std, 1.0)
        design = self._design(x)
        if self.fisher_relabelling:
            used = (y != -1.0).astype(np.float64)  # (samples, O)
            gram = np.einsum("so,sf,sg->ofg", used, design, design)
            by_class = np.concatenate([design.T @ (y == 1.0), design.T @ (y == 0.0)], axis=1)
            self._add(self._xtx, self._xtx_error, gram)
            self._add(self._xty, self._xty_error, by_class)
            self._class_counts += [(y == 1.0).sum(axis=0), (y == 0.0).sum(axis=0)]
        else:
            self._add(self._xtx, self._xtx_error, design.T @ design)
            self._add(self._xty, self._xty_error, design.T @ y)
        self.num_samples += x.shape[0]
        if update_model:
            self.update_model()

    def update_model(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve :math:`(X^\\top X + \\lambda I_W)\\,[W; b] = X^\\top Y` and store the result.

        Returns:
            ``(weights (F, O), bias (O,))``, also kept as :attr:`weights` and :attr:`bias`.
        """
        if self.num_samples == 0:
            raise ValueError("RidgeRegrTrainer.update_model: no data yet; call train_batch first")
        penalty = np.full(self._xtx.shape[-1], self.regularize)
        if self.train_biases:
            penalty[-1] = 0.0  # the bias is not shrunk
        if self.fisher_relabelling:
            solution = self._solve_fisher(np.diag(penalty))
        else:
            # lstsq: the minimum-norm solution when X^T X is singular (e.g. λ = 0, T < F).
            solution = np.linalg.lstsq(self._xtx + np.diag(penalty), self._xty, rcond=None)[0]
        weights = solution[: self.num_features]
        bias = solution[-1] if self.train_biases else np.zeros(self.num_outputs)
        if self.standardize:
            assert self._mean is not None and self._std is not None
            weights = weights / self._std[:, None]
            bias = bias - self._mean @ weights
        self.weights, self.bias = weights, bias
        return weights, bias

    def _solve_fisher(self, penalty: np.ndarray) -> np.ndarray:
        ones, zeros = self._class_counts
        for column in range(self.num_outputs):
            if ones[column] == 0 or zeros[column] == 0:
                raise ValueError(
                    f"RidgeRegrTrainer.update_model: fisher_relabelling needs samples of both "
                    f"classes in every column; column {column} has {int(ones[column])} of class 1 "
                    f"and {int(zeros[column])} of class 0"
                )
        total = ones + zeros
        n_out = self.num_outputs
        xty = self._xty[:, :n_out] * (total / ones) - self._xty[:, n_out:] * (total / zeros)
        return np.stack(
            [
                np.linalg.lstsq(self._xtx[column] + penalty, xty[:, column], rcond=None)[0]
                for column in range(n_out)
            ],
            axis=1,
        )

    def fit(self, inp: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
        """Forget earlier batches, train on this one and solve: ``(weights, bias)``."""
        self.reset()
        self.train_batch(inp, target)
        return self.update_model()
