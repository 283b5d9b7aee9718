"""The ATL study's recipes: end-to-end baselines, fixed transfers both ways, Alternating Transfer Learning,
transfer of an ATL compressor to a new domain, and multi-domain ATL.

Reference: R. P. Forna, "Using Alternating Transfer Learning to Create Multi-Purpose Layers in Deep
Convolutional Neural Networks". Each recipe takes ``train = (images, labels)`` (uint8, integer), trains the
model in place and returns a list of records.
"""

import sys

import numpy as np

from keras_jointcomp.data import train_validation_split
from keras_jointcomp.evaluation import evaluate
from keras_jointcomp.training.phases import Phase, PhaseRunner
from keras_jointcomp.training.recipes import run_phases

AE = ("encoder", "decoder")
CNN = ("encoder", "classifier")


def baseline_autoencoder(model, train, epochs, config, validation=None, callbacks=None):
    return run_phases(model, [Phase("autoencoder", "autoencoder", AE, epochs)], train, config, validation, callbacks)


def baseline_cnn(model, train, epochs, config, validation=None, callbacks=None):
    return run_phases(model, [Phase("cnn", "classifier", CNN, epochs)], train, config, validation, callbacks)


def ae_driven(model, train, epochs, config, validation=None, callbacks=None):
    phases = [Phase("autoencoder", "autoencoder", AE, epochs),
              Phase("classifier on frozen compressor", "classifier", ("classifier",), epochs)]
    return run_phases(model, phases, train, config, validation, callbacks)


def classifier_driven(model, train, epochs, config, validation=None, callbacks=None):
    phases = [Phase("cnn", "classifier", CNN, epochs),
              Phase("decompressor on frozen compressor", "autoencoder", ("decoder",), epochs)]
    return run_phases(model, phases, train, config, validation, callbacks)


def _measure(runner, images, labels):
    """Held-out accuracy and PSNR of the joint model."""
    report = evaluate(runner.model, images, labels, batch_size=max(runner.config.batch_size, 256))
    return {"accuracy": report["accuracy"], "psnr_db": report["psnr_db"]}


def _held_out(train, validation, fraction, seed):
    if validation is not None:
        return train, validation
    return train_validation_split(*train, validation_fraction=fraction, seed=seed)


def alternating_transfer_learning(model, train, epochs, config, validation=None, callbacks=None, epoch_sets=25,
                                  k_ae=1, j_class=1, k_class=1, j_ae=1, patience=3, validation_fraction=0.1):
    """Algorithm 1 for up to ``epoch_sets`` epoch sets, then ``epochs`` epochs of fine-tuning of each head
    (0: none).

    Each epoch set trains the whole AE (``k_ae`` epochs), then only the classifier (``j_class``) and
    measures accuracy, then the whole CNN (``k_class``), then only the decompressor (``j_ae``) and measures
    PSNR. It goes on while either measure still improves on held-out data (``patience`` sets without a new
    best on both ends it; the held-out data is ``validation``, or ``validation_fraction`` of ``train``),
    then fine-tunes the classifier and the decompressor alone.
    """
    train, validation = _held_out(train, validation, validation_fraction, config.seed)
    runner = PhaseRunner(model, config)
    records, best, stale = [], {"accuracy": -np.inf, "psnr_db": -np.inf}, 0
    for epoch_set in range(1, epoch_sets + 1):
        runner.run(Phase(f"set {epoch_set}: ae", "autoencoder", AE, k_ae), *train, callbacks=callbacks)
        runner.run(Phase(f"set {epoch_set}: classifier only", "classifier", ("classifier",), j_class), *train,
                   callbacks=callbacks)
        accuracy = runner.recorded(f"set {epoch_set}: accuracy after the classifier",
                                   lambda: _measure(runner, *validation)["accuracy"])
        runner.run(Phase(f"set {epoch_set}: cnn", "classifier", CNN, k_class), *train, callbacks=callbacks)
        runner.run(Phase(f"set {epoch_set}: decompressor only", "autoencoder", ("decoder",), j_ae), *train,
                   callbacks=callbacks)
        measured = runner.recorded(f"set {epoch_set}: held-out", lambda: _measure(runner, *validation))
        record = {"phase": f"epoch set {epoch_set}", "epoch_set": epoch_set,
                  "accuracy_after_classifier": accuracy, **measured}
        records.append(record)
        if config.verbose:
            print(f"ATL epoch set {epoch_set}: held-out accuracy {measured['accuracy']:.4f}, "
                  f"PSNR {measured['psnr_db']:.2f} dB", file=sys.stderr)
        improved = [key for key in best if record[key] > best[key]]
        for key in improved:
            best[key] = record[key]
        stale = 0 if improved else stale + 1
        if stale >= patience:
            break
    if epochs:
        runner.run(Phase("fine-tune classifier", "classifier", ("classifier",), epochs), *train, callbacks=callbacks)
        runner.run(Phase("fine-tune decompressor", "autoencoder", ("decoder",), epochs), *train, callbacks=callbacks)
        records.append({"phase": "fine-tuned", **runner.recorded("fine-tuned: held-out",
                                                                 lambda: _measure(runner, *validation))})
    return records


