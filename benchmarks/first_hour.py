"""What a new user meets first, measured: how fast the command answers, the README's main job on the
offline default data set, and a training killed with SIGKILL then resumed against an uninterrupted one.

    python benchmarks/first_hour.py            # writes the "first-hour" section of docs/results.md

Each command runs in a subprocess, as a user would type it, under the current KERAS_BACKEND (default
tensorflow). The load average is recorded beside each timing: the main job is timed as it finds the machine.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

MAIN_JOB = ["train", "atl_lenet", "--method", "atl", "--epoch-sets", "10", "--epochs", "3", "--out",
            "atl_lenet.keras", "--overwrite"]
# What the backends and Keras print that no user asked for (the log lines issue #12 counted).
NOISE = ("I0000", "E0000", "W0000", "oneDNN", "cuInit", "cuda_", "absl::", "Skipping variable loading")
RESUME_RUN = ["train", "atl_lenet", "--method", "atl", "--epoch-sets", "4", "--epochs", "2"]


def jointcomp(args, cwd, **kwargs):
    return subprocess.run([sys.executable, "-m", "keras_jointcomp", *args], cwd=cwd, capture_output=True,
                          text=True, **kwargs)


def timed(args, cwd, repeats=1):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = jointcomp(args, cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def load():
    return os.getloadavg()[0]


def startup(cwd):
    rows = []
    for label, args in [("jointcomp --help", ["--help"]), ("jointcomp list", ["list"]),
                        ("jointcomp train atl_lenet --learning-rate -1 (refused)", ["train", "atl_lenet",
                                                                                   "--learning-rate", "-1"])]:
        seconds, result = timed(args, cwd, repeats=5)
        rows.append((label, seconds, result.returncode, len(result.stderr.strip().splitlines())))
    return rows


def main_job(cwd):
    before = load()
    seconds, result = timed(MAIN_JOB, cwd)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    evaluation = jointcomp(["evaluate", "atl_lenet.keras", "--json"], cwd)
    noise = [line for line in result.stderr.splitlines() + evaluation.stderr.splitlines()
             if any(word in line for word in NOISE)]
    return {"seconds": seconds, "load": before, **json.loads(evaluation.stdout), "noise_lines": len(noise)}


def killed_and_resumed(cwd, kill_after_fits):
    """An uninterrupted ATL run and one killed (SIGKILL) after ``kill_after_fits`` fits, then resumed."""
    uninterrupted = jointcomp([*RESUME_RUN, "--out", "plain.keras", "--overwrite"], cwd)
    checkpoint = os.path.join(cwd, "checkpoint")
    command = [sys.executable, "-m", "keras_jointcomp", *RESUME_RUN, "--out", "resumed.keras", "--overwrite",
               "--checkpoint-dir", checkpoint]
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = os.path.join(checkpoint, "state.json")
    while process.poll() is None:
        if os.path.exists(state):
            with open(state) as file:
                fits = json.load(file)["fits"]
            if sum(fit.get("complete", False) for fit in fits) >= kill_after_fits:
                break
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    resumed = subprocess.run([*command, "--resume"], cwd=cwd, capture_output=True, text=True)
    if uninterrupted.returncode or resumed.returncode:
        raise SystemExit((uninterrupted.stderr + resumed.stderr)[-2000:])
    plain, after = (json.loads(result.stdout)["test"] for result in (uninterrupted, resumed))
    return {"killed_after_fits": kill_after_fits, "uninterrupted": plain, "resumed": after}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/results.md alone")
    args = parser.parse_args(argv)
    backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with tempfile.TemporaryDirectory() as cwd:
        rows = startup(cwd)
        job = main_job(cwd)
        resume = killed_and_resumed(cwd, kill_after_fits=7)
    lines = [
        "## First hour: command start-up, the main job, kill -9 and resume",
        "",
        f"`python benchmarks/first_hour.py`, KERAS_BACKEND={backend}. Start-up (median of 5, each a new process):",
        "",
        "| command | seconds | exit status | stderr lines |",
        "|---|---|---|---|",
        *[f"| `{label}` | {seconds:.2f} | {status} | {count} |" for label, seconds, status, count in rows],
        "",
        f"The README's main job (`jointcomp {' '.join(MAIN_JOB)}` then `evaluate --json`): "
        f"{job['seconds']:.0f} s for the training command at load average {job['load']:.2f} when it started; "
        f"test accuracy {job['accuracy']:.4f}, PSNR {job['psnr_db']:.2f} dB, {job['bytes_per_image']} bytes "
        f"fixed-length, {job['stream_bytes_per_image']:.1f} bytes per real stream; {job['noise_lines']} backend "
        "log lines or optimizer warnings on stderr (train and evaluate together).",
        "",
        f"Killed with SIGKILL after {resume['killed_after_fits']} complete fits of "
        f"`jointcomp {' '.join(RESUME_RUN)} --checkpoint-dir DIR`, then the same command with `--resume`: test "
        f"accuracy {resume['resumed']['accuracy']:.4f} and PSNR {resume['resumed']['psnr_db']:.2f} dB, against "
        f"{resume['uninterrupted']['accuracy']:.4f} and {resume['uninterrupted']['psnr_db']:.2f} dB uninterrupted "
        f"(difference {100 * abs(resume['resumed']['accuracy'] - resume['uninterrupted']['accuracy']):.2f} "
        "points).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        report.write_section(f"first-hour-{backend}", text)


if __name__ == "__main__":
    main()
