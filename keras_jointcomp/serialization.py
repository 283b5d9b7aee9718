"""One decorator that registers every custom Keras object of the package.

Keras can only deserialize objects from third-party packages that are registered, and the package must be
imported before `keras.saving.load_model`: `keras_jointcomp.models.load_model` imports every module that
registers one (`models.saving.register_custom_objects`).
"""

import keras

serializable = keras.saving.register_keras_serializable(package="keras_jointcomp")
