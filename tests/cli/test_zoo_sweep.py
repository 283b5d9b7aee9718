"""Every zoo model is reachable from the command line: trained by each method it supports (one tiny run),
then evaluated; and a method it does not support is refused in one line.

The default suite covers every model and every method at least once (`COVERED`); the whole product of
models and their methods runs with ``pytest -m slow``.
"""

import functools
import json

import numpy as np
import pytest

from keras_jointcomp import models
from keras_jointcomp.cli import main
from keras_jointcomp.training import methods

CLASSES = 4
# The cheapest model for each method, and one method for each model, in the default suite.
COVERED = {
    ("atl_lenet", "joint"), ("atl_lenet", "baseline-ae"), ("atl_lenet", "baseline-cnn"), ("atl_lenet", "ae-driven"),
    ("atl_lenet", "classifier-driven"), ("atl_lenet", "atl"), ("atl_lenet", "cross-domain"),
    ("atl_lenet", "multi-domain"), ("atl_lenet", "ae-features"), ("multi_encoder_mnist", "pretrained-classifier"),
    ("multi_encoder_mnist", "joint-hard-bits"), ("multi_encoder_cifar10", "joint"), ("ldr_resnet_small", "ce-t"),
    ("ldr_resnet_small", "duphil"), ("ldr_resnet_small", "ldr-ft"), ("ldr_resnet18", "duphil"),
    ("ldr_resnet34", "ce-t"), ("faces_conv_ae", "distinctiveness-pruning"), ("cifar_conv_ae", "joint-weighted"),
    ("cifar_mlp_ae", "ae-features"), ("factorized_mnist", "rate-distortion"), ("factorized_cifar", "joint"),
    ("ldr_airbench", "ldr-ft"), ("multi_encoder_airbench", "joint-hard-bits"),
    ("cifar_conv_ae_airbench", "joint-weighted"),
}
# What makes each method's run tiny, and the files and data sets some need.
EXTRA = {
    "atl": ["--epoch-sets", "1"],
    "cross-domain": ["--source", "{source}"],
    "multi-domain": ["--domains", "other", "--epoch-sets", "1"],
    "distinctiveness-pruning": ["--prune-every", "1", "--units-to-prune", "1", "--epochs", "2"],
    "ldr-ft": ["--views", "2"],
    "joint-hard-bits": ["--hard-bit-epochs", "1"],
    "ae-features": ["--autoencoder-epochs", "1"],
}


@functools.lru_cache(maxsize=None)
def _built(name):
    return models.load(name)


def _supported(name):
    model = _built(name)
    return [method for method in sorted(methods.METHODS) if not methods.unmet_needs(methods.METHODS[method], model)]


def _pairs():
    return [(model, method) for model in sorted(models.available()) for method in sorted(methods.METHODS)]


def _data_dir(tmp_path, shape):
    rng = np.random.default_rng(0)
    for name in ("data", "other"):
        split = {}
        for part, count in (("train", 24), ("test", 8)):
            split[f"x_{part}"] = rng.integers(0, 256, (count, *shape), dtype=np.uint8)
            split[f"y_{part}"] = np.arange(count) % CLASSES
        np.savez(tmp_path / f"{name}.npz", **split)
    return tmp_path


def _train_and_evaluate(name, method, tmp_path, capsys):
    shape = _built(name).input_shape[1:]
    data_dir = _data_dir(tmp_path, shape)
    source = tmp_path / "source.keras"
    if method == "cross-domain":
        models.save_model(models.load(name, input_shape=shape, num_classes=CLASSES), source)
    extra = [arg.format(source=source) for arg in EXTRA.get(method, [])]
    out = tmp_path / "model.keras"
    common = ["--dataset", "data", "--data-dir", str(data_dir)]
    status = main(["train", name, "--method", method, *common, "--epochs", "1", "--batch-size", "8",
                   "--out", str(out), *extra])
    captured = capsys.readouterr()
    assert status == 0, captured.err[-2000:]
    summary = json.loads(captured.out)
    assert summary["method"] == method and out.exists()
    assert "[phase] " in captured.err  # each progress bar is announced by its phase
    status = main(["evaluate", str(out), *common, "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err[-2000:]
    report = json.loads(captured.out)
    assert report["n_images"] == 8
    if _built(name).classifier is not None:
        assert 0 <= report["accuracy"] <= 1
    if "reconstruction" in _built(name).output_keys:
        assert np.isfinite(report["psnr_db"])


@pytest.mark.one_backend
@pytest.mark.parametrize("name,method", sorted(COVERED))
def test_model_trains_by_method_from_the_cli(name, method, tmp_path, capsys):
    _train_and_evaluate(name, method, tmp_path, capsys)


def test_every_model_and_every_method_is_covered():
    assert {name for name, _ in COVERED} == set(models.available())
    assert {method for _, method in COVERED} == set(methods.METHODS)
    for name, method in COVERED:
        assert method in _supported(name), (name, method)


@pytest.mark.slow
@pytest.mark.parametrize("name,method", _pairs())
def test_every_model_with_every_method_it_supports(name, method, tmp_path, capsys):
    if method not in _supported(name):
        pytest.skip(f"{name} does not support {method} (refusal tested separately)")
    _train_and_evaluate(name, method, tmp_path, capsys)


def test_a_method_the_model_cannot_train_is_refused_in_one_line(tmp_path, capsys):
    data_dir = _data_dir(tmp_path, (30, 32, 1))
    status = main(["train", "faces_conv_ae", "--method", "ce-t", "--dataset", "data", "--data-dir", str(data_dir),
                   "--out", str(tmp_path / "x.keras")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "method ce-t needs a model with a classifier; 'faces_conv_ae' has parts" in err
    assert not (tmp_path / "x.keras").exists()
