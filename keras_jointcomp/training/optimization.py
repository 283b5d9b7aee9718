"""Optimizers and learning-rate schedules of the training recipes: Adam (the studies' own) or Nesterov SGD
with the fast-CIFAR tricks of airbench (Jordan, "94 % on CIFAR-10 in 3.29 seconds on a single GPU", 2024).

Each trick is a `TrainingConfig` field, so each can be switched off on its own:

- ``optimizer="sgd"``: Nesterov SGD at ``momentum``; ``weight_decay`` is decoupled (Keras' convention:
  each step multiplies a weight by ``1 - weight_decay * learning_rate``);
- ``learning_rate_schedule="warmup-linear"``: from 0.2x up to 1x the learning rate over the first 23 % of a
  phase's steps, then linearly down to 0.07x (airbench's triangle);
- ``bias_learning_rate_scale``: the batch norms' offsets learn this many times faster (airbench: 64), which
  lets a network whose scales are frozen (``scale=False``) still move its activations quickly;
- ``weight_averaging=k`` (sgd): airbench's lookahead, slow weights averaged from the fast ones every ``k``
  steps, at a decay rising from 0 to ``averaging_decay`` over the phase, the fast weights restarting from
  them; the phase ends on the slow weights (see `AirbenchSGD`).
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable



@serializable
class WarmupLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``peak`` times a triangle over ``total_steps``: linear from ``start`` to 1 over the first
    ``warmup_fraction`` of the steps, then linear to ``end``. `PhaseRunner` sets ``total_steps`` to the
    phase's length when it starts the phase."""

    def __init__(self, peak, total_steps=1, warmup_fraction=0.23, start=0.2, end=0.07):
        self.peak = float(peak)
        self.total_steps = int(total_steps)
        self.warmup_fraction = float(warmup_fraction)
        self.start = float(start)
        self.end = float(end)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warmup = max(1.0, self.warmup_fraction * self.total_steps)
        decay = max(1.0, self.total_steps - warmup)
        rising = self.start + (1.0 - self.start) * step / warmup
        falling = 1.0 + (self.end - 1.0) * ops.minimum(1.0, (step - warmup) / decay)
        return self.peak * ops.where(step < warmup, rising, falling)

    def get_config(self):
        return {"peak": self.peak, "total_steps": self.total_steps, "warmup_fraction": self.warmup_fraction,
                "start": self.start, "end": self.end}


def is_norm_offset(variable):
    """Whether ``variable`` is a batch norm's offset (beta), the weights airbench lets learn faster."""
    return variable.path.endswith("/beta")


