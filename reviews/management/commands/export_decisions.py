import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser

from moderation.models import Submission
from reviews.models import Review

CHUNK = 2000


class Command(BaseCommand):
    help = "Write one JSON object per review and line: its moderation decision and signals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="a file instead of standard output")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        if output is None:
            self._write(sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as stream:
                self._write(stream)

    def _write(self, stream: TextIO) -> None:
        last_id = 0
        while True:
            reviews = list(Review.objects.filter(pk__gt=last_id).order_by("pk")[:CHUNK])
            if not reviews:
                return
            last_id = reviews[-1].pk
            submissions = {
                sub.object_id: sub
                for sub in Submission.objects.filter(
                    kind="review", object_id__in=[str(r.pk) for r in reviews]
                ).prefetch_related("signals", "decisions")
            }
            for review in reviews:
                submission = submissions.get(str(review.pk))
                stream.write(json.dumps(export_line(review, submission), ensure_ascii=False) + "\n")


def export_line(review: Review, submission: Submission | None) -> dict[str, Any]:
    signals = (
        [
            {"name": s.check_name, "score": s.score, "evidence": s.evidence}
            for s in submission.signals.all()
        ]
        if submission
        else []
    )
    decisions = list(submission.decisions.all()) if submission else []
    last = decisions[-1] if decisions else None
    return {
        "external_id": review.external_id or str(review.pk),
        "status": review.status,
        "risk_score": (submission.risk_score or 0.0) if submission else 0.0,
        "signals": signals,
        "rule_code": review.rule_code,
        "decided_by": ("pipeline" if last.is_automated else "moderator") if last else "",
        "decided_at": last.decided_at.isoformat() if last else None,
    }
