"""Repo-level rules, run on every addon, and proof that each rule fails on a
real defect: a compliant sample addon passes every check, and each broken
copy of it is caught by the check that guards that rule."""

import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import repo_checks as rc

REPO = rc.REPO
ADDONS = rc.existing_addons()


# --- the rules on the real addons -------------------------------------------


@pytest.mark.parametrize("check", rc.CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_addon_complies(addon, check):
    assert check(addon) == []


def test_only_known_addons():
    """The suite is these addons; anything else under addons/ is a stray."""
    assert {a.name for a in ADDONS} <= set(rc.ADDON_NAMES)


def test_one_license():
    licenses = {rc.read_manifest(a).get("license") for a in ADDONS}
    assert licenses <= {rc.LICENSE}


# --- a compliant sample addon, and broken copies of it ----------------------

SAMPLE = {
    "__init__.py": "from . import models\n",
    "__manifest__.py": """\
        {
            "name": "Sample",
            "summary": "A sample addon",
            "version": "18.0.1.0.0",
            "license": "LGPL-3",
            "author": "Customer Suite Authors",
            "website": "https://example.com",
            "depends": ["base"],
            "category": "Tools",
            "installable": True,
            "data": ["security/ir.model.access.csv", "views/sample_thing_views.xml"],
            "demo": ["demo/sample_thing_demo.xml"],
        }
    """,
    "pyproject.toml": """\
        [build-system]
        requires = ["whool"]
        build-backend = "whool.buildapi"
    """,
    "models/__init__.py": "from . import sample_thing\n",
    "models/sample_thing.py": """\
        from odoo import fields, models

        KINDS = [("big", "Big one"), ("small", "Small one")]


        class SampleThing(models.Model):
            _name = "sample.thing"
            _description = "Sample thing"

            name = fields.Char()
            kind = fields.Selection(KINDS)
            size = fields.Selection(selection=[("xl", "Extra large")])


        class ResPartner(models.Model):
            _inherit = "res.partner"


        class SampleMixin(models.AbstractModel):
            _name = "sample.mixin"
            _description = "Sample mixin"
    """,
    "security/ir.model.access.csv": """\
        id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink
        access_sample_thing,sample.thing,model_sample_thing,base.group_user,1,1,1,1
    """,
    "views/sample_thing_views.xml": """\
        <odoo>
            <record id="sample_thing_view_list" model="ir.ui.view">
                <field name="model">sample.thing</field>
                <field name="arch" type="xml">
                    <list><field name="name" invisible="not name"/></list>
                </field>
            </record>
        </odoo>
    """,
    "demo/sample_thing_demo.xml": "<odoo/>\n",
    "static/src/xml/widget.xml": "<templates/>\n",
    "readme/DESCRIPTION.md": "What it does.\n",
    "readme/USAGE.md": "How to use it.\n",
    "readme/CONFIGURE.md": "How to configure it.\n",
    "i18n/sample.pot": """\
        msgid ""
        msgstr ""

        #. module: sample
        msgid "Sample thing"
        msgstr ""

        msgid "Big one"
        msgstr ""

        msgid "Small one"
        msgstr ""

        msgid "Extra large"
        msgstr ""

        #. module: sample
        msgid ""
        "A long "
        "string"
        msgstr ""
    """,
    "i18n/zh_CN.po": """\
        msgid ""
        msgstr ""

        msgid "Sample thing"
        msgstr "示例"

        msgid "Big one"
        msgstr "大的"

        msgid "Small one"
        msgstr "小的"

        msgid "Extra large"
        msgstr "特大"

        msgid ""
        "A long "
        "string"
        msgstr "长字符串"
    """,
    "i18n/zh_TW.po": """\
        msgid ""
        msgstr ""

        msgid "Sample thing"
        msgstr "範例"

        msgid "Big one"
        msgstr "大的"

        msgid "Small one"
        msgstr "小的"

        msgid "Extra large"
        msgstr "特大"

        msgid "A long string"
        msgstr ""
        "長字"
        "串"
    """,
    "tests/__init__.py": "from . import test_sample\n",
    "tests/test_sample.py": "",
}


@pytest.fixture
def sample(tmp_path):
    root = tmp_path / "sample"
    for rel, text in SAMPLE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for path, text in rc.gen_readme.outputs(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_sample_complies(sample):
    for check in rc.CHECKS:
        assert check(sample) == [], check.__name__


def test_manifest_missing_key(sample):
    edit(sample / "__manifest__.py", '"category": "Tools",', "")
    assert rc.check_manifest(sample) == ["manifest lacks 'category'"]


def test_manifest_bad_version(sample):
    edit(sample / "__manifest__.py", "18.0.1.0.0", "17.0.1.0")
    assert rc.check_manifest(sample) == ["version '17.0.1.0' is not 18.0.x.y.z"]


def test_manifest_other_license(sample):
    edit(sample / "__manifest__.py", "LGPL-3", "AGPL-3")
    assert rc.check_manifest(sample) == ["license 'AGPL-3' is not LGPL-3"]


def test_manifest_not_installable(sample):
    edit(sample / "__manifest__.py", '"installable": True', '"installable": False')
    assert rc.check_manifest(sample) == ["installable is not True"]


def test_data_file_listed_but_missing(sample):
    (sample / "demo/sample_thing_demo.xml").unlink()
    assert rc.check_data_files(sample) == [
        "listed file demo/sample_thing_demo.xml does not exist"
    ]


def test_data_file_not_listed(sample):
    (sample / "data").mkdir()
    (sample / "data/forgotten.xml").write_text("<odoo/>")
    assert rc.check_data_files(sample) == [
        "data/forgotten.xml is not listed in the manifest"
    ]


def test_model_without_access_rule(sample):
    with (sample / "models/sample_thing.py").open("a") as f:
        f.write("\n\nclass SampleWizard(models.TransientModel):\n")
        f.write('    _name = "sample.wizard"\n')
    assert rc.check_access_rules(sample) == [
        "model sample.wizard has no access rule in security/ir.model.access.csv"
    ]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("<list>", "<tree>", "<tree> (use <list>)"),
        ("</list>", "</tree>", "<tree> (use <list>)"),
        (
            'invisible="not name"',
            "attrs=\"{'invisible': [('name', '=', False)]}\"",
            "attrs=",
        ),
        ('invisible="not name"', 'states="draft"', "states="),
        ("<list>", '<list><field name="numbercall"/>', "numbercall"),
    ],
)
def test_deprecated_markup(sample, old, new, expected):
    edit(sample / "views/sample_thing_views.xml", old, new)
    problems = rc.check_deprecated_markup(sample)
    assert len(problems) == 1
    assert (
        problems[0].startswith("views/sample_thing_views.xml:")
        and expected in problems[0]
    )