@serializable
class AirbenchSGD(keras.optimizers.SGD):
    """Keras SGD with airbench's two changes to the update, both in `update_step` (so every backend runs
    them inside its compiled step):

    - the batch-norm offsets (`is_norm_offset`) step ``bias_learning_rate_scale`` times further; weight decay
      stays at the base rate for every weight;
    - lookahead every ``lookahead_every`` steps: slow weights move toward the fast ones,
      ``slow = d * slow + (1 - d) * fast``, and the fast weights restart from them, with
      ``d = lookahead_decay * (step / total_steps)**3``: no averaging early, when the weights must travel,
      and ``lookahead_decay`` (0.95**5) at the end. The phase ends on the slow weights.

    ``total_steps`` is the phase's length (`PhaseRunner` sets it when the phase starts).
    """

    def __init__(self, bias_learning_rate_scale=1.0, lookahead_every=0, lookahead_decay=0.95**5, total_steps=1,
                 **kwargs):
        super().__init__(**kwargs)
        self.bias_learning_rate_scale = float(bias_learning_rate_scale)
        self.lookahead_every = int(lookahead_every)
        self.lookahead_decay = float(lookahead_decay)
        self.total_steps = int(total_steps)
        self._offsets = set()
        self._slow = []

    def build(self, variables):
        super().build(variables)
        # Keys, not paths: TensorFlow's update step sees the backend's own variables, which have no path.
        self._offsets = {self._var_key(variable) for variable in variables if is_norm_offset(variable)}
        if self.lookahead_every:
            self._slow = [self.add_variable_from_reference(variable, "slow") for variable in variables]
            for slow, variable in zip(self._slow, variables):
                slow.assign(ops.copy(ops.convert_to_tensor(variable)))  # its own buffer (JAX donates both)

    def update_step(self, gradient, variable, learning_rate):
        if self.bias_learning_rate_scale != 1.0 and self._var_key(variable) in self._offsets:
            learning_rate = ops.multiply(learning_rate, self.bias_learning_rate_scale)
        super().update_step(gradient, variable, learning_rate)
        if self.lookahead_every:
            slow = self._slow[self._get_variable_index(variable)]
            slow_value, fast_value = ops.convert_to_tensor(slow), ops.convert_to_tensor(variable)
            step = ops.cast(self.iterations + 1, fast_value.dtype)
            due = ops.equal(ops.mod(self.iterations + 1, self.lookahead_every), 0)
            decay = self.lookahead_decay * ops.power(ops.minimum(step / self.total_steps, 1.0), 3.0)
            moved = ops.add(ops.multiply(decay, slow_value), ops.multiply(1.0 - decay, fast_value))
            slow.assign(ops.where(due, moved, slow_value))
            variable.assign(ops.where(due, moved, fast_value))

    def finalize_variable_values(self, var_list):
        super().finalize_variable_values(var_list)
        if self.lookahead_every and self._slow:
            for variable in var_list:
                variable.assign(ops.convert_to_tensor(self._slow[self._get_variable_index(variable)]))

    def get_config(self):
        return {**super().get_config(), "bias_learning_rate_scale": self.bias_learning_rate_scale,
                "lookahead_every": self.lookahead_every, "lookahead_decay": self.lookahead_decay,
                "total_steps": self.total_steps}


def make_optimizer(config, learning_rate_scale=1.0):
    """A fresh optimizer for one phase from the config's settings, its learning rate times
    ``learning_rate_scale``."""
    rate = config.learning_rate * learning_rate_scale
    if config.learning_rate_schedule == "warmup-linear":
        rate = WarmupLinearDecay(rate)
    decay = config.weight_decay or None
    if config.optimizer == "adam":
        return keras.optimizers.Adam(rate, weight_decay=decay)
    return AirbenchSGD(config.bias_learning_rate_scale, config.weight_averaging, config.averaging_decay,
                       learning_rate=rate, momentum=config.momentum, nesterov=True, weight_decay=decay)


def restartable(optimizer):
    """Whether `restart` gives ``optimizer`` the state of a fresh one: its learning rate does not depend on
    the phase's length and it keeps no copy of the weights (lookahead), so zeroing its slots is enough."""
    schedule = getattr(optimizer, "_learning_rate", None)
    return (not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule)
            and not getattr(optimizer, "lookahead_every", 0))


def restart(optimizer):
    """Put a built, `restartable` optimizer back to step 0 with zero moments, the state a new instance would
    have, without a new instance: the network's compiled train step stays valid (no recompile, no retrace)."""
    if not restartable(optimizer):
        raise ValueError(f"{type(optimizer).__name__} with a phase-length schedule or lookahead cannot restart; "
                         "compile with a new one")
    learning_rate = getattr(optimizer, "_learning_rate", None)
    for variable in optimizer.variables:
        if variable is not learning_rate:
            variable.assign(ops.zeros(variable.shape, variable.dtype))


def fit_schedule_to(optimizer, total_steps):
    """Stretch ``optimizer``'s warmup-linear schedule and lookahead over ``total_steps`` steps (before its
    first step)."""
    total_steps = max(1, int(total_steps))
    schedule = getattr(optimizer, "_learning_rate", None)
    if isinstance(schedule, WarmupLinearDecay):
        schedule.total_steps = total_steps
    if isinstance(optimizer, AirbenchSGD):
        optimizer.total_steps = total_steps
