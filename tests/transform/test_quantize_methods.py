"""``global_quantize`` / ``channel_quantize`` against catalogue-2 §6.2, with the decided fixes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from shoal.transform.quantize_methods import (
    QuantizationInputError,
    channel_quantize,
    global_quantize,
)

SPEC = {
    "weights_in": np.array([[0.5, -0.25, 0.1], [1.0, 0.3, -0.7]]),
    "weights_rec": np.array([[0, 0.2, -0.1], [0.4, 0, 0.05], [-0.3, 0.6, 0]]),
    "weights_out": np.array([[0.2, -0.5], [0.8, 0.1], [-0.05, 0.3]]),
    "threshold": np.array([1.0, 0.8, 1.5]),
    "threshold_out": np.array([0.6, 1.2]),
    "dash_mem": np.array([3.4, 4.6, 2.0]),
    "dash_mem_out": np.array([1.5, 2.49]),
    "dash_syn": np.array([2.2, 3.7, 1.1]),
    "dash_syn_2": np.array([0.4, 0.6, 5.5]),
    "dash_syn_out": np.array([3.0, 2.51]),
    "bias": np.array([0.1, -0.2, 0.05]),
    "bias_out": np.array([0.02, -0.04]),
}
DASHES = {
    "dash_mem": [3, 5, 2], "dash_mem_out": [2, 2], "dash_syn": [2, 4, 1],
    "dash_syn_2": [0, 1, 6], "dash_syn_out": [3, 3],
}  # fmt: skip


def _check(result, expected):
    for name, values in expected.items():
        got = result[name][..., 0] if name in ("weights_in", "weights_rec") else result[name]
        np.testing.assert_array_equal(got, values, err_msg=name)


def test_global_quantize_golden_numbers():
    result = global_quantize(**SPEC)
    assert result["weights_in"].shape == (2, 3, 1) and result["weights_rec"].shape == (3, 3, 1)
    assert all(v.dtype == np.int64 for v in result.values())
    _check(result, {
        "weights_in": [[64, -32, 13], [127, 38, -89]],
        "weights_rec": [[0, 25, -13], [51, 0, 6], [-38, 76, 0]],
        "weights_out": [[32, -79], [127, 16], [-8, 48]],
        "threshold": [127, 102, 190],  # 190.5 rounds to even
        "threshold_out": [95, 190],
        "bias": [13, -25, 6],
        # Decided fix: the output bias uses the output scale (Rockpool: [3, -5], hidden scale).
        "bias_out": [3, -6],
        **DASHES,
    })  # fmt: skip


def test_global_quantize_fuzzy_golden_numbers():
    result = global_quantize(**SPEC, fuzzy_scaling=True)
    _check(result, {
        "weights_in": [[62, -31, 12], [124, 37, -87]],
        "threshold": [124, 99, 186],
        "threshold_out": [83, 165],
        "bias": [12, -25, 6],
        "bias_out": [3, -6],  # output scale (Rockpool: [2, -5])
    })  # fmt: skip


def test_fuzzy_scaling_clips_outliers_to_the_weight_range():
    spec = {
        **SPEC,
        "weights_in": [[0.1, 0.1, 0.1], [0.1, 0.1, 5]],
        "weights_rec": np.full((3, 3), 0.1),
    }
    result = global_quantize(**spec, fuzzy_scaling=True)
    np.testing.assert_array_equal(
        result["weights_in"].ravel(), [4, 4, 4, 4, 4, 127]
    )  # Rockpool: 221


def test_global_threshold_overflow_rescales_the_hidden_layer_and_its_bias():
    result = global_quantize(**{**SPEC, "threshold": [1.0, 0.8, 600.0]})
    _check(result, {
        "threshold": [55, 44, 32767],
        "weights_in": [[28, -14, 6], [55, 16, -38]],
        "bias": [6, -11, 3],  # rescaled with the threshold (Rockpool leaves [13, -25, 6])
        "weights_out": [[32, -79], [127, 16], [-8, 48]],
    })  # fmt: skip


def test_output_threshold_overflow_leaves_the_recurrent_weights_alone():
    plain = global_quantize(**SPEC)
    result = global_quantize(**{**SPEC, "threshold_out": [0.6, 600.0]})
    np.testing.assert_array_equal(result["weights_rec"], plain["weights_rec"])
    assert result["threshold_out"][1] == 32767
    np.testing.assert_array_equal(
        result["weights_out"][:, 1], np.round(plain["weights_out"][:, 1] * 32767 / 95250)
    )


def test_channel_quantize_golden_numbers():
    result = channel_quantize(**SPEC)
    _check(result, {
        "weights_in": [[64, -53, 18], [127, 64, -127]],
        "weights_rec": [[0, 42, -18], [51, 0, 9], [-38, 127, 0]],
        "weights_out": [[32, -127], [127, 25], [-8, 76]],
        "threshold": [127, 169, 272],
        "threshold_out": [95, 305],
        # Decided fix: scaled with the neuron's scale for one synapse too (Rockpool: [0, 0, 0]).
        "bias": [13, -42, 9],
        "bias_out": [3, -10],
        **DASHES,
    })  # fmt: skip


def test_channel_threshold_overflow_fits_the_threshold_range():
    result = channel_quantize(**{**SPEC, "threshold": [1.0, 0.8, 600.0]})
    assert result["threshold"][2] == 32767
    scale = 32767 / 600.0
    np.testing.assert_array_equal(
        result["weights_rec"][:, 2, 0], np.round(SPEC["weights_rec"][:, 2] * scale)
    )
    np.testing.assert_array_equal(result["threshold"][:2], [127, 169])


def test_inputs_are_never_modified():
    spec = copy.deepcopy(SPEC)
    for quantize in (global_quantize, channel_quantize):
        quantize(**spec)
        for name, value in SPEC.items():
            np.testing.assert_array_equal(spec[name], value, err_msg=name)


def test_three_dimensional_weights_and_extra_keys_are_accepted():
    spec = {**SPEC, "weights_rec": np.stack([SPEC["weights_rec"], SPEC["weights_rec"] / 2], -1)}
    spec["weights_in"] = np.stack([SPEC["weights_in"], SPEC["weights_in"]], -1)
    result = channel_quantize(**spec, aliases=[[]], weight_shift_in=0)
    assert result["weights_rec"].shape == (3, 3, 2)
    np.testing.assert_array_equal(
        result["weights_rec"][..., 0], [[0, 42, -18], [51, 0, 9], [-38, 127, 0]]
    )


def test_biases_are_optional_and_zero_weights_keep_scale_one():
    spec = {k: v for k, v in SPEC.items() if not k.startswith("bias")}
    spec["weights_rec"] = np.zeros((3, 3))
    spec["weights_in"] = np.array([[0.5, 0, 0], [1.0, 0, 0]])
    result = channel_quantize(**spec)
    assert "bias" not in result and "bias_out" not in result
    np.testing.assert_array_equal(result["threshold"], [127, 1, 2])  # 0.8 -> 1, 1.5 -> 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"weights_in": np.zeros(3)},
            r"global_quantize.weights_in: Weight arrays must be 2D or 3D; got shape \(3,\)",
        ),
        (
            {"weights_out": np.zeros((3, 2, 1))},
            r"global_quantize.weights_out: Output weights must be 2D; got shape \(3, 2, 1\)",
        ),
        (
            {"weights_rec": np.zeros((3, 2))},
            r"global_quantize: expected weights_in \(Nin, <= Nhid\[, S\]\), weights_rec \(Nhid, Nhid\[, S\]\) and weights_out \(Nhid, Nout\); got \(2, 3, 1\), \(3, 2, 1\) and \(3, 2\)",
        ),
        (
            {"threshold": [1.0, 2.0]},
            r"global_quantize.threshold: expected shape \(3,\), got \(2,\)",
        ),
        ({"bias": [np.nan, 0, 0]}, r"global_quantize.bias: expected finite values"),
        ({"dash_mem": "fast"}, r"global_quantize.dash_mem: expected a numeric array, got str"),
        (
            {"bits_per_weight": 1},
            r"global_quantize.bits_per_weight: expected an integer >= 2, got 1",
        ),
        (
            {"bits_per_threshold": 16.0},
            r"global_quantize.bits_per_threshold: expected an integer >= 2, got 16.0",
        ),
    ],
)
def test_bad_inputs_name_the_argument(change, message):
    with pytest.raises(QuantizationInputError, match=message):
        global_quantize(**{**SPEC, **change})


def test_errors_are_value_and_assertion_errors_and_name_the_function():
    with pytest.raises(
        ValueError, match=r"channel_quantize.weights_rec: Weight arrays must be 2D or 3D"
    ):
        channel_quantize(**{**SPEC, "weights_rec": np.zeros(3)})
    with pytest.raises(AssertionError):
        channel_quantize(**{**SPEC, "weights_out": np.zeros(3)})


@pytest.mark.parametrize("name", ["bits_per_weight", "bits_per_threshold"])
def test_channel_quantize_bit_errors_name_channel_quantize(name):
    # Both functions check their arguments in one shared helper: each must still name itself.
    with pytest.raises(
        QuantizationInputError,
        match=rf"^channel_quantize\.{name}: expected an integer >= 2, got 1$",
    ):
        channel_quantize(**{**SPEC, name: 1})