def test_numbercall_in_python(sample):
    with (sample / "models/sample_thing.py").open("a") as f:
        f.write("\nCRON = {'numbercall': -1}\n")
    assert [p for p in rc.check_deprecated_markup(sample) if "numbercall" in p]


def test_demo_function_replayed_at_upgrade(sample):
    demo = sample / "demo/sample_thing_demo.xml"
    demo.write_text('<odoo><function model="sample.thing" name="_demo"/></odoo>\n')
    assert rc.check_demo_functions(sample) == [
        "demo/sample_thing_demo.xml: <function name='_demo'> runs again at "
        "every upgrade (put it in a noupdate block)"
    ]
    demo.write_text(
        '<odoo><data noupdate="1">'
        '<function model="sample.thing" name="_demo"/></data></odoo>\n'
    )
    assert rc.check_demo_functions(sample) == []


def test_readme_fragment_missing(sample):
    (sample / "readme/USAGE.md").unlink()
    assert rc.check_readme(sample) == ["readme/USAGE.md is missing or empty"]


def test_readme_out_of_date(sample):
    (sample / "readme/USAGE.md").write_text("How to use it, rewritten.\n")
    assert rc.check_readme(sample) == [
        "README.md is not up to date (make readme)",
        "static/description/index.html is not up to date (make readme)",
    ]


def test_i18n_missing_language(sample):
    (sample / "i18n/zh_TW.po").unlink()
    assert rc.check_i18n(sample) == ["i18n/zh_TW.po is missing"]


