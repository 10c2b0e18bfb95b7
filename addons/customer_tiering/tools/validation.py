"""Checks of values that come from outside (RPC clients, forms, the counter
screen, the portal), made before they reach a query.

PostgreSQL refuses record ids beyond its integer range and text holding NUL
characters with errors that mean nothing to a user (and that abort the
transaction). Public methods of the suite's addons pass what they receive
through these helpers first, so that bad input gets a clear error in the
user's language and changes nothing.
"""

import math

from odoo import models
from odoo.exceptions import UserError

# Ids are PostgreSQL integers.
MAX_ID = 2**31 - 1
# PostgreSQL's integer column.
MIN_INT, MAX_INT = -(2**31), 2**31 - 1


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


def check_values(records, vals):
    """Raise a ``UserError`` naming the field when a value of ``vals`` cannot
    be stored in its field of ``records``' model: a number that is not a
    whole number within PostgreSQL's range, an id that is not a record id, a
    value the selection does not offer, text with a NUL character. Empty
    values (False, None) pass; so do fields this check does not know, and
    the values of x2many commands (only their ids are checked)."""
    env = records.env
    for name, value in vals.items():
        field = records._fields.get(name)
        if field is None or value is False or value is None:
            continue
        label = field._description_string(env)
        if field.type == "integer":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not MIN_INT <= value <= MAX_INT
            ):
                raise UserError(
                    env._(
                        "%(field)s must be a whole number between %(min)s and %(max)s.",
                        field=label,
                        min=MIN_INT,
                        max=MAX_INT,
                    )
                )
        elif field.type == "many2one":
            if not (isinstance(value, models.BaseModel) or valid_id(value)):
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not a record.",
                        field=label,
                        value=str(value)[:20],
                    )
                )
        elif field.type in ("many2many", "one2many"):
            if not all(valid_id(i) for i in _command_ids(value)):
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not a record.",
                        field=label,
                        value=str(value)[:20],
                    )
                )
        elif field.type == "selection":
            if value not in field.get_values(env):
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not one of the choices.",
                        field=label,
                        value=str(value)[:20],
                    )
                )
        elif field.type in ("char", "text", "html"):
            length = len(value) if isinstance(value, str) else 0
            check_text(env, value, label, max_length=length)
    return vals


def _command_ids(commands):
    """The record ids named by x2many ``commands`` (a list of commands or of
    ids), as far as their shape tells."""
    if isinstance(commands, models.BaseModel):
        return commands.ids
    if not isinstance(commands, list | tuple):
        return [commands]
    ids = []
    for command in commands:
        if isinstance(command, list | tuple) and command:
            if command[0] in (1, 2, 3, 4) and len(command) > 1:
                ids.append(command[1])
            elif command[0] == 6 and len(command) > 2:
                ids.extend(_command_ids(command[2] or []))
        elif not isinstance(command, models.BaseModel):
            ids.append(command)
    return ids
