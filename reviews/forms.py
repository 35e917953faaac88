from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, Place
from reviews.models import Review


def _stars(n: int) -> str:
    return gettext("%(n)d out of 5") % {"n": n}


# Lazy, so each request shows the labels in its own language, not the one active at import.
_out_of_five = lazy(_stars, str)


class ReviewForm(forms.Form):
    place = forms.ModelChoiceField(
        queryset=Place.objects.none(),
        required=False,
        label=_("Place (optional)"),
        empty_label=_("— none —"),
    )
    channel = forms.ChoiceField(label=_("Where did it happen?"), choices=Review.Channel.choices)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, _out_of_five(n)) for n in range(5, 0, -1)],
    )
    title = forms.CharField(label=_("Title"), max_length=settings.REVIEW_TITLE_MAX_LENGTH)
    text = forms.CharField(
        label=_("Your review"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=settings.REVIEW_TEXT_MAX_LENGTH,
        strip=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the review"),
        required=False,
        choices=[("", _("Detect automatically")), ("fr", _("French")), ("en", _("English"))],
    )
    experience_date = forms.DateField(
        label=_("Date of experience"), widget=forms.DateInput(attrs={"type": "date"})
    )
    recommend_score = forms.TypedChoiceField(
        label=_("Would you recommend this brand to a friend? (0 = not at all, 10 = certainly)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("— no answer —"))] + [(n, str(n)) for n in range(11)],
    )
    incentive_received = forms.BooleanField(
        label=_("I received something (gift, discount, payment) for writing this review"),
        required=False,
    )
    incentive_description = forms.CharField(
        label=_("What did you receive?"), required=False, max_length=200
    )
    attested = forms.BooleanField(label=_("I confirm this review reflects my own experience"))

    def __init__(self, *args: object, brand: Brand, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["place"].queryset = brand.places.all()  # type: ignore[attr-defined]
        self.fields["experience_date"].widget.attrs["max"] = timezone.localdate().isoformat()
