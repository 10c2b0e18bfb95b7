"""pytest's hooks for the whole repository (pytest-odoo runs the tests)."""

import sys
from unittest import case

# unittest's own executor of test parts, kept before pytest-odoo replaces it.
_TEST_PART_EXECUTOR = case._Outcome.testPartExecutor


def pytest_configure(config):
    """On Python 3.10, give unittest its executor back. pytest-odoo 2.3.0
    wraps it for Odoo 18.0 to accept Odoo's ``isTest`` argument, calling it
    with ``subTest``, an argument it has from Python 3.11 on: every test then
    fails with a TypeError on 3.10, whose executor takes ``isTest`` itself."""
    if sys.version_info < (3, 11):
        case._Outcome.testPartExecutor = _TEST_PART_EXECUTOR