def _copy_compressor(source, target):
    """Give ``target`` the compressor weights of ``source`` (same architecture, any data set)."""
    if source.encoder.input_shape[1:] != target.encoder.input_shape[1:]:
        raise ValueError(
            f"The source compressor takes {source.encoder.input_shape[1:]} images but this data set has "
            f"{target.encoder.input_shape[1:]}."
        )
    target.encoder.set_weights(source.encoder.get_weights())


def _train_heads_on_frozen_compressor(model, train, epochs, config, validation, callbacks):
    phases = [Phase("classifier on frozen compressor", "classifier", ("classifier",), epochs),
              Phase("decompressor on frozen compressor", "autoencoder", ("decoder",), epochs)]
    return run_phases(model, phases, train, config, validation, callbacks)


def cross_domain(model, train, epochs, config, validation=None, callbacks=None, source=None):
    """Transfer the compressor of ``source`` (a trained `JointModel`) into ``model``, freeze it, and train
    ``model``'s fresh classifier and decompressor on ``train``, ``epochs`` epochs each."""
    if source is None:
        raise ValueError("cross-domain needs a trained source model (CLI: --source FILE.keras)")
    _copy_compressor(source, model)
    return _train_heads_on_frozen_compressor(model, train, epochs, config, validation, callbacks)


def multi_domain(model, train, epochs, config, validation=None, callbacks=None, domains=None, epoch_sets=25,
                 validation_fraction=0.1):
    """ATL over several domains at once, the study's proposed future work.

    ``domains`` maps a name to ``(images, labels)``. Every domain gets its own decompressor and classifier
    (fresh copies of ``model``'s heads) around one shared compressor; each of the ``epoch_sets`` epoch sets
    runs Algorithm 1's four phases (one epoch each) for every domain in turn and measures each on its
    held-out part (``validation_fraction``). Then ``model`` gets the shared compressor, frozen, and trains
    its own heads on ``train``, the domain left out, for ``epochs`` epochs each.

    The per-domain heads live outside ``model``, so this recipe cannot resume from a checkpoint.
    """
    if not domains:
        raise ValueError("multi-domain needs the data sets to alternate over (CLI: --domains a,b)")
    if config.checkpoint is not None:
        raise ValueError("multi-domain cannot resume from a checkpoint (its per-domain heads are not part of "
                         "the saved model); run it without --checkpoint-dir")
    shared = model.__class__.from_config(model.get_config())  # same architecture, its own weights
    runners, held_out = {}, {}
    for name, data in domains.items():
        domain_train, held_out[name] = _held_out(data, None, validation_fraction, config.seed)
        runners[name] = (PhaseRunner(_with_fresh_heads(shared, model), config), domain_train)
    records = []
    for epoch_set in range(1, epoch_sets + 1):
        for name, (runner, domain_train) in runners.items():
            for phase in (Phase(f"set {epoch_set}, {name}: ae", "autoencoder", AE),
                          Phase(f"set {epoch_set}, {name}: classifier only", "classifier", ("classifier",)),
                          Phase(f"set {epoch_set}, {name}: cnn", "classifier", CNN),
                          Phase(f"set {epoch_set}, {name}: decompressor only", "autoencoder", ("decoder",))):
                runner.run(phase, *domain_train, callbacks=callbacks)
            records.append({"phase": f"epoch set {epoch_set}", "domain": name,
                            **_measure(runner, *held_out[name])})
    _copy_compressor(shared, model)
    return records + _train_heads_on_frozen_compressor(model, train, epochs, config, validation, callbacks)


def _with_fresh_heads(shared, template):
    """A model with ``shared``'s compressor and quantizer and freshly initialised copies of ``template``'s heads."""
    fresh = template.__class__.from_config(template.get_config())
    return fresh.replace(encoder=shared.encoder, quantizer=shared.quantizer)
