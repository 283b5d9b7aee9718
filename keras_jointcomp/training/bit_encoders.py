"""The multiple-encoder study's training modes (Scott), and closing its rounding gap.

Joint training of encoders, decoder and classifier is the generic "joint" recipe (with
`TrainingConfig.rounding_gap_weight` as the rounding-gap loss's alpha). This module adds:

- "pretrained-classifier": a classifier trained first on the images themselves, then frozen while the
  encoders and the decoder learn to feed it (the study's other mode);
- "joint-hard-bits": joint training on soft bits, then a few epochs end to end on hard bits (the quantizer
  switched to straight-through rounding) at a tenth of the learning rate, each phase keeping the epoch whose
  *rounded* validation accuracy is best (Keras validates in inference mode, where the bits are hard).
  Soft-bit training lets the heads read analogue values that never cross the link; the hard-bit phase
  teaches encoders and heads the bits that do (and re-estimates batch-norm statistics on them), after the
  soft phase found a good starting point that training on hard bits from scratch reaches more slowly.
"""

import contextlib

import keras

from keras_jointcomp.data import batches
from keras_jointcomp.layers import BinaryQuantizer
from keras_jointcomp.training.phases import Phase, PhaseRunner
from keras_jointcomp.training.recipes import run_phases

HARD_BIT_EPOCHS = 3
HARD_BIT_LEARNING_RATE_SCALE = 0.1


def pretrain_classifier(model, train, epochs, config, callbacks=None):
    """Train ``model``'s classifier alone on the images (it must take decoded images); the Keras History."""
    if model.classifier_input != "decoded":
        raise ValueError("Pretraining the classifier on images needs a model whose classifier takes decoded "
                         "images (classifier_input='decoded').")
    phase = Phase("classifier on images", "classifier", ("classifier",), epochs)
    runner = PhaseRunner(model, config)
    classifier = runner.compile(phase, model.part("classifier"))
    images, labels = train
    return runner.fit(phase, classifier, batches(images, labels, config.batch_size, shuffle=True, seed=config.seed),
                      callbacks=callbacks)


def pretrained_classifier(model, train, epochs, config, validation=None, callbacks=None):
    """The classifier trained on images, then frozen while the encoders and the decoder learn to feed it."""
    history = pretrain_classifier(model, train, epochs, config, callbacks)
    phase = Phase("encoders and decoder for the frozen classifier", "joint", ("encoder", "decoder"), epochs)
    return [{"phase": "classifier on images", **history.history},
            *run_phases(model, [phase], train, config, validation, callbacks)]


@contextlib.contextmanager
def straight_through(model):
    """Within the block, ``model``'s binary quantizer rounds in training too (gradient passed straight
    through); its previous mode is restored after."""
    quantizer = model.part("quantizer")
    if not isinstance(quantizer, BinaryQuantizer):
        raise ValueError(f"Hard-bit training needs a BinaryQuantizer; {model.name!r} has {type(quantizer).__name__}.")
    previous = quantizer.straight_through
    quantizer.straight_through = True
    try:
        yield model
    finally:
        quantizer.straight_through = previous


def best_rounded_epoch(epochs):
    """A callback that restores, at the end of a joint phase of ``epochs`` epochs, the weights of the epoch
    with the best validation accuracy: rounded, since Keras validates in inference mode."""
    return keras.callbacks.EarlyStopping(monitor="val_logits_accuracy", mode="max", patience=epochs,
                                         restore_best_weights=True)


def _run_keeping_the_best(runner, phase, train, validation, callbacks=None):
    callbacks = list(callbacks or []) + ([] if validation is None else [best_rounded_epoch(phase.epochs)])
    return {"phase": phase.name, **runner.run(phase, *train, validation=validation, callbacks=callbacks).history}


def train_on_soft_bits(runner, train, epochs, validation=None, callbacks=None):
    """Joint training (soft bits unless the model rounds straight-through already), keeping the best rounded
    validation epoch when ``validation`` is given; returns the phase's record."""
    return _run_keeping_the_best(runner, Phase("joint", "joint", tuple(runner.model.parts), epochs), train,
                                 validation, callbacks)


def train_on_hard_bits(runner, train, epochs=HARD_BIT_EPOCHS, validation=None, callbacks=None):
    """End-to-end training on hard bits (straight-through) at a tenth of the learning rate, keeping the best
    rounded validation epoch when ``validation`` is given; returns the phase's record."""
    phase = Phase("end to end on hard bits", "joint", tuple(runner.model.parts), epochs,
                  learning_rate_scale=HARD_BIT_LEARNING_RATE_SCALE)
    with straight_through(runner.model):
        return _run_keeping_the_best(runner, phase, train, validation, callbacks)


def joint_then_hard_bits(model, train, epochs, config, validation=None, callbacks=None,
                         hard_bit_epochs=HARD_BIT_EPOCHS):
    """Joint training on soft bits for ``epochs``, then ``hard_bit_epochs`` end to end on hard bits."""
    runner = PhaseRunner(model, config)
    records = [train_on_soft_bits(runner, train, epochs, validation, callbacks)]
    if hard_bit_epochs:
        records.append(train_on_hard_bits(runner, train, hard_bit_epochs, validation, callbacks))
    return records
