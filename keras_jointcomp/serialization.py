"""One decorator that registers every custom Keras object of the package.

Keras can only deserialize objects from third-party packages that are registered, and the package must be
imported before `keras.saving.load_model`; importing `keras_jointcomp` does both.
"""

import keras

serializable = keras.saving.register_keras_serializable(package="keras_jointcomp")
