"""Resumable training: a run saves itself after every epoch, and the same run started again with
``resume=True`` goes on where it stopped.

A recipe is a sequence of fits (`PhaseRunner.fit`), numbered in the order the recipe calls them, with plain
code between them (measuring, pruning). The checkpoint folder holds, each written atomically:

- ``state.json``: the run's fingerprint, and per fit its name, the epochs done, its history and whether it
  is complete; and the values the recipe computed between fits (`PhaseRunner.recorded`);
- ``model.npz``: every variable of the joint model after the last epoch done: its weights and the states of
  its random generators (dropout, noise), so that training goes on with the draws it would have made;
- ``optimizer.npz``: the optimizer variables of the fit in progress (moments, step, learning rate).

Resuming replays the recipe from the start without training: complete fits return their recorded history,
recorded values are returned instead of computed again (so the recipe takes the same decisions and repeats
no side effect, such as pruning a unit), and at the first real work (a fit that is not complete, or a value
not yet recorded) the saved weights, and the optimizer state of that fit, are restored and training goes on
from its next epoch, with the data order of that epoch.
Under TensorFlow and JAX a resumed run then repeats the uninterrupted one exactly; PyTorch draws dropout
masks from its own global generator, so there the two differ by the dropout draws after the resumption
(tests/training/test_checkpoint.py states the tolerances).
"""

import json
import os

import keras
import numpy as np

from keras_jointcomp import files

STATE = "state.json"
WEIGHTS = "model.npz"
OPTIMIZER = "optimizer.npz"


class CheckpointError(ValueError):
    """A checkpoint folder that cannot be resumed: missing, from another run, or damaged."""


class TrainingCheckpoint:
    """The checkpoint folder of one training run.

    Args:
        directory: where the checkpoint lives (created on the first save).
        resume: continue the run saved there; without it an existing checkpoint is refused, so that a new
            run never overwrites an interrupted one by accident.
        fingerprint: what identifies the run (model, method, data, settings); a checkpoint of another run
            is refused on resume.
    """

    def __init__(self, directory, resume=False, fingerprint=None):
        self.directory = os.fspath(directory)
        self.fingerprint = fingerprint
        self.resume = resume
        self._next_fit = 0
        self._restored = False
        self.state = {"fingerprint": fingerprint, "fits": [], "values": {}}
        state_path = os.path.join(self.directory, STATE)
        if resume:
            self.state = self._read_state(state_path)
        elif os.path.exists(state_path):
            raise CheckpointError(f"{self.directory} already holds a checkpoint; add --resume (resume=True) to go "
                                  f"on with it, or choose another --checkpoint-dir")
        files.check_writable(state_path)

    def _read_state(self, path):
        if not os.path.exists(path):
            raise CheckpointError(f"no checkpoint to resume in {self.directory} (no {STATE}); run without "
                                  f"--resume to start one")
        try:
            with open(path) as file:
                state = json.load(file)
            state["fits"], state["values"]  # noqa: B018  (both must be there)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CheckpointError(f"damaged checkpoint {path}: {error}") from None
        if self.fingerprint is not None and state.get("fingerprint") != self.fingerprint:
            raise CheckpointError(f"the checkpoint in {self.directory} is of another run ({state.get('fingerprint')}); "
                                  f"resume with the same command, or choose another --checkpoint-dir")
        return state

    # --- Fits -------------------------------------------------------------------------------------------

    def start_fit(self, name, epochs):
        """Number the next fit; returns ``(index, epochs already done, recorded history)``."""
        index, self._next_fit = self._next_fit, self._next_fit + 1
        fits = self.state["fits"]
        if index < len(fits):
            saved = fits[index]
            if saved["name"] != name or saved["epochs"] != epochs:
                raise CheckpointError(f"the checkpoint's fit {index + 1} is {saved['name']!r} ({saved['epochs']} "
                                      f"epochs), this run's is {name!r} ({epochs}): not the same run")
            return index, saved["done"], saved["history"]
        fits.append({"name": name, "epochs": epochs, "done": 0, "history": {}})
        self._write_state()  # from the first fit on, the folder holds this run: a new run will not take it
        return index, 0, {}

    def next_fit_complete(self):
        """Whether the fit about to start is complete in the checkpoint (a resumed run skips it)."""
        fits = self.state["fits"]
        return self._next_fit < len(fits) and fits[self._next_fit].get("complete", False)

    def restore_weights_if_pending(self, model):
        """At the first real work of a resumed run, load the saved weights into ``model`` (once)."""
        if self.resume and not self._restored and os.path.exists(os.path.join(self.directory, WEIGHTS)):
            _assign(model.variables, os.path.join(self.directory, WEIGHTS))
        self._restored = True

    def restore_optimizer(self, index, optimizer, trainable_variables):
        """Load the optimizer state saved by fit ``index`` (the fit a kill interrupted) into ``optimizer``."""
        path = os.path.join(self.directory, OPTIMIZER)
        if self.state.get("optimizer_fit") != index or not os.path.exists(path):
            return
        if not optimizer.built:
            optimizer.build(trainable_variables)
        _assign(optimizer.variables, path)

    def save_epoch(self, index, done, history, model, optimizer=None):
        """Record ``done`` epochs of fit ``index`` with its ``history``, and save weights and optimizer."""
        fit = self.state["fits"][index]
        fit["done"], fit["history"] = done, _plain(history)
        _save(model.variables, os.path.join(self.directory, WEIGHTS))
        if optimizer is not None:
            _save(optimizer.variables, os.path.join(self.directory, OPTIMIZER))
            self.state["optimizer_fit"] = index
        self._write_state()

    def complete(self, index):
        """Mark fit ``index`` complete."""
        self.state["fits"][index]["done"] = self.state["fits"][index]["epochs"]
        self.state["fits"][index]["complete"] = True
        self._write_state()

    def is_complete(self, index):
        """Whether fit ``index`` finished all its epochs (a resumed run then skips it)."""
        return self.state["fits"][index].get("complete", False)

    # --- Values computed between fits -------------------------------------------------------------------

    def recorded(self, key, compute, model):
        """The value recorded under ``key``, or ``compute()`` recorded now together with ``model``'s weights
        (``compute`` may change them, as pruning does: a resumed run must find that change saved)."""
        values = self.state["values"]
        if key not in values:
            self.restore_weights_if_pending(model)  # real work of a resumed run starts from the saved weights
            values[key] = _plain(compute())
            _save(model.variables, os.path.join(self.directory, WEIGHTS))
            self._write_state()
        return values[key]

    def finish(self, model):
        """End of the recipe: a resumed run whose fits were all complete gets the saved weights now."""
        self.restore_weights_if_pending(model)

    def _write_state(self):
        os.makedirs(self.directory, exist_ok=True)
        files.write_text(os.path.join(self.directory, STATE), json.dumps(self.state, indent=1))


