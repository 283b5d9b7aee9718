"""Data-parallel training on several devices through the engines Keras already has.

    with training.data_parallel(2):
        model = models.load("atl_lenet")
        training.train("atl", model, (images, labels), 10, config)

Inside the block every batch of ``config.batch_size`` images is split evenly between the devices, each
holds a replica of the weights, and the gradients are averaged, so a step on N devices is the step on one
device with the same global batch. The model must be built (or loaded) inside the block, so that its
variables are placed on the devices; every recipe runs unchanged, phase-frozen ones included (each phase
compiles its networks inside the block).

Engines:
- JAX: `keras.distribution.DataParallel` over the first N of ``jax.devices()``; one program is compiled
  for the whole mesh (GSPMD), so batch norm's statistics are those of the global batch, exactly as on one
  device. Every batch must split evenly between the devices: the package's data sets (`data.batches`) cut
an epoch's last training batch to a multiple of N (at most N - 1 images of that epoch wait for the next
one, whose order is new) and pad the last inference batch by repeating an image, whose outputs are cut
again. On a CPU, JAX sees several devices only when started with
  ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` (the CLI sets it for ``--devices N``).
- TensorFlow: `tf.distribute.MirroredStrategy` over N GPUs, or N logical CPU devices when there are no
  GPUs (the CPU is split before TensorFlow starts its runtime; afterwards that is impossible and the
  error says so). Each replica runs its own step on its share of the batch: batch norm normalises with
  the statistics of that share (Keras' `BatchNormalization` is not synchronised unless built with
  ``synchronized=True``) and its moving averages are aggregated across replicas; dropout draws its own
  mask per replica.
- PyTorch: Keras 3 has no distribution for the torch backend; asking for more than one device is an error
  naming the backends that have one.
"""

import contextlib
import json
import os
import sys

ENGINES = {"jax": "keras.distribution.DataParallel", "tensorflow": "tf.distribute.MirroredStrategy"}
HOST_DEVICE_FLAG = "--xla_force_host_platform_device_count"


def check_devices(devices):
    """``devices`` as a whole number of at least 1, or an error saying what it got."""
    if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
        raise ValueError(f"devices must be a whole number of at least 1, got {devices!r}")
    return devices


def request_host_devices(devices):
    """Ask JAX, before it starts, to show the CPU as ``devices`` devices (what `data_parallel` needs on a
    machine without accelerators); does nothing if JAX has started or the flag is set already. Imports
    no backend, so it can run first."""
    if (check_devices(devices) > 1 and configured_backend() == "jax" and "jax" not in sys.modules
            and HOST_DEVICE_FLAG not in os.environ.get("XLA_FLAGS", "")):
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {HOST_DEVICE_FLAG}={devices}".strip()


def configured_backend():
    """The Keras backend this process will start (KERAS_BACKEND, else keras.json, else TensorFlow), read
    without importing Keras. Only JAX gets the host-device flag: TensorFlow's XLA reads it too, and its
    compiled steps under MirroredStrategy then no longer match one device."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    try:
        with open(os.path.join(home, "keras.json")) as file:
            return json.load(file).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


@contextlib.contextmanager
def data_parallel(devices):
    """Within the block, build and train models data-parallel on ``devices`` devices (1: as usual)."""
    import keras

    if check_devices(devices) == 1:
        yield None
        return
    backend = keras.backend.backend()
    if backend == "jax":
        scope = _jax_data_parallel(devices)
    elif backend == "tensorflow":
        scope = _tensorflow_mirrored(devices)
    else:
        raise ValueError(f"data-parallel training needs the {' or '.join(ENGINES)} backend (Keras "
                         f"{keras.__version__} has no distribution for {backend}); got devices={devices}")
    with scope as engine:
        yield engine


def _jax_data_parallel(devices):
    import jax
    import keras

    available = jax.devices()
    if len(available) < devices:
        raise ValueError(f"JAX sees {len(available)} {available[0].platform} device(s), fewer than devices="
                         f"{devices}; on a CPU start the process with XLA_FLAGS={HOST_DEVICE_FLAG}={devices}")
    distribution = keras.distribution.DataParallel(devices=available[:devices])
    return _entered(distribution.scope(), distribution)



def _tensorflow_mirrored(devices):
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")  # physical: listing logical devices starts the runtime
    names = [f"/gpu:{index}" for index in range(len(gpus))] if gpus else _logical_cpus(tf, devices)
    if len(names) < devices:
        raise ValueError(f"TensorFlow sees {len(names)} device(s), fewer than devices={devices}")
    strategy = tf.distribute.MirroredStrategy(devices=names[:devices])
    return _entered(strategy.scope(), strategy)


def _logical_cpus(tf, devices):
    """The names of ``devices`` logical CPU devices, splitting the CPU if TensorFlow has not started yet."""
    cpus = tf.config.list_physical_devices("CPU")
    if len(tf.config.get_logical_device_configuration(cpus[0]) or ()) < devices:
        try:
            tf.config.set_logical_device_configuration(
                cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])
        except RuntimeError as error:
            raise ValueError(f"TensorFlow has started with {len(tf.config.list_logical_devices('CPU'))} CPU "
                             f"device(s) and cannot split the CPU into {devices} now; enter data_parallel("
                             f"{devices}) before any TensorFlow work in the process") from error
    return [device.name for device in tf.config.list_logical_devices("CPU")]


@contextlib.contextmanager
def _entered(scope, engine):
    with scope:
        yield engine
