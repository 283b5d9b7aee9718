"""Tables of the learned codec's rate-distortion-accuracy curves against JPEG, WebP and the ATL LeNet, from the
JSON that ``examples/learned_codec.sh`` leaves in runs/learned_codec/.

    python benchmarks/learned_codec_report.py mnist fashion_mnist cifar10   # writes "learned-codec-<set>"

For every data set: each learned point (payload, the entropy model's estimate, bytes alone and in a compact
stream file, accuracy, PSNR), each JPEG / WebP quality, and at each classical point the learned curve's
accuracy and PSNR at the same bytes (linear interpolation along the learned points; both framings).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

import numpy as np  # noqa: E402

RUNS = os.path.join("runs", "learned_codec")


def _pct(value):
    return "-" if value is None else f"{100 * value:.2f}"


def _db(value):
    return "-" if value is None else f"{value:.2f}"


def _at(rows, key, bytes_key, budget):
    points = sorted((row[bytes_key], row[key]) for row in rows if row[key] is not None)
    if len(points) < 2 or not points[0][0] <= budget <= points[-1][0]:
        return None
    return float(np.interp(budget, *zip(*points)))


def section(dataset, result):
    rows = result["results"]
    learned_name = rows[0]["codec"]
    learned = [row for row in rows if row["codec"] == learned_name]
    others = [row for row in rows if row["step_scale"] is not None and row["codec"] != learned_name]
    classical = [row for row in rows if row["step_scale"] is None]
    lines = [f"## Learned codec against JPEG and WebP: {dataset}", "",
             f"Command: `bash examples/learned_codec.sh {dataset} ../shared/datasets`, then "
             f"`python benchmarks/learned_codec_report.py {dataset}`. {result['description']}", "",
             "| codec | setting | payload bytes | estimate | compact bytes/image | alone (with header) | accuracy % "
             "| PSNR dB |", "|---|---|---|---|---|---|---|---|"]
    for row in learned + others:
        lines.append(f"| {row['codec']} | {row['setting']} | "
                     f"{row['payload_bytes_per_image']:.1f} | {row['estimated_payload_bytes_per_image']:.1f} | "
                     f"{row['compact_bytes_per_image']:.1f} | {row['bytes_per_image']:.1f} | {_pct(row['accuracy'])} | "
                     f"{_db(row['psnr_db'])} |")
    for row in classical:
        lines.append(f"| {row['codec']} | {row['setting']} | - | - | - | {row['bytes_per_image']:.1f} | "
                     f"{_pct(row['accuracy'])} | {_db(row['psnr_db'])} |")
    lines += ["", f"At each classical point, {learned_name} at the same bytes per image (compact stream file / "
              "each stream alone with its 23-byte header):", "",
              "| point | bytes | accuracy % | learned accuracy % (compact / alone) | PSNR dB | learned PSNR dB "
              "(compact / alone) |", "|---|---|---|---|---|---|"]
    for row in classical:
        cells = []
        for key, show in (("accuracy", _pct), ("psnr_db", _db)):
            at = [_at(learned, key, bytes_key, row["bytes_per_image"])
                  for bytes_key in ("compact_bytes_per_image", "bytes_per_image")]
            cells += [show(row[key]), " / ".join(show(value) for value in at)]
        lines.append(f"| {row['codec']} {row['setting']} | {row['bytes_per_image']:.1f} | " + " | ".join(cells) + " |")
    total_payload = sum(row["payload_bytes_per_image"] for row in learned)
    total_estimate = sum(row["estimated_payload_bytes_per_image"] for row in learned)
    worst = max(abs(row["payload_bytes_per_image"] / row["estimated_payload_bytes_per_image"] - 1) for row in learned)
    lines += ["", f"Payload against the frozen tables' estimate: {total_payload:.1f} against {total_estimate:.1f} "
              f"bytes summed over the points (worst point {100 * worst:.2f} % apart)."]
    return "\n".join(lines)


def main(argv=None):
    for dataset in argv if argv is not None else sys.argv[1:]:
        with open(os.path.join(RUNS, f"rd_{dataset}.json")) as file:
            result = json.load(file)
        report.write_section(f"learned-codec-{dataset}", section(dataset, result))


if __name__ == "__main__":
    main()
