from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, even for operators."""

    list_display = (
        "id",
        "created_at",
        "action",
        "object_type",
        "object_id",
        "to_status",
        "rule_code",
        "actor",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "hash")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