class SaveEveryEpoch(keras.callbacks.Callback):
    """Saves the run to its checkpoint at the end of every epoch of one fit (fit ``index``, whose epochs
    count from ``first_epoch``)."""

    def __init__(self, checkpoint, index, joint_model, recorded, first_epoch):
        super().__init__()
        self.checkpoint, self.index, self.joint_model = checkpoint, index, joint_model
        self.epochs_history = {key: list(values) for key, values in recorded.items()}
        self.first_epoch = first_epoch

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.epochs_history.setdefault(key, []).append(float(value))
        self.checkpoint.save_epoch(self.index, epoch + 1 - self.first_epoch, self.epochs_history,
                                   self.joint_model, self.model.optimizer)


def _save(variables, path):
    """The values of ``variables``, in order, to an ``.npz`` file written all at once."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    arrays = {f"v{i}": keras.ops.convert_to_numpy(variable) for i, variable in enumerate(variables)}
    with files.atomic_write(path, "wb") as file:
        np.savez(file, **arrays)


def _assign(variables, path):
    """Give ``variables`` the values saved by `_save` in ``path``, checking that they match one to one."""
    try:
        with np.load(path) as saved:
            values = [saved[f"v{i}"] for i in range(len(saved.files))]
    except (OSError, ValueError, KeyError) as error:
        raise CheckpointError(f"damaged checkpoint file {path}: {error}") from None
    if len(values) != len(variables) or any(tuple(v.shape) != value.shape for v, value in zip(variables, values)):
        raise CheckpointError(f"{path} holds {len(values)} variables that do not match this run's {len(variables)}: "
                              f"not the same run")
    for variable, value in zip(variables, values):
        variable.assign(value)


def _plain(value):
    """``value`` with numpy scalars and arrays turned into JSON numbers and lists."""
    return json.loads(json.dumps(value, default=lambda item: np.asarray(item).tolist()))
