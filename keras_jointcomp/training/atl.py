"""The ATL study's recipes: end-to-end baselines, fixed transfers both ways, Alternating Transfer Learning,
transfer of an ATL compressor to a new domain, and multi-domain ATL.

Reference: R. P. Forna, "Using Alternating Transfer Learning to Create Multi-Purpose Layers in Deep
Convolutional Neural Networks". Each recipe takes ``train = (images, labels)`` (uint8, integer), trains the
model in place and returns a list of records.
"""

import dataclasses
import sys

import numpy as np

from keras_jointcomp.data import train_validation_split
from keras_jointcomp.evaluation import evaluate
from keras_jointcomp.training.phases import Phase, PhaseRunner
from keras_jointcomp.training.recipes import recipe, run_phases

AE = ("encoder", "decoder")
CNN = ("encoder", "classifier")


@recipe("baseline-ae", "the full autoencoder (compressor + decompressor) from random initialisation")
def baseline_autoencoder(model, train, epochs, config, validation=None):
    return run_phases(model, [Phase("autoencoder", "autoencoder", AE, epochs)], train, config, validation)


@recipe("baseline-cnn", "the full classification CNN (compressor + classifier) from random initialisation")
def baseline_cnn(model, train, epochs, config, validation=None):
    return run_phases(model, [Phase("cnn", "classifier", CNN, epochs)], train, config, validation)


@recipe("ae-driven", "train the autoencoder, freeze the compressor, train only the classifier")
def ae_driven(model, train, epochs, config, validation=None):
    phases = [Phase("autoencoder", "autoencoder", AE, epochs),
              Phase("classifier on frozen compressor", "classifier", ("classifier",), epochs)]
    return run_phases(model, phases, train, config, validation)


@recipe("classifier-driven", "train the CNN, freeze the compressor, train only the decompressor")
def classifier_driven(model, train, epochs, config, validation=None):
    phases = [Phase("cnn", "classifier", CNN, epochs),
              Phase("decompressor on frozen compressor", "autoencoder", ("decoder",), epochs)]
    return run_phases(model, phases, train, config, validation)


@dataclasses.dataclass
class ATLSchedule:
    """Algorithm 1's epoch counts per epoch set, its stopping rule, and the final fine-tuning."""

    k_ae: int = 1
    j_class: int = 1
    k_class: int = 1
    j_ae: int = 1
    max_epoch_sets: int = 25
    patience: int = 3
    finetune_epochs: int = 2
    validation_fraction: float = 0.1


def _measure(runner, images, labels):
    """Held-out accuracy and PSNR of the joint model."""
    report = evaluate(runner.model, images, labels, batch_size=max(runner.config.batch_size, 256))
    return {"accuracy": report["accuracy"], "psnr_db": report["psnr_db"]}


def _held_out(train, validation, fraction, seed):
    if validation is not None:
        return train, validation
    return train_validation_split(*train, validation_fraction=fraction, seed=seed)


@recipe("atl", "Alternating Transfer Learning (Algorithm 1): alternate AE and CNN training of one compressor")
def alternating_transfer_learning(model, train, epochs, config, validation=None, schedule=None):
    """Algorithm 1. ``epochs`` is the maximum number of epoch sets (overrides ``schedule.max_epoch_sets``).

    Each epoch set trains the whole AE (k_ae epochs), then only the classifier (j_class) and measures
    accuracy, then the whole CNN (k_class), then only the decompressor (j_ae) and measures PSNR. It goes on
    while either measure still improves on held-out data (``patience`` sets without a new best on both
    ends it), then fine-tunes the classifier and the decompressor alone.
    """
    schedule = dataclasses.replace(schedule or ATLSchedule(), max_epoch_sets=epochs)
    train, validation = _held_out(train, validation, schedule.validation_fraction, config.seed)
    runner = PhaseRunner(model, config)
    records, best, stale = [], {"accuracy": -np.inf, "psnr_db": -np.inf}, 0
    for epoch_set in range(1, schedule.max_epoch_sets + 1):
        runner.run(Phase("ae", "autoencoder", AE, schedule.k_ae), *train)
        runner.run(Phase("classifier only", "classifier", ("classifier",), schedule.j_class), *train)
        accuracy = _measure(runner, *validation)["accuracy"]
        runner.run(Phase("cnn", "classifier", CNN, schedule.k_class), *train)
        runner.run(Phase("decompressor only", "autoencoder", ("decoder",), schedule.j_ae), *train)
        measured = _measure(runner, *validation)
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
        if stale >= schedule.patience:
            break
    if schedule.finetune_epochs:
        runner.run(Phase("fine-tune classifier", "classifier", ("classifier",), schedule.finetune_epochs), *train)
        runner.run(Phase("fine-tune decompressor", "autoencoder", ("decoder",), schedule.finetune_epochs), *train)
        records.append({"phase": "fine-tuned", **_measure(runner, *validation)})
    return records


