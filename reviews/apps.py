from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from moderation.registry import register_kind
        from reviews.moderation_handlers import ReplyHandler, ReviewHandler

        register_kind("review", ReviewHandler())
        register_kind("reply", ReplyHandler())
