"""The model a command works on: a `.keras` file or a trained preset, with one-line errors for anything else."""

from keras_jointcomp.cli import inputs


def add_model_arguments(parser, help):
    """``MODEL_FILE`` (a .keras file) or ``--preset MODEL/WEIGHTS`` (a shipped preset or a preset folder)."""
    parser.add_argument("model_file", nargs="?", type=inputs.existing_file, help=f"{help} (or --preset)")
    parser.add_argument("--preset", metavar="MODEL/WEIGHTS",
                        help="a trained preset instead of a file: MODEL/WEIGHTS as `jointcomp list` shows them, or "
                             "MODEL/FOLDER for a preset folder")


def model_from(args):
    """The `JointModel` the command line names, by file or by preset (exactly one of them)."""
    if (args.model_file is None) == (args.preset is None):
        raise ValueError("give a .keras model file or --preset MODEL/WEIGHTS (one of the two)")
    if args.preset is not None:
        from keras_jointcomp import models

        name, separator, weights = args.preset.partition("/")
        if not separator or not weights:
            raise ValueError(f"--preset takes MODEL/WEIGHTS (e.g. atl_lenet/mnist), got {args.preset!r}")
        return models.load(name, weights=weights)
    return load_joint_model(args.model_file)


def model_label(args):
    """How the command's output names its model: the file, or the preset."""
    return args.model_file if args.preset is None else f"preset {args.preset}"


def load_joint_model(path):
    """The `JointModel` saved in ``path``; a `.keras` file holding another kind of model (a plain Sequential)
    is refused with one line."""
    from keras_jointcomp import models

    model = models.load_model(path)
    if not isinstance(model, models.JointModel):
        raise models.ModelFileError(f"{path} holds a {type(model).__name__}, not a keras_jointcomp JointModel "
                                    f"(save one with `jointcomp train` or jc.models.save_model)")
    return model
