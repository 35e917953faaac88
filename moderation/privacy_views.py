"""The public privacy notice (GDPR art. 13, FR-11): what is collected, why, for how long, who
sees it. Every period is read from the settings (PERSONAL DATA RETENTION) that the purge task
applies, never hand-copied. It lives here, above accounts and brands, for `describe_duration`,
which the other information pages use."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moderation.information import describe_duration


@dataclass(frozen=True)
class Processing:
    key: str  # the anchor and test hook of the row
    what: Promise | str
    why: Promise | str
    basis: Promise | str
    kept: str
    who: Promise | str


def privacy_facts() -> list[Processing]:
    """One row per kind of personal data, each with the setting it is kept for."""
    d = describe_duration
    return [
        Processing(
            key="account",
            what=gettext_lazy(
                "Your account: email address, pseudonym, password (hashed), languages."
            ),
            why=gettext_lazy(
                "To log you in and tell you what becomes of your reviews and reports."
            ),
            basis=gettext_lazy("Performance of the terms of use (GDPR art. 6(1)(b))."),
            kept=_(
                "Until you erase your account; an account whose address is never verified "
                "is erased %(period)s after sign-up."
            )
            % {"period": d(settings.UNVERIFIED_ACCOUNT_RETENTION)},
            who=gettext_lazy(
                "The public sees only your pseudonym. Moderators see the domain of your address."
            ),
        ),
        Processing(
            key="reviews",
            what=gettext_lazy("Your reviews, their moderation decisions, your helpful votes."),
            why=gettext_lazy("To publish your opinion and show how it was moderated."),
            basis=gettext_lazy("Performance of the terms of use (GDPR art. 6(1)(b))."),
            kept=_("%(period)s after a review leaves the public pages or after its publication.")
            % {"period": d(settings.REVIEW_RETENTION)},
            who=gettext_lazy("Everyone, under your pseudonym, once published; moderators."),
        ),
        Processing(
            key="network",
            what=gettext_lazy(
                "Keyed hashes of the network and device a review or report came from (never "
                "the address itself)."
            ),
            why=gettext_lazy("To detect fake reviews and to limit abuse."),
            basis=gettext_lazy("Legitimate interest in reliable reviews (GDPR art. 6(1)(f))."),
            kept=_("%(period)s after submission.") % {"period": d(settings.NETWORK_HASH_RETENTION)},
            who=gettext_lazy("The automated checks only."),
        ),
        Processing(
            key="invitations",
            what=gettext_lazy(
                "When a brand invites you: your email address, your name and the order "
                "reference it gave."
            ),
            why=gettext_lazy("To send you its invitation and one reminder at most."),
            basis=gettext_lazy("The brand's legitimate interest (GDPR art. 6(1)(f))."),
            kept=_("%(period)s after the invitation's last event (sending, reminder, review).")
            % {"period": d(settings.INVITATION_PERSONAL_DATA_RETENTION)},
            who=gettext_lazy("The brand that invited you."),
        ),
        Processing(
            key="reports",
            what=gettext_lazy("When you report content or appeal: your name and email address."),
            why=gettext_lazy(
                "To tell you the outcome and let you contest it (DSA art. 16, 17, 20)."
            ),
            basis=gettext_lazy("Legal obligation (GDPR art. 6(1)(c))."),
            kept=_("%(period)s after the decision.")
            % {"period": d(settings.REPORT_CONTACT_RETENTION)},
            who=gettext_lazy("Moderators."),
        ),
        Processing(
            key="proofs",
            what=gettext_lazy("Proofs of experience you send (an invoice, an order confirmation)."),
            why=gettext_lazy("To check that the experience you reviewed is real."),
            basis=gettext_lazy("Legitimate interest in reliable reviews (GDPR art. 6(1)(f))."),
            kept=_("%(period)s after the moderator's decision.")
            % {"period": d(settings.PROOF_FILE_RETENTION)},
            who=gettext_lazy("Moderators only; never published."),
        ),
        Processing(
            key="webhooks",
            what=gettext_lazy(
                "The log of what a brand's systems received about its reviews (what the public "
                "page shows, nothing about the author)."
            ),
            why=gettext_lazy("To let the brand check its integrations."),
            basis=gettext_lazy("The brand's legitimate interest (GDPR art. 6(1)(f))."),
            kept=_("%(period)s after sending.")
            % {"period": d(settings.WEBHOOK_DELIVERY_RETENTION)},
            who=gettext_lazy("The brand."),
        ),
        Processing(
            key="audit",
            what=gettext_lazy(
                "The audit trail: who did what and when, by account number, without names or "
                "email addresses."
            ),
            why=gettext_lazy("To prove that every decision followed the published rules."),
            basis=gettext_lazy(
                "Legal obligation and legitimate interest (GDPR art. 6(1)(c), (f))."
            ),
            kept=_("For as long as the platform exists: it can be neither changed nor shortened."),
            who=gettext_lazy("Operators; the public history of a review shows no account."),
        ),
    ]


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "processings": privacy_facts(),
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "unverified_retention": describe_duration(settings.UNVERIFIED_ACCOUNT_RETENTION),
        },
    )
