"""Repository rules every addon must keep, as functions returning problems.

Each check takes an addon's directory and returns a list of human-readable
problems (empty when the addon complies). ``test_repo_checks.py`` runs them
on every addon and proves on broken copies that each one catches its defect.
"""

import ast
import csv
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
import gen_readme  # noqa: E402

sys.path.pop(0)
ADDONS_DIR = REPO / "addons"
ADDON_NAMES = (
    "customer_tiering",
    "aftersales_sla",
    "aftersales_revisit",
    "loyalty_cards",
    "revisit_plan",
)

LICENSE = "LGPL-3"
REQUIRED_MANIFEST_KEYS = (
    "name",
    "summary",
    "version",
    "license",
    "author",
    "website",
    "depends",
    "category",
    "installable",
)
VERSION_RE = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
README_FRAGMENTS = ("DESCRIPTION.md", "USAGE.md", "CONFIGURE.md")
LANGUAGES = ("zh_CN", "zh_TW")
# Odoo 17/18 removed these; they must not come back.
DEPRECATED_XML = (
    (re.compile(r"</?tree[\s>/]"), "<tree> (use <list>)"),
    (
        re.compile(r"\battrs\s*="),
        "attrs= (use invisible/readonly/required expressions)",
    ),
    (re.compile(r"\bstates\s*="), "states= (use an invisible expression)"),
    (re.compile(r"\bnumbercall\b"), "numbercall (removed from ir.cron)"),
    (re.compile(r"\bkanban-box\b"), "kanban-box (use the card template)"),
)


def existing_addons(addons_dir=ADDONS_DIR):
    """Directories of the addons present (those with a manifest)."""
    return sorted(p.parent for p in addons_dir.glob("*/__manifest__.py"))


def read_manifest(addon_dir):
    return ast.literal_eval((Path(addon_dir) / "__manifest__.py").read_text())


def check_manifest(addon_dir):
    """Keys, version format and license of the manifest."""
    problems = []
    try:
        manifest = read_manifest(addon_dir)
    except (OSError, SyntaxError, ValueError) as exc:
        return [f"manifest unreadable: {exc}"]
    for key in REQUIRED_MANIFEST_KEYS:
        if key not in manifest or manifest[key] in ("", None, []):
            problems.append(f"manifest lacks {key!r}")
    version = manifest.get("version", "")
    if version and not VERSION_RE.match(str(version)):
        problems.append(f"version {version!r} is not 18.0.x.y.z")
    if manifest.get("license") and manifest["license"] != LICENSE:
        problems.append(f"license {manifest['license']!r} is not {LICENSE}")
    if "installable" in manifest and manifest["installable"] is not True:
        problems.append("installable is not True")
    if "depends" in manifest and not isinstance(manifest["depends"], list):
        problems.append("depends is not a list")
    return problems


def _listed_files(manifest):
    return [f for key in ("data", "demo") for f in manifest.get(key, [])]


def check_data_files(addon_dir):
    """Every listed data file exists; every XML/CSV data file is listed."""
    addon_dir = Path(addon_dir)
    manifest = read_manifest(addon_dir)
    listed = _listed_files(manifest)
    problems = [
        f"listed file {f} does not exist"
        for f in listed
        if not (addon_dir / f).is_file()
    ]
    # Files outside the data folders (web assets, tests, i18n) are not data.
    skip = ("static", "tests", "i18n", "readme")
    for path in sorted(addon_dir.rglob("*")):
        rel = path.relative_to(addon_dir)
        data_file = path.suffix in (".xml", ".csv") and rel.parts[0] not in skip
        if data_file and rel.as_posix() not in listed:
            problems.append(f"{rel.as_posix()} is not listed in the manifest")
    return problems


