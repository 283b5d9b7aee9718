"""benchmarks/phase_profile.py on tiny sizes under the current backend."""

import keras
import pytest

from tests.scripts import load_script

phase_profile = load_script("benchmarks/phase_profile.py")


def test_every_phase_splits_into_steps_and_the_rest_and_the_table_shows_them():
    result = phase_profile.profile(images_count=256, batch_size=128)
    assert set(result["phases"]) == {key for key, _, _ in phase_profile.PHASES}
    for phase in result["phases"].values():
        assert 0 < phase["first_step_s"] <= phase["steps_s"] <= phase["whole_s"]
        # The second pass reuses every compiled step: nothing is traced again (PyTorch runs eagerly).
        assert phase["traces"] == (None if result["backend"] == "torch" else 0)
        assert phase["rest_s"] == pytest.approx(phase["whole_s"] - phase["steps_s"])
    assert "train_step" not in keras.Model.__dict__  # the trace counter is gone again
    assert min(result["pipeline_alone_s"], result["ae_epoch_from_arrays_s"], result["latents_s"]) > 0
    args = phase_profile.parse(["--images", "256", "--no-write"])
    text = phase_profile.table([result], args)
    assert f"| {result['backend']} | classifier_only |" in text and "AE epoch from arrays s" in text


def test_bad_options_are_refused():
    for argv in (["--images", "0"], ["--backends", "numpy"]):
        with pytest.raises(SystemExit):
            phase_profile.parse(argv)
