"""Consumption PINs: six digits, kept as a salted HMAC-SHA256 whose key lives
outside the database.

Why not a slow password hash: a PIN has only 10**6 values. Any hash cheap
enough for a counter (under ~50 ms) is brute-forced offline in hours from a
stolen database, so slowness protects nothing here. A keyed HMAC does: the
key is not in the database (nor in its backups), so a dump alone reveals no
PIN, while online guessing is stopped by the lock after five wrong PINs. It
also costs microseconds, not tens of milliseconds per check.

The key is, in this order: the ``loyalty_pin_secret`` option of the Odoo
configuration file, the ``ODOO_LOYALTY_PIN_SECRET`` environment variable, or
a random key that the first use writes to ``<data_dir>/loyalty_cards/
pin.secret`` (mode 0600). Servers sharing a database must share the key.
Each stored hash names the key it was made with (a fingerprint), so that a
changed key is told apart from a wrong PIN.
"""

import hashlib
import hmac
import os
import re
import secrets

from odoo.tools import config

from .codes import fullwidth_to_ascii

PIN_LENGTH = 6
MAX_FAILED_ATTEMPTS = 5
SCHEME = "hmac-sha256"
SECRET_OPTION = "loyalty_pin_secret"
SECRET_ENV = "ODOO_LOYALTY_PIN_SECRET"
PIN_RE = re.compile(r"[0-9]{6}")

_secret_cache = {}


def normalize_pin(pin):
    """The PIN as six ASCII digits, or None. Full-width digits (Chinese input
    methods) count as digits; anything else does not."""
    if isinstance(pin, int) and not isinstance(pin, bool):
        pin = f"{pin:06d}" if 0 <= pin < 10**PIN_LENGTH else str(pin)
    if not isinstance(pin, str) or len(pin) > 32:
        return None
    pin = fullwidth_to_ascii(pin).strip()
    return pin if PIN_RE.fullmatch(pin) else None


def is_weak(pin):
    """Whether a (normalized) PIN is too easy to guess: one digit repeated,
    or six consecutive digits up or down (123456, 987654...)."""
    if len(set(pin)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})


def _secret_path():
    return os.path.join(config["data_dir"], "loyalty_cards", "pin.secret")


def get_secret():
    """The HMAC key (bytes), from the configuration, the environment or the
    key file, created on first use."""
    configured = config.get(SECRET_OPTION) or os.environ.get(SECRET_ENV)
    if configured:
        return configured.encode()
    path = _secret_path()
    if path in _secret_cache:
        return _secret_cache[path]
    try:
        with open(path, "rb") as f:
            secret = f.read().strip()
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        secret = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            # Another worker wrote it a moment ago: use theirs.
            with open(path, "rb") as f:
                secret = f.read().strip()
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secret)
    _secret_cache[path] = secret
    return secret


def key_id(secret):
    """A short fingerprint of the key, stored with each hash."""
    return hashlib.sha256(b"loyalty_cards pin key " + secret).hexdigest()[:12]


def _digest(secret, salt, pin):
    return hmac.new(secret, f"{salt}:{pin}".encode(), hashlib.sha256).hexdigest()


def hash_pin(pin, secret=None):
    """The stored form of a normalized PIN: scheme, key id, salt, digest."""
    secret = secret or get_secret()
    salt = secrets.token_hex(16)
    return f"{SCHEME}${key_id(secret)}${salt}${_digest(secret, salt, pin)}"


def verify_pin(pin, stored, secret=None):
    """True or False; None when ``stored`` was made with another key (the
    PIN cannot be checked: a manager must reset it)."""
    secret = secret or get_secret()
    try:
        scheme, stored_key_id, salt, digest = stored.split("$")
    except (AttributeError, ValueError):
        return None
    if scheme != SCHEME or stored_key_id != key_id(secret):
        return None
    return hmac.compare_digest(_digest(secret, salt, pin), digest)