def _base_name(node):
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def declared_models(addon_dir):
    """Names of the stored or transient models an addon creates."""
    models = set()
    for path in Path(addon_dir).rglob("*.py"):
        if "tests" in path.relative_to(addon_dir).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {_base_name(b) for b in node.bases}
            if not bases & {"Model", "TransientModel"}:
                continue
            attrs = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(
                    stmt.value, ast.Constant
                ):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            attrs[target.id] = stmt.value.value
            name = attrs.get("_name")
            inherit = attrs.get("_inherit")
            # `_inherit` alone, or `_name` equal to `_inherit`, extends a model.
            if name and name != inherit:
                models.add(name)
    return models


def check_access_rules(addon_dir):
    """Every model the addon creates has at least one access rule."""
    csv_path = Path(addon_dir) / "security" / "ir.model.access.csv"
    covered = set()
    if csv_path.is_file():
        with csv_path.open(newline="") as f:
            for row in csv.DictReader(f):
                covered.add(row.get("model_id:id", "").split(".")[-1])
    return [
        f"model {model} has no access rule in security/ir.model.access.csv"
        for model in sorted(declared_models(addon_dir))
        if "model_" + model.replace(".", "_") not in covered
    ]


def check_deprecated_markup(addon_dir):
    """No markup or fields that Odoo 17/18 removed."""
    problems = []
    for path in sorted(Path(addon_dir).rglob("*")):
        if path.suffix not in (".xml", ".py") or not path.is_file():
            continue
        text = path.read_text()
        for regex, what in DEPRECATED_XML:
            if path.suffix == ".py" and "numbercall" not in what:
                continue
            for match in regex.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                rel = path.relative_to(addon_dir).as_posix()
                problems.append(f"{rel}:{line}: {what}")
    return problems


def _functions_replayed(node, noupdate=False):
    """The ``<function>`` elements below ``node`` outside a noupdate block."""
    noupdate = noupdate or node.get("noupdate") in ("1", "True", "true")
    for child in node:
        if child.tag == "function" and not noupdate:
            yield child
        yield from _functions_replayed(child, noupdate)


def check_demo_functions(addon_dir):
    """A ``<function>`` of the demo data runs once, at install: in a
    ``noupdate`` block (an upgrade would replay it, e.g. issue another coupon
    batch or move demo tickets again)."""
    addon_dir = Path(addon_dir)
    problems = []
    for rel in read_manifest(addon_dir).get("demo", []):
        path = addon_dir / rel
        if path.suffix != ".xml" or not path.is_file():
            continue
        problems += [
            f"{rel}: <function name={function.get('name')!r}> runs again "
            "at every upgrade (put it in a noupdate block)"
            for function in _functions_replayed(ET.parse(path).getroot())
        ]
    return problems


def check_readme(addon_dir):
    """Readme fragments, and the README.md and Apps page made from them."""
    addon_dir = Path(addon_dir)
    readme = addon_dir / "readme"
    problems = [
        f"readme/{name} is missing or empty"
        for name in README_FRAGMENTS
        if not (readme / name).is_file() or not (readme / name).read_text().strip()
    ]
    if problems:
        return problems
    return [
        f"{path.relative_to(addon_dir).as_posix()} is not up to date (make readme)"
        for path, text in gen_readme.outputs(addon_dir).items()
        if not path.is_file() or path.read_text() != text
    ]


def _po_entries(path):
    """{msgid: msgstr} of a .po/.pot file, multi-line strings joined."""
    entries, msgid, msgstr, current = {}, None, None, None
    for raw in Path(path).read_text().splitlines() + [""]:
        line = raw.strip()
        if line.startswith("msgid "):
            if msgid:
                entries[msgid] = msgstr
            msgid, msgstr, current = ast.literal_eval(line[6:]), "", "msgid"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "msgstr"
        elif line.startswith('"') and current == "msgid":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and current == "msgstr":
            msgstr += ast.literal_eval(line)
        elif not line and msgid is not None:
            if msgid:
                entries[msgid] = msgstr
            msgid, current = None, None
    return entries


