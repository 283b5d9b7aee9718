"""The ``one_backend`` marker of tests/conftest.py: which suite runs a heavy test."""

import pytest

from tests.conftest import BACKENDS, one_backend_of


class _Item:
    def __init__(self, nodeid, *args):
        self.nodeid, self.marker = nodeid, pytest.mark.one_backend(*args).mark

    def get_closest_marker(self, name):
        return self.marker if name == "one_backend" else None


def test_a_named_backend_is_the_one_and_an_unknown_name_is_refused():
    assert one_backend_of(_Item("tests/x.py::test_a", "jax")) == "jax"
    with pytest.raises(ValueError, match="names no backend"):
        one_backend_of(_Item("tests/x.py::test_a", "numpy"))


def test_cases_of_a_parametrized_test_spread_over_every_backend_and_always_alike():
    ids = [f"tests/cli/test_zoo_sweep.py::test_model_trains_by_method_from_the_cli[case-{i}]" for i in range(30)]
    chosen = [one_backend_of(_Item(nodeid)) for nodeid in ids]
    assert set(chosen) == set(BACKENDS)
    assert chosen == [one_backend_of(_Item(nodeid)) for nodeid in ids]
