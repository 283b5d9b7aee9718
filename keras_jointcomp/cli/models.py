"""Loading the model a command works on, with one-line errors for files that hold something else."""


def load_joint_model(path):
    """The `JointModel` saved in ``path``; a `.keras` file holding another kind of model (a plain Sequential)
    is refused with one line."""
    from keras_jointcomp import models

    model = models.load_model(path)
    if not isinstance(model, models.JointModel):
        raise models.ModelFileError(f"{path} holds a {type(model).__name__}, not a keras_jointcomp JointModel "
                                    f"(save one with `jointcomp train` or jc.models.save_model)")
    return model
