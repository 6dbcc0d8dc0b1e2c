"""``RidgeRegrTrainer`` against NumPy's least squares and the closed-form ridge solution."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.training.train_rr import RidgeRegrTrainer

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 40, 5)) * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + 2.0
Y = X @ RNG.normal(size=(5, 2)) + np.array([1.0, -2.0]) + 0.1 * RNG.normal(size=(3, 40, 2))


def _closed_form(x, y, lam):
    """Ridge with an unpenalised bias: centre, solve, recover the bias."""
    x, y = x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1])
    xm, ym = x.mean(0), y.mean(0)
    w = np.linalg.solve((x - xm).T @ (x - xm) + lam * np.eye(x.shape[1]), (x - xm).T @ (y - ym))
    return w, ym - xm @ w


def test_least_squares_equals_numpy_lstsq():
    weights, bias = RidgeRegrTrainer(5, 2).fit(X, Y)
    design = np.concatenate([X.reshape(-1, 5), np.ones((120, 1))], axis=1)
    expected = np.linalg.lstsq(design, Y.reshape(-1, 2), rcond=None)[0]
    np.testing.assert_allclose(weights, expected[:5], rtol=1e-9)
    np.testing.assert_allclose(bias, expected[5], rtol=1e-9)


def test_ridge_equals_the_closed_form_and_batches_add_up():
    trainer = RidgeRegrTrainer(5, 2, regularize=50.0)
    for b in range(3):
        trainer.train_batch(X[b], Y[b])
    weights, bias = trainer.update_model()
    expected_w, expected_b = _closed_form(X, Y, 50.0)
    np.testing.assert_allclose(weights, expected_w, rtol=1e-9)
    np.testing.assert_allclose(bias, expected_b, rtol=1e-9)
    np.testing.assert_allclose(
        RidgeRegrTrainer(5, 2, regularize=50.0).fit(X, Y)[0], weights, rtol=1e-9
    )
    assert trainer.num_samples == 120 and trainer.weights is weights


def test_standardize_fits_the_raw_inputs():
    # Without a penalty, z-scoring changes nothing; with one, it penalises standardised weights.
    plain = RidgeRegrTrainer(5, 2).fit(X, Y)
    scaled = RidgeRegrTrainer(5, 2, standardize=True).fit(X, Y)
    np.testing.assert_allclose(scaled[0], plain[0], rtol=1e-8)
    np.testing.assert_allclose(scaled[1], plain[1], rtol=1e-8)
    x = X.reshape(-1, 5)
    mean, std = x.mean(0), x.std(0)
    w_z, b_z = _closed_form((x - mean) / std, Y.reshape(-1, 2), 30.0)
    weights, bias = RidgeRegrTrainer(5, 2, regularize=30.0, standardize=True).fit(X, Y)
    np.testing.assert_allclose(weights, w_z / std[:, None], rtol=1e-9)
    np.testing.assert_allclose(bias, b_z - mean @ (w_z / std[:, None]), rtol=1e-9)


def test_without_biases_and_with_constant_features():
    weights, bias = RidgeRegrTrainer(5, 2, train_biases=False).fit(X, Y)
    np.testing.assert_allclose(
        weights, np.linalg.lstsq(X.reshape(-1, 5), Y.reshape(-1, 2), rcond=None)[0], rtol=1e-9
    )
    np.testing.assert_array_equal(bias, [0.0, 0.0])
    x = np.concatenate([X, np.ones((3, 40, 1))], axis=-1)  # a constant feature: std 0 -> 1
    weights, _ = RidgeRegrTrainer(6, 2, standardize=True).fit(x, Y)
    assert np.all(np.isfinite(weights))


def test_update_model_on_train_batch_and_reset():
    trainer = RidgeRegrTrainer(5, 2)
    trainer.train_batch(X, Y, update_model=True)
    assert trainer.weights is not None
    trainer.reset()
    with pytest.raises(
        ValueError, match=r"RidgeRegrTrainer\.update_model: no data yet; call train_batch first"
    ):
        trainer.update_model()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_features": 0}, r"`num_features` must be an integer >= 1, got 0"),
        ({"num_outputs": 2.0}, r"`num_outputs` must be an integer >= 1, got 2.0"),
        ({"regularize": -1.0}, r"`regularize` must be a finite number >= 0, got -1.0"),
        ({"regularize": float("inf")}, r"`regularize` must be a finite number >= 0, got inf"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=f"RidgeRegrTrainer: {message}"):
        RidgeRegrTrainer(**{"num_features": 5, "num_outputs": 2, **kwargs})


def test_bad_batches_are_refused_and_leave_the_sums_alone():
    trainer = RidgeRegrTrainer(5, 2)
    with pytest.raises(
        ValueError,
        match=r"RidgeRegrTrainer.train_batch: expected input \(T, 5\) or \(B, T, 5\), got shape \(40, 4\)",
    ):
        trainer.train_batch(X[0, :, :4], Y[0])
    with pytest.raises(
        ValueError,
        match=r"expected target of shape \(40, 2\) to match the input \(40, 5\), got \(40, 1\)",
    ):
        trainer.train_batch(X[0], Y[0, :, :1])
    with pytest.raises(
        ValueError, match=r"RidgeRegrTrainer\.train_batch: input and target must be finite"
    ):
        trainer.train_batch(np.full((4, 5), np.nan), np.zeros((4, 2)))
    assert trainer.num_samples == 0


# ---- fisher_relabelling (catalogue-2 §7.5): least squares on relabelled targets = Fisher's LDA
def _two_classes(seed: int = 1, n1: int = 70, n0: int = 130) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = np.array([[1.0, 0.6, 0.0], [0.0, 1.0, 0.3], [0.2, 0.0, 0.5]])
    x1 = rng.normal(size=(n1, 3)) @ mixing + np.array([1.0, 0.5, -0.5])
    x0 = rng.normal(size=(n0, 3)) @ mixing
    x = np.concatenate([x1, x0])
    y = np.concatenate([np.ones(n1), np.zeros(n0)])[:, None]
    return x, y


def _fisher_direction(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x1, x0 = x[y[:, 0] == 1], x[y[:, 0] == 0]
    within = (x1 - x1.mean(0)).T @ (x1 - x1.mean(0)) + (x0 - x0.mean(0)).T @ (x0 - x0.mean(0))
    return np.linalg.solve(within, x1.mean(0) - x0.mean(0))


def test_fisher_relabelling_gives_fishers_discriminant_over_batches():
    x, y = _two_classes()
    trainer = RidgeRegrTrainer(3, 1, 0.0, True)  # Rockpool's positional order
    assert trainer.fisher_relabelling and not trainer.standardize
    # Batches with different class ratios: the counts of the whole data set are what count.
    trainer.train_batch(x[:50], y[:50])
    trainer.train_batch(x[50:], y[50:])
    weights, bias = trainer.update_model()
    direction = _fisher_direction(x, y)
    cosine = weights[:, 0] @ direction / np.linalg.norm(weights) / np.linalg.norm(direction)
    assert cosine == pytest.approx(1.0, abs=1e-12)
    # Bishop §4.1.5: the relabelled targets sum to zero, so the bias is −w·mean(x).
    np.testing.assert_allclose(bias, -x.mean(0) @ weights, rtol=1e-9, atol=1e-12)
    # It is least squares on the relabelled targets N/N₁ and −N/N₀ (not on the 0/1 labels).
    relabelled = np.where(y == 1, 200 / 70, -200 / 130)
    design = np.concatenate([x, np.ones((200, 1))], axis=1)
    expected = np.linalg.lstsq(design, relabelled, rcond=None)[0]
    np.testing.assert_allclose(weights, expected[:3], rtol=1e-9)
    np.testing.assert_allclose(bias, expected[3], rtol=1e-9, atol=1e-12)
    assert not np.allclose(RidgeRegrTrainer(3, 1).fit(x, y)[0], weights)


def test_fisher_relabelling_ignores_minus_one_per_column():
    x, y = _two_classes()
    extra = np.random.default_rng(5).normal(size=(40, 3)) * 10.0
    # Column 1 marks the extra samples as ignored; column 0 is the same problem with them left out.
    x_all = np.concatenate([x, extra])
    targets = np.concatenate(
        [np.concatenate([y, y], axis=1), np.concatenate([-np.ones((40, 1)), -np.ones((40, 1))], 1)]
    )
    targets[:200, 0] = y[:, 0]
    weights, bias = RidgeRegrTrainer(3, 2, fisher_relabelling=True).fit(x_all, targets)
    expected_w, expected_b = RidgeRegrTrainer(3, 1, fisher_relabelling=True).fit(x, y)
    np.testing.assert_allclose(weights, np.concatenate([expected_w, expected_w], 1), rtol=1e-9)
    np.testing.assert_allclose(bias, np.concatenate([expected_b, expected_b]), rtol=1e-9)


def test_fisher_relabelling_refuses_non_labels_and_a_missing_class():
    x, y = _two_classes()
    trainer = RidgeRegrTrainer(3, 1, fisher_relabelling=True)
    with pytest.raises(ValueError, match=r"targets must be class labels 1, 0 or -1 .*got 0.5"):
        trainer.train_batch(x[:3], np.full((3, 1), 0.5))
    assert trainer.num_samples == 0
    trainer.train_batch(x[:60], y[:60])  # class 1 only
    with pytest.raises(ValueError, match=r"column 0 has 60 of class 1 and 0 of class 0"):
        trainer.update_model()
