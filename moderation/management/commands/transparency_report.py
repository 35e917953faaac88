import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.transparency import InvalidPeriod, compute_transparency, make_period, month_period


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date written YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Print the transparency report of a period: the figures of /transparence/ and of "
        "/api/v1/transparency/ (default: the last 30 days)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="a month, YYYY-MM")
        parser.add_argument("--start", help="first day, YYYY-MM-DD")
        parser.add_argument("--end", help="last day (included), YYYY-MM-DD")
        parser.add_argument("--brand", type=int, help="only the reviews of this brand id")
        parser.add_argument("--format", choices=("text", "csv", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["period"] and (options["start"] or options["end"]):
            raise CommandError("Give either --period or --start/--end, not both.")
        try:
            if options["period"]:
                period = month_period(options["period"])
            else:
                period = make_period(
                    start=_date(options["start"]) if options["start"] else None,
                    end=_date(options["end"]) if options["end"] else None,
                )
        except InvalidPeriod as error:
            raise CommandError(str(error)) from None
        report = compute_transparency(period=period, brand_id=options["brand"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        elif options["format"] == "csv":
            self.stdout.write(report.as_csv(), ending="")
        else:
            for figure, dimension, value in report.rows():
                name = f"{figure}[{dimension}]" if dimension else figure
                self.stdout.write(f"{name:<40} {value}")
