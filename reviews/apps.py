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

        from accounts.privacy import register_personal_data
        from reviews.privacy import erase_reviews, export_reviews, purge_reviews

        register_personal_data(
            "reviews", export=export_reviews, erase=erase_reviews, purge=purge_reviews
        )
