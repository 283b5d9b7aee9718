"""The `Op` contract: one random PIL operation, applied to one image with some probability."""


class Op:
    """An operation on one PIL image, applied with probability `probability`.

    `op(image, rng)` draws from the numpy Generator `rng` whether to act and, when it does, how strongly,
    so the same rng state always gives the same output. Subclasses implement `apply(image, rng)`, which
    always acts, and extend `get_config` with their own constructor arguments (it also feeds the repr).
    """

    def __init__(self, probability=1.0):
        self.probability = self.check_range("probability", probability, 0.0, 1.0)

    def __call__(self, image, rng):
        if rng.random() >= self.probability:
            return image
        return self.apply(image, rng)

    def apply(self, image, rng):
        raise NotImplementedError(f"{type(self).__name__} must implement apply(image, rng)")

    def get_config(self):
        return {"probability": self.probability}

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"

    def check_range(self, name, value, low, high):
        """`value` as a float, or a ValueError naming this op and the argument when outside [low, high]."""
        if not low <= value <= high:
            raise ValueError(f"{type(self).__name__}: {name} must lie in [{low}, {high}], got {value!r}")
        return float(value)


class MagnitudeOp(Op):
    """An op whose signed strength is drawn uniformly from [-magnitude, magnitude] at each call.

    `max_magnitude` bounds the argument: for ops that scale an enhancement factor around 1 it keeps the
    factor non-negative.
    """

    max_magnitude = 1.0

    def __init__(self, magnitude, probability=1.0):
        super().__init__(probability)
        self.magnitude = self.check_range("magnitude", magnitude, 0.0, self.max_magnitude)

    def draw(self, rng):
        """A strength drawn uniformly from [-magnitude, magnitude]."""
        return rng.uniform(-self.magnitude, self.magnitude)

    def get_config(self):
        return {"magnitude": self.magnitude, **super().get_config()}
