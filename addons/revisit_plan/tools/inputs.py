"""Checks of the values a client sends to ``create`` or ``write``, made before
the ORM converts them.

PostgreSQL refuses integers beyond its range and text holding NUL characters,
and the ORM answers a word where a number is due, or a value a selection does
not offer, with a raw ``ValueError``: errors that mean nothing to a user. The
models and wizards of revisit_plan pass their values through
``check_values`` first, so that bad input gets a clear error naming the field
and changes nothing.
"""

from odoo import models
from odoo.exceptions import UserError

from odoo.addons.customer_tiering.tools import validation

# PostgreSQL's integer column.
MIN_INT, MAX_INT = -(2**31), 2**31 - 1


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
            if not (isinstance(value, models.BaseModel) or validation.valid_id(value)):
                raise UserError(
                    env._(
                        "%(field)s: %(value)s is not a record.",
                        field=label,
                        value=str(value)[:20],
                    )
                )
        elif field.type in ("many2many", "one2many"):
            if not all(validation.valid_id(i) for i in _command_ids(value)):
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
            validation.check_text(env, value, label, max_length=length)
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