def check_i18n(addon_dir):
    """A .pot template and complete zh_CN and zh_TW translations of it."""
    addon_dir = Path(addon_dir)
    i18n = addon_dir / "i18n"
    pot = i18n / f"{addon_dir.name}.pot"
    if not pot.is_file():
        return [f"i18n/{pot.name} is missing"]
    msgids = set(_po_entries(pot))
    if not msgids:
        return [f"i18n/{pot.name} holds no string"]
    problems = []
    for lang in LANGUAGES:
        po = i18n / f"{lang}.po"
        if not po.is_file():
            problems.append(f"i18n/{lang}.po is missing")
            continue
        entries = _po_entries(po)
        missing = sorted(m for m in msgids if not entries.get(m))
        if missing:
            problems.append(
                f"i18n/{lang}.po: {len(missing)} untranslated, e.g. {missing[0]!r}"
            )
    return problems


def _selection_labels(tree):
    """The labels of the selections a Python module defines: in
    ``fields.Selection(...)`` (first argument, ``selection=`` or
    ``selection_add=``), given as a list of pairs or as the name of a
    module-level list of pairs."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value

    def labels(value):
        if isinstance(value, ast.Name):
            value = constants.get(value.id)
        if not isinstance(value, ast.List | ast.Tuple):
            return []  # a method name or a computed list: not checked here
        return [
            pair.elts[1].value
            for pair in value.elts
            if isinstance(pair, ast.Tuple)
            and len(pair.elts) == 2
            and isinstance(pair.elts[1], ast.Constant)
            and isinstance(pair.elts[1].value, str)
        ]

    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Selection"
        ):
            continue
        values = node.args[:1] + [
            keyword.value
            for keyword in node.keywords
            if keyword.arg in ("selection", "selection_add")
        ]
        for value in values:
            found += labels(value)
    return found


def check_selection_translations(addon_dir):
    """Every label of a selection defined in Python is in the .pot template
    and translated in zh_CN and zh_TW (an export from a database holds them;
    a hand-edited template may not)."""
    addon_dir = Path(addon_dir)
    labels = {}
    for path in sorted(addon_dir.rglob("*.py")):
        if "tests" in path.relative_to(addon_dir).parts:
            continue
        for label in _selection_labels(ast.parse(path.read_text())):
            labels.setdefault(label, path.relative_to(addon_dir).as_posix())
    if not labels:
        return []
    i18n = addon_dir / "i18n"
    pot = i18n / f"{addon_dir.name}.pot"
    catalogs = {pot.name: set(_po_entries(pot)) if pot.is_file() else set()}
    for lang in LANGUAGES:
        po = i18n / f"{lang}.po"
        entries = _po_entries(po) if po.is_file() else {}
        catalogs[po.name] = {msgid for msgid, msgstr in entries.items() if msgstr}
    return [
        f"i18n/{name}: selection label {label!r} of {where} is not translated"
        if name != pot.name
        else f"i18n/{name}: selection label {label!r} of {where} is missing"
        for name, msgids in catalogs.items()
        for label, where in sorted(labels.items())
        if label not in msgids
    ]


def check_packaging(addon_dir):
    """A pyproject.toml that builds the addon's wheel with whool."""
    pyproject = Path(addon_dir) / "pyproject.toml"
    if not pyproject.is_file():
        return ["pyproject.toml is missing"]
    if 'build-backend = "whool.buildapi"' not in pyproject.read_text():
        return ["pyproject.toml does not use whool.buildapi"]
    return []


def check_test_imports(addon_dir):
    """tests/__init__.py imports every test module: Odoo's runner runs only
    the imported ones, while pytest would run them all."""
    tests = Path(addon_dir) / "tests"
    modules = sorted(p.stem for p in tests.glob("test_*.py"))
    if not modules:
        return ["tests/ holds no test_*.py module"]
    init = tests / "__init__.py"
    imported = set()
    if init.is_file():
        for node in ast.walk(ast.parse(init.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.update(alias.name for alias in node.names)
    return [
        f"tests/__init__.py does not import {m}" for m in modules if m not in imported
    ]


CHECKS = (
    check_manifest,
    check_data_files,
    check_access_rules,
    check_deprecated_markup,
    check_demo_functions,
    check_readme,
    check_i18n,
    check_selection_translations,
    check_packaging,
    check_test_imports,
)
