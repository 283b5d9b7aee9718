"""Write a benchmark's Markdown section into docs/results.md, replacing that benchmark's previous section."""

import datetime
import json
import os
import platform
import subprocess
import sys
import time

from keras_jointcomp import files

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "results.md")


def machine():
    """A one-line description of this machine, with its processor and widest vector extension where Linux
    tells them: machines of the same kind have differed between sessions, and the engines' convolution
    kernels depend on the extension."""
    return f"{platform.machine()}, {os.cpu_count()} CPU cores{_processor()}, {platform.system()} {platform.release()}"


def _processor(cpuinfo="/proc/cpuinfo"):
    try:
        with open(cpuinfo) as file:
            fields = dict(line.split(":", 1) for line in file if ":" in line)
    except OSError:
        return ""
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    flags = set(fields.get("flags", "").split())
    vector = "AVX-512" if "avx512f" in flags else "AVX2, no AVX-512" if "avx2" in flags else None
    described = ", ".join(part for part in (fields.get("model name"), vector) if part)
    return f" ({described})" if described else ""


def best_ms(step, repeats, warmups=1):
    """Milliseconds of the fastest of ``repeats`` calls of ``step``, after ``warmups`` untimed calls (compiling,
    first allocations)."""
    for _ in range(warmups):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def write_section(name, body, path=RESULTS):
    """Put ``body`` (a Markdown section: a heading line, then text) between ``<!-- name -->`` markers in
    ``path`` (created if missing), with the date and machine stamped under its heading."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    heading, _, rest = body.strip().partition("\n")
    stamp = f"Measured {datetime.date.today().isoformat()} on {machine()}."
    section = f"{begin}\n{heading}\n\n{stamp}\n{rest.rstrip()}\n{end}"
    text = open(path).read() if os.path.exists(path) else "# Results\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    files.write_text(path, text)


def run_child(script, arguments, backend=None, **environment):
    """Run ``script`` with ``arguments`` in a fresh process (under Keras ``backend`` when given, and
    ``environment``) and return the JSON object its last line of stdout prints. The child's progress lines
    (stderr lines starting with "[") are passed on; a failure shows the end of its stderr and raises."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **({"KERAS_BACKEND": backend} if backend else {}),
           **environment}
    command = [sys.executable, os.path.abspath(script), *map(str, arguments)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode:
        sys.stderr.write(completed.stderr[-4000:])
        raise RuntimeError(f"{' '.join(command)} failed with status {completed.returncode}")
    for line in completed.stderr.splitlines():
        if line.startswith("["):
            print(line, file=sys.stderr, flush=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(json.dumps(result), file=sys.stderr)
    return result


def publish(name, markdown, results, write=True):
    """Write ``markdown`` as section ``name`` of docs/results.md (unless ``write`` is false), show it on
    stderr and print ``results`` as JSON on stdout."""
    if write:
        write_section(name, markdown)
    print(markdown, file=sys.stderr)
    print(json.dumps(results))
