from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand

CUSTOMERS_ONLY_LABEL = _(
    "I confirm that I invite only customers, for a real purchase or service: no employees, no "
    "relatives, nobody rewarded for a review, and every customer of the period, not only the "
    "satisfied ones."
)


def _customers_only() -> forms.BooleanField:
    return forms.BooleanField(
        label=CUSTOMERS_ONLY_LABEL,
        error_messages={
            "required": _("Please confirm that you invite only customers (see above).")
        },
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Customer's email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Customer's name (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only used to greet the customer in the email; never published."),
    )
    order_reference = forms.CharField(label=_("Order reference"), max_length=100)
    purchase_date = forms.DateField(
        label=_("Date of purchase or service"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.ChoiceField(label=_("Place (optional)"), required=False)
    product = forms.CharField(
        label=_("Product or service (optional)"), required=False, max_length=200
    )
    language = forms.ChoiceField(
        label=_("Customer's language"),
        required=False,
        choices=[("", _("French (default)")), *settings.LANGUAGES],
    )
    customers_only = _customers_only()

    def __init__(self, *args: Any, brand: Brand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = [(p.slug, f"{p.name} ({p.city})") for p in brand.places.all()]
        self.fields["place"].choices = [("", _("— none —")), *places]  # type: ignore[attr-defined]
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of customers"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "One line per customer and order, with a header line. Columns: email, "
            "order_reference, purchase_date (required); name, place, product, language "
            "(optional). Any other column is refused."
        ),
    )
    customers_only = _customers_only()


class OptOutForm(forms.Form):
    whole_brand = forms.BooleanField(required=False, initial=True)
