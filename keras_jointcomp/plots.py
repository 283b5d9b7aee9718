"""Pictures a person looks at: images beside their reconstructions, histograms of encoder outputs, rate-accuracy
curves and the spread of each latent entry."""

import numpy as np
from PIL import Image

from keras_jointcomp import files


def save_reconstruction_grid(images, reconstructions, path, scale=3):
    """A PNG with uint8 ``images`` in the top row and float [0, 1] ``reconstructions`` below."""
    reconstructions = np.clip(np.round(np.asarray(reconstructions) * 255), 0, 255).astype("uint8")
    grid = np.concatenate([np.concatenate(list(images), axis=1),
                           np.concatenate(list(reconstructions), axis=1)], axis=0)
    grid = grid[..., 0] if grid.shape[-1] == 1 else grid
    picture = Image.fromarray(grid)
    with files.atomic_path(path) as temporary:
        picture.resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(temporary)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def save_bit_histograms(soft_bits, num_encoders, path, title=""):
    """One histogram per encoder of its soft outputs in [0, 1]; piles at 0 and 1 show saturation."""
    pyplot = _pyplot()
    soft_bits = np.asarray(soft_bits).reshape(len(soft_bits), num_encoders, -1)
    figure, axes = pyplot.subplots(1, num_encoders, figsize=(3 * num_encoders, 2.6), sharey=True, squeeze=False)
    for index, axis in enumerate(axes[0]):
        axis.hist(soft_bits[:, index].ravel(), bins=50, range=(0, 1))
        axis.set_title(f"encoder {index + 1}")
        axis.set_xlabel("soft bit")
    axes[0][0].set_ylabel("count")
    figure.suptitle(title)
    figure.tight_layout()
    with files.atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=80)
    pyplot.close(figure)


def save_rate_accuracy_curves(curves, path, title="", rate_key="payload_bytes_per_image"):
    """One line per model of test accuracy against rate; ``curves`` maps a label to rows of
    `keras_jointcomp.rate.curves.ROWS` (rows without ``rate_key`` are skipped)."""
    pyplot = _pyplot()
    figure, axis = pyplot.subplots(figsize=(6, 4))
    for label, rows in curves.items():
        points = sorted((row[rate_key], 100 * row["accuracy"]) for row in rows if row.get(rate_key) is not None)
        axis.plot(*zip(*points), marker="o", label=label)
    axis.set_xlabel(rate_key.replace("_", " "))
    axis.set_ylabel("test accuracy (%)")
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title(title)
    figure.tight_layout()
    with files.atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=80)
    pyplot.close(figure)


def save_rate_distortion_curves(rows, path, title=""):
    """Test accuracy and PSNR against actual bytes per image, one line per codec (rows of
    `keras_jointcomp.rate.curves.ROWS`). A learned curve (rows with a step scale) is drawn twice: solid at
    its images' cost inside a compact stream file, dotted when each stream is sent alone with its header.
    When classical codecs are present a third panel zooms the accuracy into their byte range."""
    pyplot = _pyplot()
    others = [row["bytes_per_image"] for row in rows if row["step_scale"] is None]
    panels = [("accuracy", 100.0, "test accuracy (%)", None), ("psnr_db", 1.0, "PSNR (dB)", None)]
    if others:
        panels.append(("accuracy", 100.0, "test accuracy (%), the classical codecs' byte range",
                       (min(others) * 0.9, max(others) * 1.05)))
    figure, axes = pyplot.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for axis, (key, scale, label, window) in zip(axes[0], panels):
        for codec in dict.fromkeys(row["codec"] for row in rows):
            mine = [row for row in rows if row["codec"] == codec and row[key] is not None]
            learned = any(row["step_scale"] is not None for row in mine)
            for bytes_key, style, suffix in (("compact_bytes_per_image", "-", ""),
                                             ("bytes_per_image", ":", " (alone, with header)")):
                if not learned and bytes_key != "bytes_per_image":
                    continue
                points = sorted((row[bytes_key], row[key] * scale) for row in mine)
                if window:
                    points = [point for point in points if window[0] <= point[0] <= window[1]]
                if points:
                    axis.plot(*zip(*points), linestyle=style if learned else "-", marker="o",
                              label=codec + (suffix if learned else ""))
        axis.set_xlabel("bytes per image")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    with files.atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=80)
    pyplot.close(figure)


def save_latent_spread(stds, path, title="standard deviation of each latent entry"):
    """Bars of each latent entry's standard deviation per model; ``stds`` maps a label to a vector."""
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(len(stds), 1, figsize=(7, 1.8 * len(stds)), squeeze=False, sharey=True)
    for axis, (label, values) in zip(axes[:, 0], stds.items()):
        axis.bar(np.arange(len(values)), values)
        axis.set_ylabel("std")
        axis.set_title(label, fontsize=9)
    axes[-1, 0].set_xlabel("latent entry")
    figure.suptitle(title)
    figure.tight_layout()
    with files.atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=80)
    pyplot.close(figure)
