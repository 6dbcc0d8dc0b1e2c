"""``shoal.training.fit``: determinism under a seed, best-model selection, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = jax.numpy

from shoal.nn.modules import LinearJax  # noqa: E402
from shoal.training import fit, make_train_step  # noqa: E402


def regression_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)
    net = LinearJax((3, 1), weight=np.zeros((3, 1)))

    def loss(params, net, x, y):
        out, _, _ = net.set_attributes(params)(x[:, None, :])
        error = jnp.mean((out[:, 0] - y) ** 2)
        return error, {"accuracy": jnp.mean(jnp.abs(out[:, 0] - y) < 0.5)}

    optimiser = optax.sgd(0.05)
    params = net.parameters()
    return net, make_train_step(loss, optimiser, has_aux=True), params, optimiser.init(params), x, y


def test_same_seed_same_numbers_other_seed_other_order():
    net, step, params, state, x, y = regression_problem()
    kwargs = {"epochs": 3, "batch_size": 8, "args": (net,), "progress": False}
    a = fit(step, params, state, (x, y), seed=1, **kwargs)
    b = fit(step, params, state, (x, y), seed=1, **kwargs)
    c = fit(step, params, state, (x, y), seed=2, **kwargs)
    np.testing.assert_array_equal(a.params["weight"], b.params["weight"])
    assert a.history["loss"] == b.history["loss"]
    assert not np.array_equal(a.params["weight"], c.params["weight"])
    assert len(a.history["accuracy"]) == 3 and a.history["loss"][-1] < a.history["loss"][0]
    assert a.best_epoch == 2 and a.best_score is None  # no validation: the last epoch


def test_keeps_the_best_validated_parameters_and_checkpoints_them(tmp_path):
    net, step, params, state, x, y = regression_problem()
    scores = iter([0.2, 0.9, 0.5, 0.9])  # epoch 1 is the best; the tie at epoch 3 loses
    seen = []

    def validate(p):
        seen.append(np.asarray(p["weight"]).copy())
        return next(scores)

    path = tmp_path / "best.npz"
    result = fit(step, params, state, (x, y), epochs=4, batch_size=8, args=(net,),
                 validate=validate, checkpoint=path, net=net, progress=False)  # fmt: skip
    assert result.best_epoch == 1 and result.best_score == 0.9
    assert result.history["validation"] == [0.2, 0.9, 0.5, 0.9]
    np.testing.assert_array_equal(result.params["weight"], seen[1])
    np.testing.assert_array_equal(result.last_params["weight"], seen[3])
    assert not np.array_equal(seen[1], seen[3])
    restored = net.load(path)
    np.testing.assert_allclose(restored.weight, seen[1])


def test_augment_gets_the_seeded_generator_and_progress_shows(capsys):
    net, step, params, state, x, y = regression_problem()
    draws = []

    def augment(batch, rng):
        draws.append(rng.random())
        return batch

    fit(step, params, state, (x, y), epochs=2, batch_size=16, args=(net,), augment=augment,
        seed=5, desc="unit-test")  # fmt: skip
    assert len(draws) == 4  # 40 // 16 = 2 batches per epoch (the remainder is dropped)
    err = capsys.readouterr().err
    assert "unit-test" in err and "samples/s" in err and "loss=" in err


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "fit: expected batch_size an integer >= 1, got 0"),
        ({"epochs": 0}, ValueError, "fit: expected epochs an integer >= 1, got 0"),
        (
            {"batch_size": 41},
            ValueError,
            "fit: expected at least batch_size=41 training samples, got 40",
        ),
        ({"checkpoint": "x.npz"}, ValueError, "fit: expected net .* with checkpoint, got None"),
        (
            {"train_data": "xy"},
            TypeError,
            r"fit: expected train_data a tuple of arrays such as \(x, y\), got str",
        ),
        ({"train_data": (np.ones(3), np.ones(4))}, ValueError, r"one leading size, got \[3, 4\]"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    net, step, params, state, x, y = regression_problem()
    arguments = {"epochs": 1, "batch_size": 8, "args": (net,), "progress": False, **kwargs}
    data = arguments.pop("train_data", (x, y))
    with pytest.raises(error, match=message):
        fit(step, params, state, data, **arguments)


def test_divergence_and_nan_scores_are_loud():
    net, step, params, state, x, y = regression_problem()
    with pytest.raises(
        ValueError, match="fit: expected validate to return a finite score, got nan in epoch 0"
    ):
        fit(step, params, state, (x, y), epochs=2, batch_size=8, args=(net,),
            validate=lambda p: float("nan"), progress=False)  # fmt: skip
    diverging = make_train_step(lambda p, net, x, y: jnp.sum(p["weight"]) * jnp.inf, optax.sgd(0.1))
    with pytest.raises(FloatingPointError, match="fit: expected a finite loss, got nan in epoch 0"):
        fit(diverging, params, state, (x, y), epochs=1, batch_size=8, args=(net,), progress=False)
