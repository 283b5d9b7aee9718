"""``jointcomp list``: the zoo's model names, trained presets (with their measured numbers), training methods
and data sets, one per line."""

import json

from keras_jointcomp import presets
from keras_jointcomp.data import catalog
from keras_jointcomp.models import registry
from keras_jointcomp.training import methods


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="list models, presets, training methods and data sets", **kwargs)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, results):
    shipped = presets.available()
    listing = {"models": registry.available(), "presets": {name: presets.describe(meta) for name, meta in shipped.items()},
               "methods": methods.available(), "datasets": catalog.available()}
    if args.json:
        listing["presets"] = {name: {"description": meta.get("description"), "dataset": meta.get("dataset"),
                                     "test": meta.get("test"), "command": meta.get("command")}
                              for name, meta in shipped.items()}
        print(json.dumps(listing, indent=2), file=results)
        return 0
    for section, entries in listing.items():
        print(f"{section}:", file=results)
        width = max(map(len, entries), default=0)
        for entry, description in entries.items():
            print(f"  {entry:<{width}}  {description}", file=results)
    return 0
