"""Export for serving: a TensorFlow SavedModel with `encode`, `decode`, `classify` and `serving_default`."""

from keras_jointcomp.export.serving import (
    CLASSIFY,
    DECODE,
    ENCODE,
    IMAGES,
    SERVING_DEFAULT,
    ExportError,
    check_out_dir,
    export_saved_model,
)

__all__ = ["CLASSIFY", "DECODE", "ENCODE", "IMAGES", "SERVING_DEFAULT", "ExportError", "check_out_dir",
           "export_saved_model"]
