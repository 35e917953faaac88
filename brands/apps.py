from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("Brands")

    def ready(self) -> None:
        from accounts.privacy import register_personal_data
        from brands.privacy import erase_brands, export_brands, purge_brands

        register_personal_data(
            "brands", export=export_brands, erase=erase_brands, purge=purge_brands
        )
