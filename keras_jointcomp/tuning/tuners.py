"""keras-tuner tuners for a `ZooHyperModel`, and what a finished search holds: trials, best zoo model."""

import keras_tuner

TUNERS = ("grid", "random", "hyperband", "bayesian")


class _TensorBoardOptional:
    """keras-tuner 1.4.8 imports tensorboard in every trial under the TensorFlow backend, to patch TensorBoard
    callbacks, but TensorFlow 2.20+ no longer installs tensorboard: skip that step when no TensorBoard
    callback was passed to ``search``."""

    def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
        if any(type(callback).__name__ == "TensorBoard" for callback in callbacks):
            super()._configure_tensorboard_dir(callbacks, trial, execution)


class GridSearch(_TensorBoardOptional, keras_tuner.GridSearch):
    pass


class RandomSearch(_TensorBoardOptional, keras_tuner.RandomSearch):
    pass


class BayesianOptimization(_TensorBoardOptional, keras_tuner.BayesianOptimization):
    pass


class Hyperband(_TensorBoardOptional, keras_tuner.Hyperband):
    pass


def make_tuner(kind, hypermodel, directory, project_name="tuner", max_trials=10, max_epochs=10, seed=0,
               overwrite=False, **kwargs):
    """A tuner of ``kind`` ("grid", "random", "hyperband", "bayesian") maximizing ``hypermodel.objective``,
    keeping its trials under ``directory/project_name``. An existing project is resumed (finished trials
    are not run again) unless ``overwrite``. Hyperband ignores ``max_trials`` and gives trials up to
    ``max_epochs`` epochs; grid search runs every combination of a discrete space (at most ``max_trials``)."""
    common = {"hypermodel": hypermodel, "objective": hypermodel.objective, "directory": directory,
              "project_name": project_name, "seed": seed, "overwrite": overwrite, **kwargs}
    if kind == "grid":
        return GridSearch(max_trials=max_trials, **common)
    if kind == "random":
        return RandomSearch(max_trials=max_trials, **common)
    if kind == "bayesian":
        return BayesianOptimization(max_trials=max_trials, **common)
    if kind == "hyperband":
        return Hyperband(max_epochs=max_epochs, factor=3, **common)
    raise ValueError(f"Unknown tuner {kind!r}; choose one of {TUNERS}.")


def completed_trials(tuner):
    """The tuner's completed trials, best first."""
    oracle = tuner.oracle
    return [trial for trial in oracle.get_best_trials(num_trials=len(oracle.trials))
            if trial.status == keras_tuner.engine.trial.TrialStatus.COMPLETED]


def hyperparameters(trial):
    """A trial's hyperparameter values without Hyperband's bookkeeping ("tuner/epochs", ...)."""
    return {name: value for name, value in trial.hyperparameters.values.items() if not name.startswith("tuner/")}


def trial_rows(tuner, hypermodel, test=None):
    """One dict per completed trial, best first: trial id, hyperparameters, epochs trained, best validation
    accuracy, and with ``test=(images, labels)`` the test accuracy of the trial's best checkpoint."""
    rows = []
    for trial in completed_trials(tuner):
        values = trial.hyperparameters.values
        row = {"trial": trial.trial_id, "hyperparameters": hyperparameters(trial),
               "epochs": values.get("tuner/epochs"), "val_accuracy": float(trial.score), "test_accuracy": None}
        if test is not None:
            network = tuner.load_model(trial)
            row["test_accuracy"] = hypermodel.evaluate(trial.hyperparameters, network, *test)[
                hypermodel.metric_name]
        rows.append(row)
    return rows


def best_joint_model(tuner, hypermodel):
    """The zoo `JointModel` of the best trial, with the weights of its best epoch; and that trial."""
    trials = completed_trials(tuner)
    if not trials:
        raise RuntimeError("The search completed no trial; see the tuner's messages above.")
    return hypermodel.joint_model(tuner.load_model(trials[0])), trials[0]
