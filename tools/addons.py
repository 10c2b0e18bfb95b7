#!/usr/bin/env python3
"""Facts about the project's addons, read from their manifests.

Used by the Makefile and the test scripts; needs no Odoo import.

    addons.py list   our installable addons, dependencies first, comma-separated
    addons.py deps   the Odoo addons ours depend on (not ours), comma-separated
"""

import ast
import sys
from pathlib import Path

ADDONS_DIR = Path(__file__).resolve().parent.parent / "addons"


def read_manifests(addons_dir=ADDONS_DIR):
    """Return {addon name: manifest dict} for every installable addon."""
    manifests = {}
    if not addons_dir.is_dir():
        return manifests
    for manifest_path in sorted(addons_dir.glob("*/__manifest__.py")):
        manifest = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("installable", True):
            manifests[manifest_path.parent.name] = manifest
    return manifests


def ordered_addons(manifests):
    """Our addons sorted so that each comes after the ones it depends on."""
    ordered = []

    def visit(name, trail=()):
        if name in ordered:
            return
        if name in trail:
            raise SystemExit(f"dependency cycle: {' -> '.join(trail + (name,))}")
        for dep in manifests[name].get("depends", []):
            if dep in manifests:
                visit(dep, trail + (name,))
        ordered.append(name)

    for name in sorted(manifests):
        visit(name)
    return ordered


def external_depends(manifests):
    """Dependencies of our addons that are not ours, sorted."""
    return sorted(
        {
            dep
            for manifest in manifests.values()
            for dep in manifest.get("depends", [])
            if dep not in manifests
        }
    )


def main(argv):
    manifests = read_manifests()
    if argv[1:] == ["list"]:
        print(",".join(ordered_addons(manifests)))
    elif argv[1:] == ["deps"]:
        print(",".join(external_depends(manifests) or ["base"]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
