from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import find_chain_break


class Command(BaseCommand):
    help = "Recompute every audit event's hash in order and name the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, chain_break = find_chain_break()
        if chain_break is not None:
            raise CommandError(
                f"Audit trail broken at event #{chain_break.event_id}: {chain_break.reason} "
                f"({checked} events before it verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events verified."))
