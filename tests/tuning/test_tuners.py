import pytest

from keras_jointcomp.models import JointModel
from keras_jointcomp.training import TrainingConfig
from keras_jointcomp.tuning import ZooHyperModel, best_joint_model, generic, make_tuner, trial_rows
from tests.conftest import tiny_images

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras_tuner.src.engine.oracle")


def _hypermodel():
    return ZooHyperModel("atl_lenet", generic("atl_lenet", "classifier", knobs=("num_bits", "learning_rate")),
                         num_classes=10, config=TrainingConfig(batch_size=16, verbose=0), seed=0)


def _search(tuner):
    images, labels = tiny_images(32)
    tuner.search(images, labels, validation_data=(images[:16], labels[:16]), epochs=1, verbose=0)


@pytest.mark.parametrize("kind,options", [
    # Two trials each cost a minute on CI's CPU: the default suite runs the one-trial tuners.
    pytest.param("random", {"max_trials": 2}, marks=pytest.mark.slow),
    ("hyperband", {"max_epochs": 1}),  # one bracket of one trial
    pytest.param("bayesian", {"max_trials": 2, "num_initial_points": 1},  # the second trial from the GP
                 marks=pytest.mark.slow),
    ("grid", {"max_trials": 1}),
])
def test_each_tuner_runs_tiny_trials_and_returns_the_best_zoo_model(kind, options, tmp_path):
    hypermodel = _hypermodel()
    tuner = make_tuner(kind, hypermodel, tmp_path, seed=0, **options)
    _search(tuner)
    rows = trial_rows(tuner, hypermodel)
    assert 1 <= len(rows) <= 2 and (tmp_path / "tuner" / "oracle.json").exists()
    assert all(0.0 <= row["val_accuracy"] <= 1.0 and row["test_accuracy"] is None for row in rows)
    assert rows == sorted(rows, key=lambda row: -row["val_accuracy"])
    model, trial = best_joint_model(tuner, hypermodel)
    assert isinstance(model, JointModel) and trial.trial_id == rows[0]["trial"]
    assert model.quantizer.num_bits == trial.hyperparameters.values["num_bits"]


def test_an_existing_project_is_resumed_unless_overwritten(tmp_path):
    hypermodel = _hypermodel()
    _search(make_tuner("random", hypermodel, tmp_path, max_trials=1))
    resumed = make_tuner("random", hypermodel, tmp_path, max_trials=1)
    assert len(resumed.oracle.trials) == 1  # reloaded: the finished trial is not run again
    fresh = make_tuner("random", hypermodel, tmp_path, max_trials=1, overwrite=True)
    assert len(fresh.oracle.trials) == 0


def test_unknown_tuner_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="hyperband"):
        make_tuner("annealing", _hypermodel(), tmp_path)
