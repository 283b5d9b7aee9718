"""Distinctiveness pruning (Martin; Gedeon and Harris): every few epochs, switch off one of the two latent
units that compute the most similar function, then train on.

    train prune_every epochs
    -> activations of every latent unit over the training set (the latent flattened: N x units)
    -> angle between every two units' activation vectors
    -> the pair with the smallest angle is "non-distinct": set one unit's entry of the latent mask to 0
    -> train on, until units_to_prune units are gone and the epochs are spent

The distinctiveness of two units is the angle between their activation vectors over the pattern set (the
study: "the angle between each of these activation vectors"), computed on the raw activations by default,
as the study describes. ``normalisation="range"`` scales each unit's activations to [-0.5, 0.5] first (Gedeon's
measure, defined for sigmoid units, whose activations minus 0.5 have that range; here min-max scaled, since
ReLU activations are unbounded), ``normalisation="centred"`` subtracts each unit's mean (the angle is then the
arc cosine of the correlation). Raw ReLU activations are non-negative, so their angles never exceed 90
degrees; with a normalisation, ``complementary=True`` also counts pairs near 180 degrees as non-distinct (a
unit that is the negative of another is redundant too), ranking pairs by min(angle, 180 - angle).
A unit whose (normalised) activation vector is all zeros (a dead ReLU unit; with a normalisation, also a
constant one) has no angle to any unit: its angles are NaN and it is never chosen. Removing it would change
nothing, whereas the study's pruning made the reconstructions noisier, so it removed units that carried
something. (A quarter of the units of the trained faces autoencoder are dead; choosing them first would
prune them at no cost and leave the measure untested.) Dead units still cross the link until pruned.

Of the chosen pair, the unit with the smaller activations (root mean square, before normalisation) is
removed; on a tie, the one with the higher index. Removal is the unit's entry of the model's `LatentMask`
set to 0 in place, so the caller's model object is the pruned model, the pruned units are exactly zero in
the latent, the mask is saved with the model, and `JointModel.active_latent_units` (and so its
`bytes_per_image`) counts only the kept units. The model must already end its encoder with a `LatentMask`
(``faces_conv_ae`` does; for another model use ``rate.with_latent_mask(model, np.ones(model.latent_shape))``
once, before training).

Unit indices are positions in the flattened latent (C order: for a 2 x 2 x 32 latent, unit
``(row * 2 + column) * 32 + channel``).
"""

import numpy as np
from keras import ops

from keras_jointcomp.data import batches
from keras_jointcomp.layers import LatentMask
from keras_jointcomp.training.phases import Phase, PhaseRunner, targets_for

NORMALISATIONS = ("none", "range", "centred")


# --- The distinctiveness measure ------------------------------------------------------------------------


def normalise_activations(activations, normalisation="none"):
    """Activations (N patterns, units) as the angle sees them: raw, scaled to [-0.5, 0.5], or centred."""
    activations = np.asarray(activations, "float64")
    if normalisation == "none":
        return activations
    if normalisation == "centred":
        return activations - activations.mean(axis=0)
    if normalisation == "range":
        low, high = activations.min(axis=0), activations.max(axis=0)
        spread = np.where(high > low, high - low, 1.0)
        return np.where(high > low, (activations - low) / spread - 0.5, 0.0)
    raise ValueError(f"Unknown normalisation {normalisation!r}; choose one of {NORMALISATIONS}.")


def dead_units(activations):
    """Boolean vector: True for the units (columns of ``activations``) that are zero on every pattern."""
    return ~np.asarray(activations).reshape(len(activations), -1).any(axis=0)


def distinctiveness_angles(activations, normalisation="none"):
    """Angles in degrees between the units' activation vectors: a (units, units) matrix.

    ``activations`` holds one row per pattern and one column per unit. Angles with an all-zero vector are
    undefined: NaN (see the module docstring).
    """
    vectors = normalise_activations(activations, normalisation)
    norms = np.linalg.norm(vectors, axis=0)
    safe = np.where(norms > 0, norms, 1.0)
    cosines = (vectors.T @ vectors) / np.outer(safe, safe)
    angles = np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))
    dead = norms == 0
    angles[dead, :] = np.nan
    angles[:, dead] = np.nan
    return angles


def least_distinct_pair(angles, active=None, complementary=False):
    """``(i, j, angle)`` with i < j: the pair of active units whose angle is smallest (with
    ``complementary``, whose angle is closest to 0 or 180 degrees); ``angle`` is their actual angle.
    Pairs with an undefined (NaN) angle are skipped."""
    angles = np.asarray(angles, "float64")
    active = np.ones(len(angles), bool) if active is None else np.asarray(active, bool)
    score = np.minimum(angles, 180.0 - angles) if complementary else angles.copy()
    usable = np.triu(np.outer(active, active), k=1) & ~np.isnan(score)
    if not usable.any():
        raise ValueError(f"No pair of active units with a defined angle is left ({int(active.sum())} active "
                         f"units); pruning needs two that are not dead.")
    score[~usable] = np.inf
    i, j = np.unravel_index(np.argmin(score), score.shape)
    return int(i), int(j), float(angles[i, j])


def unit_to_remove(activations, i, j):
    """Of the pair ``(i, j)``, the unit with the smaller root-mean-square activation (``j`` on a tie)."""
    strength = np.sqrt(np.mean(np.square(np.asarray(activations, "float64")[:, [i, j]]), axis=0))
    return i if strength[0] < strength[1] else j


# --- The latent mask ------------------------------------------------------------------------------------


