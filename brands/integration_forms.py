"""Forms of a brand's integrations page: the input only; the rules are the services'
(brands.integrations, brands.webhooks)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import BrandApiToken, WebhookEndpoint


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("To recognise it later, e.g. “Shop website”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=BrandApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookEndpointForm(forms.Form):
    # A CharField: brands.webhooks.check_endpoint_url decides which addresses are allowed.
    url = forms.CharField(
        label=_("Address (https://)"),
        max_length=500,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
