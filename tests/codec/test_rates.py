import numpy as np
import pytest

import keras_jointcomp as jc
from keras_jointcomp import codec
from keras_jointcomp.layers import BinaryQuantizer, RoundingQuantizer
from keras_jointcomp.layers import EntropyStepQuantizer
from keras_jointcomp.rate import curve_row, matched_budget_comparison
from tests.conftest import tiny_images


@pytest.mark.parametrize("scale, bits, step", [(0.5, 5, 0.5), (1.0, 4, 1.0), (2.0, 3, 2.0), (3.0, 3, 3.0),
                                               (8.0, 1, 8.0), (16.0, 1, 16.0)])
def test_rounding_quantizer_keeps_its_value_range_with_fewer_levels(scale, bits, step):
    coarse = RoundingQuantizer(num_bits=4).with_step_scale(scale)
    assert (coarse.num_bits, coarse.step) == (bits, step)
    assert (2**coarse.num_bits - 1) * coarse.step > 15 - coarse.step
    assert 2**(coarse.num_bits - 1) - 1 < 15 / coarse.step  # one bit fewer would not cover it


def test_other_quantizers_scale_or_refuse():
    assert RoundingQuantizer(num_bits=None, step=0.5).with_step_scale(4).step == 2.0
    steps = EntropyStepQuantizer([0.5, 1.0]).with_step_scale(2)._initial_steps
    np.testing.assert_array_equal(steps, [1.0, 2.0])
    bits = BinaryQuantizer()
    assert bits.with_step_scale(1) is bits
    with pytest.raises(ValueError, match="one rate"):
        bits.with_step_scale(2)
    with pytest.raises(ValueError, match="positive"):
        RoundingQuantizer().with_step_scale(0)


def test_entropy_coding_merges_covers_and_round_trips():
    model = jc.models.load("atl_lenet")
    images = tiny_images(16)[0]
    first = codec.fit_entropy_coding(model, images, [1, 2])
    merged = first.merged(codec.fit_entropy_coding(model, images, [4]))
    assert merged.step_scales == [1.0, 2.0, 4.0] and merged.covers(4) and not first.covers(4)
    again = codec.EntropyCoding.from_config(merged.get_config())
    assert all(again.entropy_model(s) == merged.entropy_model(s) for s in merged.step_scales)
    assert codec.requantized(model, 1) is model
    assert codec.requantized(model, 2).quantizer.step == 2.0


def _row(codec_name, size, accuracy, psnr=20.0):
    learned = codec_name.startswith("learned")
    return curve_row(codec=codec_name, setting=f"{size}", step_scale=1.0 if learned else None,
                     bytes_per_image=size, compact_bytes_per_image=size - 20 if learned else size,
                     accuracy=accuracy, psnr_db=psnr)


def test_matched_budget_comparison_interpolates_inside_the_learned_range_only():
    rows = [_row("learned", 50, 0.90, 20.0), _row("learned", 100, 0.98, 30.0), _row("learned other", 70, 0.1),
            _row("jpeg", 75, 0.93, 24.0), _row("jpeg", 120, 0.99), _row("webp", 40, 0.5), _row("webp", 100, 0.99)]
    comparison = matched_budget_comparison(rows, "learned")
    assert [(row["codec"], row["bytes_per_image"]) for row in comparison] == [("jpeg", 75), ("webp", 100)]
    assert comparison[0]["learned_accuracy"] == pytest.approx(0.94)
    assert comparison[0]["margin"] == pytest.approx(0.01)
    assert comparison[0]["psnr_margin_db"] == pytest.approx(25.0 - 24.0)
    assert comparison[1]["margin"] == pytest.approx(-0.01)
    compact = matched_budget_comparison(rows, "learned", "compact_bytes_per_image")  # learned range 30..80 bytes
    assert [(row["codec"], row["bytes_per_image"]) for row in compact] == [("jpeg", 75), ("webp", 40)]
    assert compact[0]["learned_accuracy"] == pytest.approx(0.90 + 0.08 * 45 / 50)
    with pytest.raises(ValueError, match="at least two points"):
        matched_budget_comparison(rows[1:], "learned")
