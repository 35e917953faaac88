from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.ratings import compare_buckets, rebuild_rating_buckets


class Command(BaseCommand):
    help = (
        "Recount every rating counter from the reviews themselves (NF-RES-3). With --check, "
        "change nothing, list each difference and exit with status 1 if there is any; without "
        "it, set the counters to the recount and record the run in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="only compare; exit 1 on any difference"
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if check:
            differences, checked = compare_buckets()
        else:
            recount, differences = rebuild_rating_buckets()
            checked = recount.buckets_checked
        for difference in differences:
            self.stdout.write(difference.describe())
        if check and differences:
            raise CommandError(
                f"{len(differences)} of {checked} rating counters differ from a recount"
            )
        verb = "corrected" if not check else "differ"
        self.stdout.write(
            self.style.SUCCESS(f"{checked} rating counters checked, {len(differences)} {verb}")
        )
