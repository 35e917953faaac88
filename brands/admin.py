from django.contrib import admin

from brands.models import Brand, DomainClaim, Membership, Place


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    readonly_fields = ("slug",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "domain", "domain_verified_at")
    search_fields = ("name", "domain")
    readonly_fields = ("slug", "domain_verified_at")
    inlines = [PlaceInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("brand", "user", "role")
    list_filter = ("role",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # roles change through change_membership_role (audited)


@admin.register(DomainClaim)
class DomainClaimAdmin(admin.ModelAdmin):
    list_display = ("brand", "user", "email", "status", "created_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # claims are approved through approve_brand_claim (audited)
