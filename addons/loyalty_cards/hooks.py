def uninstall_hook(env):
    """Drop the table the ORM does not know: the claimed idempotency keys."""
    env.cr.execute("DROP TABLE IF EXISTS loyalty_request_key")
