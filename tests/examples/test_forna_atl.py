import json
import shutil

import numpy as np
import pytest

from tests.scripts import load_script


def _load_example():
    return load_script("examples/forna_atl.py")


@pytest.mark.one_backend("torch")
def test_quick_reproduction_writes_tables_and_pictures(tiny_data_dir, tmp_path, capsys):
    shutil.copy(tiny_data_dir / "tiny.npz", tiny_data_dir / "tiny2.npz")
    out = tmp_path / "out"
    rows = _load_example().main(["--datasets", "tiny,tiny2,missing_set", "--data-dir", str(tiny_data_dir),
                                 "--quick", "--batch-size", "16", "--out-dir", str(out)])
    methods = [(row["dataset"], row["method"]) for row in rows]
    for name in ("tiny", "tiny2"):
        for method in ("baseline-ae", "ae-driven", "baseline-cnn", "classifier-driven", "atl"):
            assert (name, method) in methods
    assert ("tiny2", "cross-domain from tiny") in methods and ("tiny", "cross-domain from tiny2") in methods
    assert all(row["bytes_per_image"] == 200 and np.isfinite(row["psnr_db"]) for row in rows)
    table = (out / "results.md").read_text()
    assert "| tiny | atl |" in table and "study accuracy %" in table
    assert json.loads((out / "results.json").read_text())[0]["dataset"] == "tiny"
    assert (out / "atl_tiny.png").stat().st_size > 0
    captured = capsys.readouterr()
    assert "skipping missing_set" in captured.err
    assert json.loads(captured.out) == json.loads(json.dumps(rows, default=str))
