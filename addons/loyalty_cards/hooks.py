def uninstall_hook(env):
    """Drop the tables the ORM does not know: the PINs and the claimed
    idempotency keys."""
    env.cr.execute("DROP TABLE IF EXISTS loyalty_card_pin")
    env.cr.execute("DROP TABLE IF EXISTS loyalty_request_key")
