"""Pictures a person looks at: images beside their reconstructions, histograms of encoder outputs."""

import numpy as np
from PIL import Image


def save_reconstruction_grid(images, reconstructions, path, scale=3):
    """A PNG with uint8 ``images`` in the top row and float [0, 1] ``reconstructions`` below."""
    reconstructions = np.clip(np.round(np.asarray(reconstructions) * 255), 0, 255).astype("uint8")
    grid = np.concatenate([np.concatenate(list(images), axis=1),
                           np.concatenate(list(reconstructions), axis=1)], axis=0)
    grid = grid[..., 0] if grid.shape[-1] == 1 else grid
    picture = Image.fromarray(grid)
    picture.resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(path)


def save_bit_histograms(soft_bits, num_encoders, path, title=""):
    """One histogram per encoder of its soft outputs in [0, 1]; piles at 0 and 1 show saturation."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    soft_bits = np.asarray(soft_bits).reshape(len(soft_bits), num_encoders, -1)
    figure, axes = pyplot.subplots(1, num_encoders, figsize=(3 * num_encoders, 2.6), sharey=True, squeeze=False)
    for index, axis in enumerate(axes[0]):
        axis.hist(soft_bits[:, index].ravel(), bins=50, range=(0, 1))
        axis.set_title(f"encoder {index + 1}")
        axis.set_xlabel("soft bit")
    axes[0][0].set_ylabel("count")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    pyplot.close(figure)
