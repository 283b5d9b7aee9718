"""benchmarks/tf_data_teardown.py on tiny sizes (its fits run under TensorFlow in child processes)."""

import pytest

from tests.scripts import load_script

teardown = load_script("benchmarks/tf_data_teardown.py")


@pytest.mark.one_backend("tensorflow")
def test_each_worker_setting_reports_every_fit_and_the_table_counts_them(tmp_path):
    results = teardown.main(["--fits", "2", "--images", "1024", "--no-write"])
    assert set(results) == {1, 2}
    for rows in results.values():
        assert len(rows) == 2 and all(0 <= row["teardown_s"] < row["fit_s"] for row in rows)
    text = teardown.table(results, teardown.parse(["--fits", "2", "--images", "1024", "--no-write"]))
    assert "| 1 | on | " in text and "| 2 | off | " in text and " of 2 |" in text


def test_bad_options_are_refused():
    for argv in (["--fits", "0"], ["--images", "100"]):
        with pytest.raises(SystemExit):
            teardown.parse(argv)
