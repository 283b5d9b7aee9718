"""The shipped presets' table in docs/results.md (section "presets"), from their metadata: what each is, its
data set, its measured test numbers, its size and the command that trained it.

    python benchmarks/presets_report.py

The numbers are the ones `jointcomp save-preset` / `train --save-preset` measured on the full test split when
the preset was written; `tests/presets` measures them again (``-m shared_data``) on every backend.
"""

import os
import sys

from keras_jointcomp import presets
from keras_jointcomp.presets.store import SHIPPED

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def _percent(value):
    return "-" if value is None else f"{100 * value:.2f}"


def main():
    shipped = presets.available()
    total = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(SHIPPED) for name in names)
    lines = ["## Presets", "",
             f"Command: `python benchmarks/presets_report.py` (from each preset's metadata.json; {len(shipped)} "
             f"presets, {total / 1e6:.1f} MB in the package). Load one with "
             "`keras_jointcomp.models.load(MODEL, weights=WEIGHTS)`.", "",
             "| preset (MODEL/WEIGHTS) | data set | test accuracy % | PSNR dB | stream bytes/image | parameters "
             "| recipe | trained by |", "|---|---|---|---|---|---|---|---|"]
    for name, metadata in shipped.items():
        test = metadata["test"]
        psnr = "-" if test.get("psnr_db") is None else f"{test['psnr_db']:.2f}"
        stream = test.get("stream_bytes_per_image")
        stream = f"{stream:.1f}" if stream is not None else f"{test['bytes_per_image']} (fixed)"
        lines.append(f"| `{name}` | {metadata['dataset']} | {_percent(test.get('accuracy'))} | {psnr} | {stream} "
                     f"| {metadata['parameters']:,} | {metadata['recipe']} | `{metadata['command']}` at "
                     f"{metadata['commit']} |")
    report.write_section("presets", "\n".join(lines))


if __name__ == "__main__":
    main()
