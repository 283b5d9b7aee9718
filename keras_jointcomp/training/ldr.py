"""Hierarchical LDR training (Qi et al.): cross-entropy baseline, DuPHiL, and the three-step LDR-FT.

- "ce-t": the CE-trained baseline, encoder and classifier end to end on cross-entropy.
- "duphil": phase 1 trains the encoder (and side branch) on the MCR^2 (LDR) loss while the classifier is
  frozen; phase 2 freezes the encoder and trains the classifier on cross-entropy.
- "ldr-ft": step 1 is DuPHiL with the class partition; step 2 is DuPHiL with the self-supervised partition,
  whose groups are the n augmented views of each image; step 3 trains end to end on cross-entropy at a
  tenth of the learning rate.

The study applies DuPHiL and LDR-FT to a CE-T model (pass one trained by "ce-t"), after choosing the latent
dimension by a short cross-entropy screening (`keras_jointcomp.tuning`).
"""

import keras
import numpy as np

from keras_jointcomp import augment
from keras_jointcomp.data.pipeline import feeding_defaults
from keras_jointcomp.data.preprocessing import to_float
from keras_jointcomp.losses import MCR2
from keras_jointcomp.training.phases import Phase, PhaseRunner

SSL_VIEWS = 4
FINE_TUNE_SCALE = 0.1


class ViewBatches(keras.utils.PyDataset):
    """Batches of ``views`` augmented copies of each of ``images_per_batch`` images, with the index of the
    source image within the batch as the target: the self-supervised partition of the LDR-SSL loss."""

    def __init__(self, images, images_per_batch, views, transform, seed, **kwargs):
        super().__init__(**{**feeding_defaults(), **kwargs})
        self.images = np.asarray(images)
        self.images_per_batch = int(images_per_batch)
        self.views = int(views)
        self.transform = transform
        self.seed = int(seed)
        self.epoch = 0
        self.order = self._epoch_order()

    def __len__(self):
        return -(-len(self.images) // self.images_per_batch)

    def __getitem__(self, index):
        rows = self.order[index * self.images_per_batch:(index + 1) * self.images_per_batch]
        rng = np.random.default_rng([self.seed, self.epoch, index])
        views, groups = augment.augment_views(self.images[rows], self.views, self.transform, rng)
        return to_float(views), groups

    def on_epoch_end(self):
        self.epoch += 1
        self.order = self._epoch_order()

    def start_at_epoch(self, epoch):
        """Order the batches as epoch ``epoch`` (a resumed fit starts there)."""
        self.epoch = int(epoch)
        self.order = self._epoch_order()

    def _epoch_order(self):
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self.images))


def _require_side_branch(model):
    if "side_branch" not in model.parts:
        raise ValueError(f"LDR training needs a model with a side branch (e.g. ldr_resnet18); {model.name!r} "
                         f"has parts {sorted(model.parts)}.")


def duphil_phases(epochs, name=""):
    """DuPHiL's two phases: the encoder on the LDR loss, then the classifier on cross-entropy."""
    return [Phase(f"encoder on the LDR{name} loss", "side", ("encoder", "side_branch"), epochs),
            Phase(f"classifier on cross-entropy{name and ' after LDR' + name}", "classifier", ("classifier",),
                  epochs)]


def run_ssl_phase(runner, phase, images, views, transform, callbacks=None):
    """Train the encoder on the LDR-SSL loss over augmented views; returns the Keras History."""
    config = runner.config
    images_per_batch = max(2, config.batch_size // views)
    side = runner.compile(phase, loss=MCR2(images_per_batch, epsilon=config.ldr_epsilon))
    dataset = ViewBatches(images, images_per_batch, views, transform, seed=config.seed * 100_003 + 7)
    return runner.fit(phase, side, dataset, callbacks=callbacks)


def ce_trained(model, train, epochs, config, validation=None, callbacks=None):
    """The CE-trained baseline: encoder and classifier end to end on cross-entropy."""
    runner = PhaseRunner(model, config)
    phase = Phase("end to end on cross-entropy", "classifier", ("encoder", "classifier"), epochs)
    return [{"phase": phase.name, **runner.run(phase, *train, validation=validation, callbacks=callbacks).history}]


def duphil(model, train, epochs, config, validation=None, callbacks=None):
    """DuPHiL: the encoder on the MCR^2 loss through the side branch, then the classifier on cross-entropy
    behind the frozen encoder."""
    _require_side_branch(model)
    runner = PhaseRunner(model, config)
    return [{"phase": phase.name, **runner.run(phase, *train, validation=validation, callbacks=callbacks).history}
            for phase in duphil_phases(epochs)]


def ldr_fine_tuned(model, train, epochs, config, validation=None, callbacks=None, views=SSL_VIEWS, transform=None):
    """LDR-FT's three steps: DuPHiL with labels, DuPHiL with the self-supervised partition of ``views``
    augmented views per image (``transform``, default `augment.distortions()`), then end to end on
    cross-entropy at a tenth of the learning rate."""
    _require_side_branch(model)
    transform = transform or augment.distortions()
    runner = PhaseRunner(model, config)
    images, labels = train
    records = [{"phase": phase.name,
                **runner.run(phase, images, labels, validation=validation, callbacks=callbacks).history}
               for phase in duphil_phases(epochs)]
    ssl, classifier = duphil_phases(epochs, name="-SSL")
    records.append({"phase": ssl.name,
                    **run_ssl_phase(runner, ssl, images, views, transform, callbacks).history})
    records.append({"phase": classifier.name,
                    **runner.run(classifier, images, labels, validation=validation, callbacks=callbacks).history})
    end_to_end = Phase("end to end on cross-entropy, lower learning rate", "classifier",
                       ("encoder", "classifier"), epochs, learning_rate_scale=FINE_TUNE_SCALE)
    records.append({"phase": end_to_end.name, **runner.run(end_to_end, images, labels, validation=validation,
                                                           callbacks=callbacks).history})
    return records