def test_i18n_untranslated_string(sample):
    edit(sample / "i18n/zh_CN.po", 'msgstr "示例"', 'msgstr ""')
    assert rc.check_i18n(sample) == [
        "i18n/zh_CN.po: 1 untranslated, e.g. 'Sample thing'"
    ]


def test_i18n_missing_template(sample):
    (sample / "i18n/sample.pot").unlink()
    assert rc.check_i18n(sample) == ["i18n/sample.pot is missing"]


def test_selection_label_untranslated(sample):
    """Selections defined in Python (a module-level list or inline) need
    their labels translated like any other string."""
    edit(sample / "i18n/zh_TW.po", 'msgstr "特大"', 'msgstr ""')
    assert rc.check_selection_translations(sample) == [
        "i18n/zh_TW.po: selection label 'Extra large' of models/sample_thing.py "
        "is not translated"
    ]


def test_selection_label_missing_from_template(sample):
    edit(sample / "models/sample_thing.py", '"Big one"', '"Huge one"')
    problems = rc.check_selection_translations(sample)
    assert (
        "i18n/sample.pot: selection label 'Huge one' of models/sample_thing.py "
        "is missing"
    ) in problems
    assert len(problems) == 3  # the template and both languages


def test_packaging_missing(sample):
    (sample / "pyproject.toml").unlink()
    assert rc.check_packaging(sample) == ["pyproject.toml is missing"]


def test_test_module_not_imported(sample):
    (sample / "tests/test_other.py").write_text("")
    assert rc.check_test_imports(sample) == [
        "tests/__init__.py does not import test_other"
    ]


# --- tools/addons.py: the order the Makefile installs in ---------------------


def test_addon_order_and_depends(tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import addons as addons_tool
    finally:
        sys.path.pop(0)
    for name, depends in {
        "c": ["b", "mail"],
        "b": ["a"],
        "a": ["account", "mail"],
    }.items():
        (tmp_path / name).mkdir()
        manifest = {"name": name, "depends": depends, "installable": True}
        (tmp_path / name / "__manifest__.py").write_text(repr(manifest))
    (tmp_path / "off").mkdir()
    (tmp_path / "off/__manifest__.py").write_text(
        "{'depends': ['sale'], 'installable': False}"
    )
    manifests = addons_tool.read_manifests(tmp_path)
    assert addons_tool.ordered_addons(manifests) == ["a", "b", "c"]
    assert addons_tool.external_depends(manifests) == ["account", "mail"]


# --- packaging: one wheel built the way `make wheels` builds it -------------


@pytest.mark.skipif(not ADDONS, reason="no addon to package yet")
def test_wheel_builds(tmp_path):
    addon = ADDONS[0]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-qq",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(addon),
        ],
        check=True,
    )
    wheels = list(tmp_path.glob("*.whl"))
    assert len(wheels) == 1
    assert wheels[0].name.startswith(f"odoo_addon_{addon.name}-18.0.")
    assert wheels[0].name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheels[0]) as whl:
        names = whl.namelist()
    assert f"odoo/addons/{addon.name}/__manifest__.py" in names


def test_ci_script_runs_the_readme_commands():
    """.ci/run runs the README's two commands, so CI tests what users run."""
    ci = (REPO / ".ci/run").read_text()
    readme = (REPO / "README.md").read_text()
    for command in ("make setup", "make test"):
        assert command in ci
    for command in ("make run", "make test"):
        assert f"\n{command}\n" in readme


def test_http_bound_to_loopback():
    """Every way the scripts start Odoo binds it to 127.0.0.1."""
    setup = (REPO / "tools/setup.sh").read_text()
    assert "http_interface = 127.0.0.1" in setup
    for script in ("tools/run.sh", "tools/test.sh"):
        assert "--http-interface=127.0.0.1" in (REPO / script).read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_second_environment_is_ignored():
    """make test-second-python's venv, build folder and data stay local."""
    paths = [".venv-py312/bin/python", "build/py312/odoo.conf", ".odoo-data-py312/x"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    assert ignored == paths


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_nothing_of_odoo_tracked():
    """Odoo stays outside the checkout."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert not [
        p for p in tracked if Path(p).name == "odoo-bin" or p.startswith("odoo/")
    ]
