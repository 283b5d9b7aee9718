import json

import numpy as np
import pytest

from tests.scripts import load_script


def _load_example():
    return load_script("examples/martin_faces.py")


def _write_faces(directory, n=20):
    """A faces-like cmu_faces.npz: 30x32 images of 4 people, with the keys of the real one."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 160, size=(n, 30, 32), dtype=np.uint8)
    person = (np.arange(n) % 4).astype(np.uint8)
    np.savez(directory / "cmu_faces.npz", x_scaled=images, person=person, x_train=images // 2, y_train=person,
             x_test=images[:0], y_test=person[:0])


@pytest.mark.one_backend("jax")
def test_quick_run_writes_results_curves_and_faces(tmp_path, capsys):
    _write_faces(tmp_path)
    out = tmp_path / "out"
    results = _load_example().main(["--data-dir", str(tmp_path), "--quick",
                                    "--hidden-channels", "8", "--out-dir", str(out)])
    control, pruned = results["networks"]
    assert results["train_images"] == 16 and results["validation_images"] == 4
    assert control["active_units"] == 128 and control["pruned"] == []
    assert pruned["active_units"] == 126 and [entry["epoch"] for entry in pruned["pruned"]] == [1, 2]
    assert len(control["history"]["val_loss"]) == 4 and 0 < control["validation_l1"] < 1
    assert np.isclose(control["validation_l1_padded_frame"], control["validation_l1"] * 30 / 32)
    for name in ("loss_curves.png", "faces_control.png", "faces_pruned.png", "pruned.keras"):
        assert (out / name).stat().st_size > 0
    assert "| pruned | 2 | 126 |" in (out / "results.md").read_text()
    assert json.loads((out / "results.json").read_text())["study"]["control"] == 0.0273
    assert "pruned_within_10_percent" in json.loads(capsys.readouterr().out)["criteria"]
