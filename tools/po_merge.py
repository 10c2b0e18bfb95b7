#!/usr/bin/env python3
"""Merge an addon's .pot into its translations, keeping what is translated.

po_merge.py [--fresh=<exported.pot>] addons/<addon>/i18n/<addon>.pot zh_CN zh_TW

With ``--fresh``, a new export replaces the .pot first, but only if more than
its dates changed, so that re-exporting an untouched addon leaves its files
alone.
"""

import re
import sys
from pathlib import Path

import polib

PLURAL_FORMS = {"zh_CN": "nplurals=1; plural=0;", "zh_TW": "nplurals=1; plural=0;"}


def merge(pot_path, lang):
    pot = polib.pofile(str(pot_path))
    po_path = pot_path.parent / f"{lang}.po"
    old = polib.pofile(str(po_path)) if po_path.is_file() else None
    translated = {entry.msgid: entry.msgstr for entry in old or [] if entry.msgstr}
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(pot.metadata)
    po.metadata.update(
        {
            "Language": lang,
            "Plural-Forms": PLURAL_FORMS.get(lang, "nplurals=2; plural=(n != 1);"),
            "PO-Revision-Date": (
                old.metadata.get("PO-Revision-Date", "") if old else ""
            ),
        }
    )
    po.metadata.pop("POT-Creation-Date", None)
    for entry in pot:
        entry.msgstr = translated.get(entry.msgid, "")
        po.append(entry)
    po.save(str(po_path))
    missing = sum(1 for entry in po if not entry.msgstr)
    print(f"{po_path}: {len(po)} strings, {missing} untranslated")


DATE_LINES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\n', re.M)


def update_pot(pot_path, new_path):
    """Move a fresh export over the .pot unless only its dates differ."""
    new = new_path.read_text(encoding="utf-8")
    old = pot_path.read_text(encoding="utf-8") if pot_path.is_file() else None
    if old is None or DATE_LINES.sub("", old) != DATE_LINES.sub("", new):
        pot_path.write_text(new, encoding="utf-8")
    new_path.unlink()


def main(argv):
    args = argv[1:]
    if args and args[0].startswith("--fresh="):
        fresh = Path(args.pop(0).split("=", 1)[1])
        update_pot(Path(args[0]), fresh)
    pot_path = Path(args[0])
    for lang in args[1:]:
        merge(pot_path, lang)


if __name__ == "__main__":
    main(sys.argv)
