import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from tqdm import tqdm

from config.celery_app import app as celery_app
from moderation.models import Submission
from moderation.services import moderate_submission
from reviews.importing import import_file, read_rows
from reviews.models import Review


class Command(BaseCommand):
    help = (
        "Import reviews (CSV with a header row, or JSON lines) and moderate each one, in "
        "submission order. Idempotent on external_id; imported authors are never emailed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--sync",
            action="store_true",
            help="moderate in this process instead of through the workers",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=3600,
            help="seconds to wait for the workers to decide everything",
        )

    def handle(self, *args: Any, file: Path, sync: bool, timeout: float, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        total = sum(1 for _ in read_rows(file))
        eager_before = celery_app.conf.task_always_eager
        if sync:
            celery_app.conf.task_always_eager = True
        try:
            with tqdm(
                total=total, desc="import", unit="review", file=self.stderr._out, disable=total < 2
            ) as bar:
                report = import_file(file, progress=bar)
            if sync:
                self._moderate_here(report.imported)
        finally:
            celery_app.conf.task_always_eager = eager_before
        self._wait_for_decisions(report.imported, timeout)
        for line, reason in report.bad_rows:
            self.stderr.write(f"line {line}: {reason}")
        statuses = dict(
            Review.objects.filter(pk__in=report.imported)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(report.imported)} reviews "
                f"({report.already_there} already imported, "
                f"{len(report.bad_rows)} bad rows skipped). Decisions: "
                + ", ".join(f"{status} {n}" for status, n in sorted(statuses.items()))
            )
        )

    def _moderate_here(self, review_ids: list[int]) -> None:
        """In submission order; those already decided after their commit are left alone."""
        pending = (
            Submission.objects.filter(
                kind="review", object_id__in=map(str, review_ids), state=Submission.State.PENDING
            )
            .order_by("submitted_at", "pk")
            .values_list("pk", flat=True)
        )
        for submission_id in pending:
            moderate_submission(submission_id=submission_id)

    def _wait_for_decisions(self, review_ids: list[int], timeout: float) -> None:
        object_ids = [str(pk) for pk in review_ids]
        pending = Submission.objects.filter(
            kind="review", object_id__in=object_ids, state=Submission.State.PENDING
        )
        deadline = time.monotonic() + timeout
        with tqdm(
            total=len(object_ids),
            desc="moderation",
            unit="review",
            file=self.stderr._out,
            disable=len(object_ids) < 2,
        ) as bar:
            while True:
                left = pending.count()
                bar.n = len(object_ids) - left
                bar.refresh()
                if left == 0:
                    return
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"{left} reviews still undecided after {timeout:.0f} s: "
                        "are the workers running?"
                    )
                time.sleep(0.5)
