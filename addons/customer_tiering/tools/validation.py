"""Checks of values that come from outside (RPC clients, forms, the counter
screen, the portal), made before they reach a query.

PostgreSQL refuses record ids beyond its integer range and text holding NUL
characters with errors that mean nothing to a user (and that abort the
transaction). Public methods of the suite's addons pass what they receive
through these helpers first, so that bad input gets a clear error in the
user's language and changes nothing.
"""

import math

from odoo.exceptions import UserError

# Ids are PostgreSQL integers.
MAX_ID = 2**31 - 1


def valid_id(value):
    """``value`` as a record id: a positive integer PostgreSQL can hold, else
    0 (an empty browse, never a database error). Booleans, strings and
    floats are not ids."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value if 0 < value <= MAX_ID else 0


def id_from_text(text):
    """The record id written in ``text`` (a form field, a URL parameter),
    else 0. Only plain ASCII digits count."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
        return 0
    return valid_id(int(text)) if len(text) <= 10 else 0


def valid_ids(values):
    """The ids of ``values`` (a list of candidate ids), or None when one of
    them is not a valid id."""
    if not isinstance(values, list | tuple):
        return None
    ids = [valid_id(value) for value in values]
    return None if not all(ids) else ids


def check_text(env, value, label, max_length, required=False):
    """``value`` as stripped text of at most ``max_length`` characters, or a
    clear error naming ``label``. None and False are empty text."""
    if value is None or value is False:
        value = ""
    if not isinstance(value, str):
        raise UserError(env._("%(field)s must be text.", field=label))
    if "\x00" in value:
        raise UserError(
            env._(
                "%(field)s contains a character that cannot be stored (NUL).",
                field=label,
            )
        )
    value = value.strip()
    if len(value) > max_length:
        raise UserError(
            env._(
                "%(field)s is limited to %(max)s characters.",
                field=label,
                max=max_length,
            )
        )
    if required and not value:
        raise UserError(env._("%(field)s is required.", field=label))
    return value


def check_number(env, value, label, minimum=None, maximum=None):
    """``value`` as a finite float within [minimum, maximum], or a clear error
    naming ``label``. Numeric text ("12.5") is accepted, as forms send it."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise UserError(env._("%(field)s must be a number.", field=label)) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(env._("%(field)s must be a number.", field=label))
    if not math.isfinite(value):
        raise UserError(env._("%(field)s must be a number.", field=label))
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        raise UserError(
            env._(
                "%(field)s must lie between %(min)s and %(max)s.",
                field=label,
                min=minimum,
                max=maximum,
            )
        )
    return float(value)
