"""Scheduled jobs that survive one bad record.

A scheduled action works in batches; when a batch fails because of one
record (bad data, a broken template, a plugin's hook), the whole call rolls
back and, run after run, fails again on the same batch: nothing after it is
ever done. ``run_isolated`` runs a batch in a savepoint and, when it fails,
runs it again record by record, each in its own savepoint: the records that
fail are logged (with what names them) and skipped, the others are done.

Concurrency errors (a serialization failure, a deadlock, a lock not
obtained) are not a record's fault: they propagate, so that the job's
transaction is retried as a whole later, and nothing is skipped for them.
Business errors (``UserError`` and its kinds: a validation, an access, a
missing configuration) are the records' fault: they are logged and skipped
even when every record of a batch raises one.
"""

import psycopg2.errors

from odoo.exceptions import UserError

# Raised by PostgreSQL when concurrent transactions collide: retry, don't skip.
CONCURRENCY_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)


def run_isolated(env, items, process, describe, logger):
    """Call ``process(items)`` in a savepoint; when it fails, call
    ``process([item])`` for each item in its own savepoint. ``process``
    returns a list (or None); the results of what succeeded are returned,
    concatenated. An item that fails alone is logged at ERROR level with
    ``describe(item)`` and skipped.

    When every item of a batch of several fails alone too, and none of
    them with a business error (``odoo.exceptions.UserError`` and its
    kinds), the failure is not a record's but the job's (a mail server
    down, a bug): the first error is raised, so that the job stops here and
    is retried, instead of skipping everything. When at least one of them
    failed with a business error, the records are at fault (a company
    without accounts, a validation): each one is logged, by name, and the
    job goes on with the next batch."""
    if not items:
        return []
    try:
        with env.cr.savepoint():
            return list(process(items) or [])
    except CONCURRENCY_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - retried item by item below
        if len(items) == 1:
            logger.error(
                "%s failed; skipped, the job goes on.",
                describe(items[0]),
                exc_info=error,
            )
            return []
        logger.info("A batch of %s failed at once: retried one by one.", len(items))
    results, failures = [], []
    for item in items:
        try:
            with env.cr.savepoint():
                results.extend(process([item]) or [])
        except CONCURRENCY_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - one record must not stop the job
            failures.append((item, error))
    if len(failures) == len(items) and not any(
        isinstance(error, UserError) for _item, error in failures
    ):
        raise failures[0][1]
    for item, error in failures:
        logger.error(
            "%s failed; skipped, the job goes on.", describe(item), exc_info=error
        )
    return results
