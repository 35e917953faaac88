from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "pseudonym", "role", "email_verified_at", "is_active")
    list_filter = ("role", "is_active", "is_imported")
    search_fields = ("email", "pseudonym")
    # Roles and verification change only through services (audited): read-only here.
    readonly_fields = (
        "role",
        "email_verified_at",
        "moderation_languages",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("email", "pseudonym", "password")}),
        (
            "Voix",
            {
                "fields": (
                    "role",
                    "language",
                    "moderation_languages",
                    "email_verified_at",
                    "is_imported",
                )
            },
        ),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "pseudonym", "password1", "password2")}),
    )
