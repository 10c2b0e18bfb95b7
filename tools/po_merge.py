#!/usr/bin/env python3
"""Merge an addon's .pot into its translations, keeping what is translated.

po_merge.py addons/<addon>/i18n/<addon>.pot zh_CN zh_TW
"""

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


def main(argv):
    pot_path = Path(argv[1])
    for lang in argv[2:]:
        merge(pot_path, lang)


if __name__ == "__main__":
    main(sys.argv)