def latent_mask_layer(model):
    """The `LatentMask` that ends ``model``'s encoder, or an error saying how to add one."""
    last = model.encoder.layers[-1] if hasattr(model.encoder, "layers") else None
    if not isinstance(last, LatentMask):
        raise ValueError(f"Pruning switches latent units off in a LatentMask at the end of the encoder, and "
                         f"{model.name!r} has none: build the model with one (faces_conv_ae does) or wrap it "
                         f"once with rate.with_latent_mask(model, np.ones(model.latent_shape)) before training.")
    return last


def active_mask(model):
    """The model's latent mask flattened to a boolean vector (True: the unit is kept)."""
    return ops.convert_to_numpy(latent_mask_layer(model).mask).reshape(-1) > 0


def remove_unit(model, unit):
    """Set latent unit ``unit`` (an index into the flattened latent) to 0 in the model's mask, in place."""
    layer = latent_mask_layer(model)
    mask = ops.convert_to_numpy(layer.mask).copy()
    flat = mask.reshape(-1)
    if flat[unit] == 0:
        raise ValueError(f"Latent unit {unit} is already pruned.")
    flat[unit] = 0.0
    layer.mask.assign(mask)


def prune_least_distinct(model, activations, normalisation="none", complementary=False):
    """Remove one unit of the least distinct pair of active units given their ``activations`` (N, units)
    over the training set; returns ``{"unit", "partner", "angle", "active_units", "dead_units"}``, the
    last the active units left that are zero on every pattern."""
    activations = np.asarray(activations).reshape(len(activations), -1)
    active = active_mask(model)
    angles = distinctiveness_angles(activations, normalisation)
    i, j, angle = least_distinct_pair(angles, active, complementary)
    unit = unit_to_remove(activations, i, j)
    remove_unit(model, unit)
    return {"unit": unit, "partner": j if unit == i else i, "angle": angle, "active_units": int(active.sum()) - 1,
            "dead_units": int((dead_units(activations) & active).sum())}


# --- The recipe -----------------------------------------------------------------------------------------


def pruning_epochs(epochs, prune_every, units_to_prune):
    """The epochs after which a unit goes: prune_every, 2 * prune_every, ..., one per unit to prune."""
    if units_to_prune < 0 or (units_to_prune and prune_every < 1):
        raise ValueError(f"Need units_to_prune >= 0 and prune_every >= 1, got {units_to_prune} and {prune_every}.")
    schedule = [prune_every * (k + 1) for k in range(units_to_prune)]
    if schedule and schedule[-1] >= epochs:
        raise ValueError(f"Pruning {units_to_prune} units every {prune_every} epochs needs more than "
                         f"{schedule[-1]} epochs (training goes on after the last pruning); got {epochs}.")
    return schedule


def distinctiveness_pruning(model, train, epochs, config, validation=None, callbacks=None, prune_every=100,
                            units_to_prune=12, normalisation="none", complementary=False):
    """Train ``model`` (the joint network: all its outputs, its own training behaviour) for ``epochs`` with
    one optimizer throughout, pruning one latent unit after each of epochs prune_every, 2 * prune_every, ...
    until ``units_to_prune`` are gone; with ``units_to_prune=0`` the same training without pruning.

    Returns one record: the per-epoch history over all epochs ("loss", "val_loss", ...), "epoch" (1-based),
    and "pruned", one entry per removed unit: the epoch after which it went, the unit, its partner in the
    least distinct pair, their angle in degrees, the units left, and the validation loss just after removal
    ("val_loss_after_pruning", before any further training) when ``validation`` is given.
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"Unknown normalisation {normalisation!r}; choose one of {NORMALISATIONS}.")
    schedule = pruning_epochs(epochs, prune_every, units_to_prune)
    if units_to_prune:
        latent_mask_layer(model)
    images, labels = train
    runner = PhaseRunner(model, config)
    phase = Phase("distinctiveness pruning" if units_to_prune else "unpruned control", "joint",
                  tuple(model.parts), epochs)
    network = runner.compile(phase)
    # One data set object for the whole run, so epoch e shuffles the same way with and without pruning.
    dataset = batches(images, targets_for("joint", model, labels), config.batch_size, shuffle=True,
                      seed=config.seed * 100_003 + 1)
    validation_data = None
    if validation is not None:
        validation_data = batches(validation[0], targets_for("joint", model, validation[1]),
                                  max(config.batch_size, 256))
    history, pruned = {}, []
    start = 0
    for stop in [*schedule, epochs]:
        fitted = runner.fit(phase, network, dataset, epochs=stop, initial_epoch=start,
                            validation_data=validation_data, callbacks=callbacks)
        for key, values in fitted.history.items():
            history.setdefault(key, []).extend(float(value) for value in values)
        start = stop
        if stop < epochs:
            pruned.append(runner.recorded(f"pruning after epoch {stop}", lambda: _prune(
                model, network, runner.latents(images), validation_data, stop, normalisation, complementary)))
    return [{"phase": phase.name, "epoch": list(range(1, epochs + 1)), **history, "pruned": pruned,
             "active_units": model.active_latent_units}]


def _prune(model, network, latents, validation_data, epoch, normalisation, complementary):
    """One unit removed after ``epoch``, with the validation loss just after (when there is validation)."""
    record = {"epoch": epoch, **prune_least_distinct(model, latents, normalisation, complementary)}
    if validation_data is not None:
        record["val_loss_after_pruning"] = float(network.evaluate(validation_data, verbose=0,
                                                                  return_dict=True)["loss"])
    return record
