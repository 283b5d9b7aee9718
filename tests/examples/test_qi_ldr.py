import json

import pytest

from tests.scripts import load_script


def _load_example():
    return load_script("examples/qi_ldr.py")


@pytest.mark.one_backend("torch")
def test_quick_run_screens_trains_three_methods_and_writes_curves(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    outcome = _load_example().main(["--quick", "--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir),
                                    "--dims", "4,8", "--batch-size", "16", "--out-dir", str(out)])
    assert [row["latent_dim"] for row in outcome["screening"]] == [4, 8]
    labels = [result["model"] for result in outcome["results"]]
    assert [label.split(",")[0].split(" ")[0] for label in labels] == ["CE-T", "DuPHiL", "LDR-FT", "CE-T", "LDR-FT"]
    for result in outcome["results"]:
        entropies = [row["estimated_payload_bytes_per_image"] for row in result["curve"]]
        assert entropies[0] > entropies[-1]  # coarser steps, fewer bits (not strictly per step: bin offsets)
        assert set(result["robustness"]) == {"none", "rotation", "flip", "colour jitter", "all"}
    half = outcome["latent_dim"] // 2
    assert [r["active_units"] for r in outcome["results"]][3:] == [half, half]
    for name in ("results.md", "results.json", "rate_accuracy.png", "rate_accuracy_truncated.png", "latent_std.png"):
        assert (out / name).stat().st_size > 0
    assert "| d_y |" in (out / "results.md").read_text()
    assert json.loads(capsys.readouterr().out)["latent_dim"] in (4, 8)


# The airbench models train from the CLI in the default suite (tests/cli/test_zoo_sweep.py); this whole
# example run on them is the heavier check (about 1.2 minutes a backend on 2 cores).
@pytest.mark.slow
def test_fast_run_trains_the_airbench_model_with_airbench_settings(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    outcome = _load_example().main(["--fast", "--quick", "--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir),
                                    "--dims", "8", "--batch-size", "32", "--out-dir", str(out)])
    assert len(outcome["results"]) == 5 and set(outcome["train_seconds"]) >= {"CE-T", "DuPHiL", "LDR-FT"}
    text = (out / "results.md").read_text()
    assert "model ldr_airbench" in text and "airbench's recipe" in text and "Training wall time (s): CE-T" in text


def test_ldr_phases_fine_tune_by_adam_at_a_gentle_rate_under_the_fast_recipe():
    """--fast trains CE-T from scratch by airbench's SGD at 1.5; DuPHiL, LDR-FT and the truncated models start
    from that CE-T and fine-tune it by Adam at --ldr-learning-rate, keeping the batch, smoothing and shifts."""
    example = _load_example()
    from keras_jointcomp import training

    args = example.parse_args(["--fast"])
    fast = training.TrainingConfig.fast(batch_size=args.batch_size, learning_rate=args.learning_rate)
    gentle = example.fine_tuning_config(fast, args)
    assert (fast.optimizer, fast.learning_rate) == ("sgd", 1.5)
    assert (gentle.optimizer, gentle.learning_rate, gentle.weight_averaging) == ("adam", 1e-4, 0)
    assert (gentle.batch_size, gentle.label_smoothing, gentle.augmentation) == (1024, 0.2, "flip-translate")
    args = example.parse_args(["--fast", "--ldr-learning-rate", "3e-4"])
    assert example.fine_tuning_config(fast, args).learning_rate == 3e-4
    args = example.parse_args(["--learning-rate", "2e-3"])  # the CPU scale: the LDR phases train as CE-T does
    plain = training.TrainingConfig(learning_rate=args.learning_rate, batch_size=args.batch_size)
    assert example.fine_tuning_config(plain, args) == plain
