"""What every automated check returns: signals, each with a score and human-readable evidence."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One finding of one check on one submission.

    `check` names the check ("insult", "near_duplicate", ...); `rule_code` is the code-of-conduct
    rule the finding points to (see moderation/rules.py); `score` is in [0, 1], where 1 means
    the check is certain; `evidence` explains the finding in plain English to a moderator
    (never the offending personal data itself); `data` holds machine-readable details
    (matched term ids, similar submission ids, counts) as JSON-compatible values.
    """

    check: str
    rule_code: str
    score: float
    evidence: str
    data: dict[str, Any] = field(default_factory=dict)
