import django_filters

from brands.models import Brand


class BrandFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    city = django_filters.CharFilter(field_name="places__city", lookup_expr="iexact", distinct=True)

    class Meta:
        model = Brand
        fields = ["name", "city"]