def _copy_compressor(source, target):
    """Give ``target`` the compressor weights of ``source`` (same architecture, any data set)."""
    if source.encoder.input_shape[1:] != target.encoder.input_shape[1:]:
        raise ValueError(
            f"The source compressor takes {source.encoder.input_shape[1:]} images but this data set has "
            f"{target.encoder.input_shape[1:]}."
        )
    target.encoder.set_weights(source.encoder.get_weights())


def _train_heads_on_frozen_compressor(model, train, epochs, config, validation):
    phases = [Phase("classifier on frozen compressor", "classifier", ("classifier",), epochs),
              Phase("decompressor on frozen compressor", "autoencoder", ("decoder",), epochs)]
    return run_phases(model, phases, train, config, validation)


@recipe("cross-domain", "freeze a trained ATL compressor (--from-model) and train new heads on another data set")
def cross_domain(model, train, epochs, config, validation=None, source=None):
    """Transfer the compressor of ``source`` (a trained `JointModel`) into ``model``, freeze it, and train
    ``model``'s fresh classifier and decompressor on ``train``, ``epochs`` epochs each."""
    if source is None:
        raise ValueError("cross-domain needs a trained source model (CLI: --from-model FILE.keras).")
    _copy_compressor(source, model)
    return _train_heads_on_frozen_compressor(model, train, epochs, config, validation)


@recipe("multi-domain", "ATL alternating over the AE and classifier tasks of several data sets (--domains), "
                        "then transfer of the shared compressor to the data set left out")
def multi_domain(model, train, epochs, config, validation=None, domains=None, schedule=None,
                 transfer_epochs=None):
    """ATL over several domains at once, the study's proposed future work.

    ``domains`` maps a name to ``(images, labels)``. Every domain gets its own decompressor and classifier
    (fresh copies of ``model``'s heads) around one shared compressor; each of the ``epochs`` epoch sets runs
    Algorithm 1's four phases for every domain in turn and measures each on its held-out part. Then
    ``model`` gets the shared compressor, frozen, and trains its own heads on ``train``, the domain left
    out, for ``transfer_epochs`` epochs each (default: the schedule's fine-tuning epochs).
    """
    if not domains:
        raise ValueError("multi-domain needs the data sets to alternate over (CLI: --domains a,b).")
    schedule = schedule or ATLSchedule()
    shared = model.__class__.from_config(model.get_config())  # same architecture, its own weights
    runners, held_out = {}, {}
    for name, data in domains.items():
        domain_train, held_out[name] = _held_out(data, None, schedule.validation_fraction, config.seed)
        runners[name] = (PhaseRunner(_with_fresh_heads(shared, model), config), domain_train)
    records = []
    for epoch_set in range(1, epochs + 1):
        for name, (runner, domain_train) in runners.items():
            for phase in (Phase("ae", "autoencoder", AE, schedule.k_ae),
                          Phase("classifier only", "classifier", ("classifier",), schedule.j_class),
                          Phase("cnn", "classifier", CNN, schedule.k_class),
                          Phase("decompressor only", "autoencoder", ("decoder",), schedule.j_ae)):
                runner.run(phase, *domain_train)
            records.append({"phase": f"epoch set {epoch_set}", "domain": name,
                            **_measure(runner, *held_out[name])})
    _copy_compressor(shared, model)
    transfer_epochs = transfer_epochs or schedule.finetune_epochs
    return records + _train_heads_on_frozen_compressor(model, train, transfer_epochs, config, validation)


def _with_fresh_heads(shared, template):
    """A model with ``shared``'s compressor and quantizer and freshly initialised copies of ``template``'s heads."""
    fresh = template.__class__.from_config(template.get_config())
    return template.__class__(encoder=shared.encoder, quantizer=shared.quantizer,
                              decoder=fresh.decoder, classifier=fresh.classifier)
