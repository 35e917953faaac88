"""Checks on text that users write."""

import unicodedata

# Control (Cc), format (Cf: bidirectional overrides, zero-width), surrogate (Cs) and private-use
# (Co) characters: invisible, they can disguise a text or break what reads it.
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs", "Co")


def has_control_characters(value: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        unicodedata.category(ch) in INVISIBLE_CATEGORIES and ch not in allowed for ch in value
    )
