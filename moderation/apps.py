from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from accounts.privacy import register_personal_data
        from moderation.privacy import erase_moderation, export_moderation, purge_moderation

        register_personal_data(
            "moderation", export=export_moderation, erase=erase_moderation, purge=purge_moderation
        )
