"""Write a benchmark's Markdown section into docs/results.md, replacing that benchmark's previous section."""

import datetime
import json
import os
import platform
import subprocess
import sys

from keras_jointcomp import files

RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "results.md")


def machine():
    """A one-line description of this machine."""
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()} {platform.release()}"


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


def run_child(script, arguments, backend, **environment):
    """Run ``script`` with ``arguments`` in a fresh process under Keras ``backend`` (and ``environment``), and
    return the JSON object its last line of stdout prints; echoed to stderr as progress."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", **environment}
    output = subprocess.run([sys.executable, os.path.abspath(script), *map(str, arguments)], env=env, check=True,
                            capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    print(json.dumps(result), file=sys.stderr)
    return result


def publish(name, markdown, results, write=True):
    """Write ``markdown`` as section ``name`` of docs/results.md (unless ``write`` is false), show it on
    stderr and print ``results`` as JSON on stdout."""
    if write:
        write_section(name, markdown)
    print(markdown, file=sys.stderr)
    print(json.dumps(results))
