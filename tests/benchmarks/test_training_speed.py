"""benchmarks/training_speed.py and its plain PyTorch peer, on tiny sizes."""

import argparse
import importlib.util
import os

import pytest

from keras_jointcomp import models
from tests.scripts import load_script

speed = load_script("benchmarks/training_speed.py")
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="the PyTorch peer needs torch, which is not installed")


@needs_torch
def test_peer_mirrors_the_zoo_models_and_times_every_phase():
    peer = load_script("benchmarks/torch_peer.py")
    for name, shape in speed.NETWORKS.items():
        assert peer.count_params(peer.build(name, shape)) == models.load(name).count_params(), name
    for name, count, batch_size in (("atl_lenet", 256, 128), ("cifar_conv_ae", 128, 64)):
        result = peer.measure(name, count, batch_size)
        assert set(result["phases_s"]) == set(speed.PHASES)
        assert all(seconds > 0 for seconds in result["phases_s"].values())
        assert result["epoch_set_s"] >= sum(result["phases_s"].values())
        assert result["images"] == count and len(result["epoch_sets"]) == 1


def test_epoch_sets_are_cut_at_each_sets_first_phase():
    log = [(key, 10.0 * index + 1, 10.0 * index + 9) for index, key in enumerate(speed.PHASES * 2)]
    first, second = speed.split_epoch_sets(log, 0.0, 85.0)
    assert first == {"phases_s": dict.fromkeys(speed.PHASES, 8.0), "epoch_set_s": 41.0}
    assert second["epoch_set_s"] == 85.0 - 41.0
    with pytest.raises(AssertionError, match="Unexpected phases"):
        speed.split_epoch_sets(log[1:], 0.0, 85.0)


def test_table_gives_the_peer_time_over_each_backends():
    def side(backend, seconds):
        timed = {"phases_s": dict.fromkeys(speed.PHASES, seconds / 5), "epoch_set_s": seconds}
        return {"backend": backend, "networks": {"atl_lenet": {"images": 256, "params": 64951,
                                                               "epoch_sets": [timed], **timed}}}

    args = argparse.Namespace(argv=["--no-write"], batch_size=512, networks="atl_lenet")
    text = speed.table([side("jax", 10.0), side(speed.PEER, 25.0)], args)
    assert "| backend | AE s | classifier only s | CNN s | decompressor only s | epoch set s | x faster than the " \
           "peer |" in text
    assert "| jax | 2.0 | 2.0 | 2.0 | 2.0 | 10.0 | 2.50 |" in text
    assert f"| {speed.PEER} | 5.0 | 5.0 | 5.0 | 5.0 | 25.0 | 1.00 |" in text


@pytest.mark.slow  # a backend and the peer in fresh processes: 20-90 s; the parts above are tested fast
@needs_torch
def test_main_times_this_backend_and_the_peer(capsys):
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    results = speed.main(["--backends", backend, "--networks", "atl_lenet", "--images", "128",
                          "--batch-size", "64", "--rate-images", "0", "--no-write"])
    assert [r["backend"] for r in results] == [backend, speed.PEER]
    for result in results:
        assert set(result["networks"]["atl_lenet"]["phases_s"]) == set(speed.PHASES)
        assert result["networks"]["atl_lenet"]["params"] == results[0]["networks"]["atl_lenet"]["params"]
    table = capsys.readouterr().err
    assert "x faster than the peer |" in table
    ratio = results[1]["networks"]["atl_lenet"]["epoch_set_s"] / results[0]["networks"]["atl_lenet"]["epoch_set_s"]
    assert f"| {backend} |" in table and f"| {ratio:.2f} |" in table
