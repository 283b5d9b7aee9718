"""Geometric operations: rotation, horizontal flip, shear and translation.

They move pixels without changing their values (nearest-neighbour resampling); the area uncovered at the
borders is filled with black.
"""

from PIL import Image, ImageOps

from keras_jointcomp.augment.op import MagnitudeOp, Op

FILL = 0


class Rotate(Op):
    """Rotate about the centre by an angle drawn from [-max_degrees, max_degrees]."""

    def __init__(self, max_degrees, probability=1.0):
        super().__init__(probability)
        self.max_degrees = self.check_range("max_degrees", max_degrees, 0.0, 180.0)

    def apply(self, image, rng):
        return image.rotate(rng.uniform(-self.max_degrees, self.max_degrees), fillcolor=FILL)

    def get_config(self):
        return {"max_degrees": self.max_degrees, **super().get_config()}


class Flip(Op):
    """Mirror left to right; applied half the time by default."""

    def __init__(self, probability=0.5):
        super().__init__(probability)

    def apply(self, image, rng):
        return ImageOps.mirror(image)


class ShearX(MagnitudeOp):
    """Shear horizontally about the middle row, by a factor drawn from [-magnitude, magnitude]."""

    def apply(self, image, rng):
        shear = self.draw(rng)
        return affine(image, (1, shear, -shear * image.height / 2, 0, 1, 0))


class ShearY(MagnitudeOp):
    """Shear vertically about the middle column, by a factor drawn from [-magnitude, magnitude]."""

    def apply(self, image, rng):
        shear = self.draw(rng)
        return affine(image, (1, 0, 0, shear, 1, -shear * image.width / 2))


class TranslateX(MagnitudeOp):
    """Shift horizontally by whole pixels, up to `magnitude` of the width either way."""

    def apply(self, image, rng):
        return affine(image, (1, 0, round(self.draw(rng) * image.width), 0, 1, 0))


class TranslateY(MagnitudeOp):
    """Shift vertically by whole pixels, up to `magnitude` of the height either way."""

    def apply(self, image, rng):
        return affine(image, (1, 0, 0, 0, 1, round(self.draw(rng) * image.height)))


def affine(image, coefficients):
    """`image` resampled through (a, b, c, d, e, f): output (x, y) reads input (ax + by + c, dx + ey + f)."""
    return image.transform(image.size, Image.Transform.AFFINE, coefficients, fillcolor=FILL)
