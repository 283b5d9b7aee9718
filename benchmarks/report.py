"""Write a benchmark's Markdown section into docs/results.md, replacing that benchmark's previous section."""

import datetime
import os
import platform

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
