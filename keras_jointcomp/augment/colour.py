"""Pixel-value operations: contrast, histogram, sharpness, brightness, colour, posterize, solarize, hue.

They change pixel values and never move them. Colour-only operations (`Color`, `Hue`) leave a grayscale
("L") image as it is, so one policy serves MNIST-like and CIFAR-like data alike.
"""

from PIL import Image, ImageEnhance, ImageOps

from keras_jointcomp.augment.op import MagnitudeOp, Op


class AutoContrast(Op):
    """Stretch the intensity range to the full 0..255 (per channel)."""

    def apply(self, image, rng):
        return ImageOps.autocontrast(image)


class Equalize(Op):
    """Equalize the histogram (per channel)."""

    def apply(self, image, rng):
        return ImageOps.equalize(image)


class Enhance(MagnitudeOp):
    """A `PIL.ImageEnhance` enhancer, its factor drawn from [1 - magnitude, 1 + magnitude] (1: unchanged)."""

    enhancer = None

    def apply(self, image, rng):
        return self.enhancer(image).enhance(1.0 + self.draw(rng))


class Contrast(Enhance):
    """Scale the contrast: 0 is a flat grey image, 1 the original."""

    enhancer = ImageEnhance.Contrast


class Brightness(Enhance):
    """Scale the brightness: 0 is black, 1 the original."""

    enhancer = ImageEnhance.Brightness


class Sharpness(Enhance):
    """Blur (factor below 1) or sharpen (above 1)."""

    enhancer = ImageEnhance.Sharpness


class Color(Enhance):
    """Scale the saturation: 0 is grayscale, 1 the original; grayscale images are left as they are."""

    enhancer = ImageEnhance.Color


class Hue(MagnitudeOp):
    """Rotate the hue by up to `magnitude` of the colour circle (0.5: half a turn); RGB images only."""

    max_magnitude = 0.5

    def apply(self, image, rng):
        shift = round(self.draw(rng) * 256)
        if shift == 0 or image.mode != "RGB":
            return image
        hue, saturation, value = image.convert("HSV").split()
        hue = hue.point(lambda level: (level + shift) % 256)
        return Image.merge("HSV", (hue, saturation, value)).convert("RGB")


class Posterize(Op):
    """Keep only the `bits` most significant bits of each channel (8: unchanged)."""

    def __init__(self, bits, probability=1.0):
        super().__init__(probability)
        if bits not in range(1, 9):
            raise ValueError(f"Posterize: bits must be an integer from 1 to 8, got {bits!r}")
        self.bits = int(bits)

    def apply(self, image, rng):
        return ImageOps.posterize(image, self.bits)

    def get_config(self):
        return {"bits": self.bits, **super().get_config()}


class Solarize(Op):
    """Invert every pixel value at or above `threshold` (256: unchanged)."""

    def __init__(self, threshold, probability=1.0):
        super().__init__(probability)
        if threshold not in range(0, 257):
            raise ValueError(f"Solarize: threshold must be an integer from 0 to 256, got {threshold!r}")
        self.threshold = int(threshold)

    def apply(self, image, rng):
        return ImageOps.solarize(image, self.threshold)

    def get_config(self):
        return {"threshold": self.threshold, **super().get_config()}


class ColorJitter(Op):
    """Random brightness, contrast, saturation and hue, in that order (torchvision's `ColorJitter`).

    Each argument is the magnitude of the matching op: brightness, contrast and saturation factors are
    drawn from [1 - x, 1 + x], the hue shift from [-hue, hue] of the colour circle. Zero leaves that
    property alone.
    """

    def __init__(self, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.0, probability=1.0):
        super().__init__(probability)
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.ops = (Brightness(brightness), Contrast(contrast), Color(saturation), Hue(hue))

    def apply(self, image, rng):
        for op in self.ops:
            image = op.apply(image, rng)
        return image

    def get_config(self):
        return {
            "brightness": self.brightness,
            "contrast": self.contrast,
            "saturation": self.saturation,
            "hue": self.hue,
            **super().get_config(),
        }
