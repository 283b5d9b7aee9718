"""``jointcomp list``: the zoo's model names, training methods and data sets, one per line."""

import json

from keras_jointcomp import data, models, training


def add_parser(subparsers, name):
    parser = subparsers.add_parser(name, help="list models, training methods and data sets")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, results):
    listing = {
        "models": models.available(),
        "methods": {name: recipe.description for name, recipe in sorted(training.RECIPES.items())},
        "datasets": data.available(),
    }
    if args.json:
        print(json.dumps(listing, indent=2), file=results)
        return 0
    for section, entries in listing.items():
        print(f"{section}:", file=results)
        width = max(map(len, entries), default=0)
        for entry, description in entries.items():
            print(f"  {entry:<{width}}  {description}", file=results)
    return 0
