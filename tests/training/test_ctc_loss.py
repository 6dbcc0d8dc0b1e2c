"""``ctc_loss_numpy`` / ``ctc_loss_jax`` against catalogue-2 §7.3 and a brute-force sum over paths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from shoal.training.ctc_loss import ctc_loss_numpy

LOG_PROB = np.log([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.2, 0.3]])
GOLDEN = [([1], 3, 0.996959), ([1, 2], 3, 1.49165), ([2, 2], 3, 5.116), ([1], 2, 0.673345)]


def _collapse(path):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return [c for c in merged if c != 0]


def _brute_force(label, log_prob, steps):
    """−log of the summed probability of every path that collapses to ``label``."""
    total = 0.0
    for path in itertools.product(range(log_prob.shape[1]), repeat=steps):
        if _collapse(path) == list(label):
            total += np.exp(sum(log_prob[t, c] for t, c in enumerate(path)))
    return -np.log(total)


@pytest.mark.parametrize(("label", "steps", "expected"), GOLDEN)
def test_numpy_golden_numbers(label, steps, expected):
    assert ctc_loss_numpy(label, LOG_PROB, steps) == pytest.approx(expected, rel=1e-5)


def test_numpy_matches_the_sum_over_all_paths():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4))
    log_prob = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    for label in ([1], [3, 3], [1, 2, 1], [2, 3]):
        assert ctc_loss_numpy(label, log_prob, 5) == pytest.approx(
            _brute_force(label, log_prob, 5), rel=1e-10
        )


def test_impossible_label_costs_about_big_num():
    # [1, 1, 1] needs 5 steps (blanks between repeats); 3 are available.
    assert ctc_loss_numpy([1, 1, 1], LOG_PROB, 3) == pytest.approx(1e10, rel=1e-6)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            ([0, 1], LOG_PROB, 3),
            ValueError,
            r"ctc_loss_numpy: labels must be classes 1 … C−1 = 2 \(0 is the blank\), got \[0, 1\]",
        ),
        (([3], LOG_PROB, 3), ValueError, r"labels must be classes 1 … C−1 = 2"),
        (
            ([], LOG_PROB, 3),
            ValueError,
            r"ctc_loss_numpy: `label` must be a non-empty 1-D sequence of ints, got \[\]",
        ),
        (([1.5], LOG_PROB, 3), ValueError, r"`label` must be a non-empty 1-D sequence of ints"),
        (
            ([1], LOG_PROB[0], 3),
            ValueError,
            r"ctc_loss_numpy: `log_prob` must be \(T, C\), got shape \(3,\)",
        ),
        (
            ([1], LOG_PROB, 4),
            ValueError,
            r"ctc_loss_numpy: `seq_length` must be in \[1, T = 3\], got 4",
        ),
        (([1], LOG_PROB, 2.0), TypeError, r"ctc_loss_numpy: `seq_length` must be an int, got 2.0"),
    ],
)
def test_bad_arguments_are_refused(args, error, message):
    with pytest.raises(error, match=message):
        ctc_loss_numpy(*args)


class TestJax:
    jax = pytest.importorskip("jax")

    @pytest.mark.parametrize(("label", "steps", "expected"), GOLDEN)
    def test_jax_golden_numbers(self, label, steps, expected):
        from shoal.training.ctc_loss import ctc_loss_jax

        value = ctc_loss_jax(label, self.jax.numpy.asarray(LOG_PROB, np.float32), steps)
        assert float(value) == pytest.approx(expected, rel=1e-5)

    def test_jit_with_traced_label_and_grad(self):
        jax = self.jax
        from shoal.training.ctc_loss import ctc_loss_jax

        log_prob = jax.numpy.asarray(LOG_PROB, np.float32)
        jitted = jax.jit(ctc_loss_jax, static_argnames=("seq_length",))
        assert float(jitted(jax.numpy.array([1, 2]), log_prob, seq_length=3)) == pytest.approx(
            1.49165, rel=1e-5
        )
        grads = jax.grad(lambda p: ctc_loss_jax([1, 2], p, 3))(log_prob)
        np.testing.assert_allclose(
            grads, [[-0.4, -0.6, 0], [-0.08, -0.6, -0.32], [-0.2, 0, -0.8]], atol=1e-6
        )

    def test_jax_errors_name_the_function(self):
        from shoal.training.ctc_loss import ctc_loss_jax

        with pytest.raises(ValueError, match=r"ctc_loss_jax: labels must be classes 1 … C−1 = 2"):
            ctc_loss_jax([0], LOG_PROB, 3)
