"""benchmarks/torch_batch_norm.py on a tiny batch (its steps run under Keras' PyTorch backend in a child)."""

import pytest

from tests.scripts import load_script

batch_norm = load_script("benchmarks/torch_batch_norm.py")


@pytest.mark.one_backend("torch")
def test_each_engine_is_timed_with_and_without_batch_norm_and_the_table_shows_the_ratio():
    argv = ["--batch", "4", "--repeats", "1", "--no-write"]
    rows = batch_norm.main(argv)
    assert [row["norm"] for row in rows] == ["keras", "fused", "none"]
    assert all(row["keras_ms"] > 0 and row["torch_ms"] > 0 for row in rows)
    text = batch_norm.table(rows, batch_norm.parse(argv))
    assert "| Keras' BatchNormalization | " in text and "| layers.BatchNormalization | " in text
    assert "| none | " in text


def test_the_two_autoencoders_have_the_same_parameters_and_bad_options_are_refused():
    import keras

    if keras.backend.backend() == "torch":
        for norm in batch_norm.NORMS:
            keras_count = batch_norm.keras_autoencoder(norm).count_params()
            network = batch_norm.torch_autoencoder(norm != "none")
            torch_count = sum(p.numel() for p in network.parameters())
            buffers = 2 * sum(m.num_features for m in network.modules() if type(m).__name__ == "BatchNorm2d")
            assert keras_count == torch_count + buffers
    for argv in (["--batch", "1"], ["--repeats", "0"]):
        with pytest.raises(SystemExit):
            batch_norm.parse(argv)
