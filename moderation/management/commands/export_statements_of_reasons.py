import json
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from moderation.models import StatementOfReasons
from moderation.statements import TDB_BATCH_SIZE, list_statements, tdb_statement


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date written YYYY-MM-DD.") from None


def _batches(statements: Iterator[StatementOfReasons]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for statement in statements:
        batch.append(tdb_statement(statement))
        if len(batch) == TDB_BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


class Command(BaseCommand):
    help = (
        "Write the statements of reasons issued from --since to --until (days included, in "
        "the platform's time zone) in the EU Transparency Database API format (DSA art. "
        '24(5)): one JSON object {"statements": [...]} per line, at most 100 statements each, '
        "the body of one call of POST /api/v1/statements. No personal data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", help="last day (included), YYYY-MM-DD; default: today")
        parser.add_argument("--output", type=Path, help="a file instead of standard output")

    def handle(
        self, *args: Any, since: str, until: str | None, output: Path | None, **options: Any
    ) -> None:
        first = _date(since, "--since")
        last = _date(until, "--until") if until else timezone.localdate()
        if last < first:
            raise CommandError("--until is before --since.")
        zone = timezone.get_current_timezone()
        statements = list_statements(
            start=datetime.combine(first, time.min, tzinfo=zone),
            end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        ).iterator(chunk_size=TDB_BATCH_SIZE)
        if output is None:
            count, batches = self._write(statements, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as stream:
                count, batches = self._write(statements, stream)
        self.stderr.write(
            f"{count} statements of reasons from {first} to {last}, in {batches} batches"
        )

    def _write(self, statements: Iterator[StatementOfReasons], stream: TextIO) -> tuple[int, int]:
        count = batches = 0
        for batch in _batches(statements):
            stream.write(json.dumps({"statements": batch}, ensure_ascii=False) + "\n")
            count += len(batch)
            batches += 1
        return count, batches
