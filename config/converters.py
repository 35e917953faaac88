"""URL path converters."""


class IdConverter:
    """`<id:review_id>`: a database id. Like Django's `int`, but at most 18 digits, so that a
    number too large for a 64-bit column is a 404 like any unknown id, not a database error
    (SQLite raises OverflowError past 2**63)."""

    regex = "[0-9]{1,18}"
    MAX = 10**18 - 1

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
