from typing import Any

from django.core.management.base import BaseCommand

from brands.invitations import list_due_invitation_ids, send_invitation


class Command(BaseCommand):
    help = (
        "Email the review invitations and reminders now due, in this process. Celery beat does "
        "it every few minutes (send-due-invitations); this is for a machine without beat, or cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = {"invitation": 0, "reminder": 0}
        while ids := list_due_invitation_ids():
            done = [send_invitation(invitation_id=pk) for pk in ids]
            for kind in done:
                if kind:
                    sent[kind] += 1
            if not any(done):
                break  # all locked by workers
        self.stdout.write(
            f"{sent['invitation']} invitation(s) and {sent['reminder']} reminder(s) sent"
        )
