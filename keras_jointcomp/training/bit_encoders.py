"""The multiple-encoder study's training modes (Scott).

Joint training of encoders, decoder and classifier is the generic "joint" recipe (with
`TrainingConfig.rounding_gap_weight` as the rounding-gap loss's alpha). This module adds the other mode: a
classifier trained first on the images themselves, then frozen while the encoders and the decoder learn to
feed it.
"""

from keras_jointcomp.data import batches
from keras_jointcomp.training.phases import Phase, PhaseRunner
from keras_jointcomp.training.recipes import recipe, run_phases


def pretrain_classifier(model, train, epochs, config):
    """Train ``model``'s classifier alone on the images (it must take decoded images); the Keras History."""
    if model.classifier_input != "decoded":
        raise ValueError("Pretraining the classifier on images needs a model whose classifier takes decoded "
                         "images (classifier_input='decoded').")
    phase = Phase("classifier on images", "classifier", ("classifier",))
    classifier = PhaseRunner(model, config).compile(phase, model.part("classifier"))
    images, labels = train
    return classifier.fit(batches(images, labels, config.batch_size, shuffle=True, seed=config.seed),
                          epochs=epochs, verbose=config.verbose)


@recipe("pretrained-classifier", "train the classifier on images, freeze it, then train encoders and decoder "
                                 "to feed it")
def pretrained_classifier(model, train, epochs, config, validation=None):
    history = pretrain_classifier(model, train, epochs, config)
    phase = Phase("encoders and decoder for the frozen classifier", "joint", ("encoder", "decoder"), epochs)
    return [{"phase": "classifier on images", **history.history},
            *run_phases(model, [phase], train, config, validation)]
