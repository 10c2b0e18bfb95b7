"""Numbers written by users, checked before the ORM converts them: NaN,
infinity and huge values fail in its rounding with errors that mean nothing
to a user (``cannot convert float NaN to integer``)."""

from odoo.exceptions import UserError, ValidationError

from odoo.addons.customer_tiering.tools.validation import check_number


def check_number_values(records, vals, bounds):
    """Raise a ValidationError naming the field when a value of ``vals`` for
    a field of ``bounds`` ({field name: (minimum, maximum)}) is not a number
    within its bounds. Empty values (False, None) are zero for the ORM."""
    for fname, (minimum, maximum) in bounds.items():
        value = vals.get(fname)
        if value is None or value is False:
            continue
        label = records._fields[fname]._description_string(records.env)
        try:
            check_number(records.env, value, label, minimum, maximum)
        except UserError as error:
            raise ValidationError(error.args[0]) from None
