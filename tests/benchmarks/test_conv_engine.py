"""benchmarks/conv_engine.py: each engine's decoder step, plain and folded, and its weight gradient (one
repeat, one engine in a child), and the table with the folding's speed-up."""

import pytest

from tests.scripts import load_script

conv_engine = load_script("benchmarks/conv_engine.py")


@pytest.mark.one_backend("jax")
def test_an_engine_is_timed_plain_and_folded_and_the_table_shows_the_speed_up():
    argv = ["--backends", "jax", "--repeats", "1", "--no-write"]
    rows = conv_engine.main(argv)
    assert [row["backend"] for row in rows] == ["jax"]
    assert all(rows[0][key] > 0 for key in ("decoder_step_ms", "weight_gradient_ms", "folded_decoder_step_ms"))
    parsed = type("Args", (), {"argv": argv, "repeats": 1})
    text = conv_engine.table([{"backend": "jax", "decoder_step_ms": 300.0, "weight_gradient_ms": 50.0,
                               "folded_decoder_step_ms": 100.0},
                              {"backend": "torch", "decoder_step_ms": 150.0, "weight_gradient_ms": 10.0,
                               "folded_decoder_step_ms": 100.0}], parsed)
    assert "| jax | 300.0 | 2.0 | 50.0 | 5.0 | 100.0 | 1.0 | 3.00 |" in text
    assert "| torch | 150.0 | 1.0 | 10.0 | 1.0 | 100.0 | 1.0 | 1.50 |" in text
