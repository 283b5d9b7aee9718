import json

import numpy as np
import pytest

from tests.scripts import load_script


def _load_example():
    return load_script("examples/scott_quantization.py")


@pytest.mark.one_backend("tensorflow")
def test_quick_run_writes_rows_tables_and_histograms(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    rows = _load_example().main(["--mnist", "tiny", "--cifar", "tiny_rgb", "--data-dir", str(tiny_data_dir),
                                 "--quick", "--out-dir", str(out)])
    assert [row["row"].split()[0] for row in rows] == ["1", "2", "3", "4", "CIFAR-10", "CIFAR-10"]
    assert [row["bits_per_image"] for row in rows] == [16, 16, 16, 16, 24, 36]
    for row in rows:
        assert 0 <= row["rounded_test_accuracy"] <= 1 and 0 <= row["unrounded_test_accuracy"] <= 1
        assert np.isclose(row["gap"], row["unrounded_test_accuracy"] - row["rounded_test_accuracy"])
        assert 0 <= row["hard_bit_test_accuracy"] <= 1 and row["best_epoch"] == 1
        assert (out / row["histogram"]).stat().st_size > 0
    assert "| 1 Simple 1D | 16 | 1 |" in (out / "results.md").read_text()
    assert json.loads(capsys.readouterr().out)[0]["study"] == [98.775, 97.47, 93.66]


# The airbench models train from the CLI in the default suite (tests/cli/test_zoo_sweep.py); this whole
# example run on them is the heavier check (about 1.2 minutes a backend on 2 cores).
@pytest.mark.slow
def test_fast_run_trains_colour_planes_on_airbench_encoders(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    rows = _load_example().main(["--mnist", "none", "--cifar", "tiny_rgb", "--data-dir", str(tiny_data_dir),
                                 "--fast", "--quick", "--hard-bit-epochs", "1", "--out-dir", str(out)])
    assert [row["bits_per_image"] for row in rows] == [24, 36] and "(airbench)" in rows[0]["row"]
    assert all(row["soft_bit_train_seconds"] > 0 for row in rows)
    assert "airbench encoders, TrainingConfig.fast() with Adam" in (out / "results.md").read_text()
