"""Classical-codec baselines for rate-accuracy comparisons: JPEG and WebP at matched bytes.

Each point is a codec at one quality, its bytes per image, and the accuracy of the learned model's own
classification network trained and tested on the codec's decoded images.

    from keras_jointcomp import baselines, models, training
    codec = baselines.PillowCodec("jpeg", 10)             # tables agreed once: codec.shared_bytes
    point = baselines.baseline_point(lambda: models.load("atl_lenet"), codec, (x, y), (x_test, y_test),
                                     epochs=5, config=training.TrainingConfig(batch_size=256))
    point["bytes_per_image"], point["accuracy"], point["psnr_db"]
"""

from keras_jointcomp.baselines.decoded_classifier import baseline_curve, baseline_point
from keras_jointcomp.baselines.pillow_codecs import FORMATS, QUALITY_RANGES, PillowCodec

__all__ = ["FORMATS", "PillowCodec", "QUALITY_RANGES", "baseline_curve", "baseline_point"]
