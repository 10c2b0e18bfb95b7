"""Codes of member cards and coupons: random, read aloud, typed and scanned.

A code is 16 symbols of a 32-symbol alphabet without the look-alikes 0/O and
1/I: 80 random bits from ``secrets``. People may type it in groups, with
spaces or dashes, in lower case or with the full-width characters of a
Chinese input method; ``normalize_code`` forgives all of that and nothing
else: a symbol outside the alphabet means "not a code".
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
RANDOM_BITS = CODE_LENGTH * 5
# Longer input is refused before any other work (a scanner glitch, a paste).
MAX_INPUT_LENGTH = 64
SEPARATORS = frozenset(" -_.\t\r\n\u3000")


def fullwidth_to_ascii(text):
    """Full-width forms (U+FF01..U+FF5E, the ideographic space), as Chinese
    input methods type them, to their ASCII characters; nothing else."""
    return "".join(
        chr(ord(ch) - 0xFEE0)
        if "\uff01" <= ch <= "\uff5e"
        else (" " if ch == "\u3000" else ch)
        for ch in text
    )


def generate_code():
    """A new random code (80 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """The canonical form of a typed or scanned code, or None when ``text``
    cannot be one of our codes."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        return None
    text = fullwidth_to_ascii(text)
    text = "".join(ch for ch in text if ch not in SEPARATORS).upper()
    if len(text) != CODE_LENGTH or not set(text) <= set(ALPHABET):
        return None
    return text


def clean_input(text):
    """``text`` stripped, for exact matches of codes made before this addon
    (Odoo's own format); None when it is too long, not a string or holds a
    character the database cannot store (NUL)."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH or "\x00" in text:
        return None
    return fullwidth_to_ascii(text).strip() or None


def format_code(code):
    """A code in groups of four, as printed and shown (other codes as is)."""
    if code and len(code) == CODE_LENGTH and set(code) <= set(ALPHABET):
        return " ".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return code or ""
