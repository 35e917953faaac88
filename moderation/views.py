"""The public code of conduct, and the moderators' workspace (issue 4): the queue, the item
page with its decision forms, the content pages, and the operators' measures. Thin views: reads
in `moderation.selectors`, writes in `moderation.services`."""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from brands.selectors import is_brand_member
from config.errors import ApplicationError, PermissionDeniedError
from config.requests import authenticated_user
from moderation.filters import QueueFilter
from moderation.models import WorkItem
from moderation.registry import brand_context, media
from moderation.rules import CHANGELOG, RULES, RULESET_VERSION, Category
from moderation.selectors import (
    get_dossier,
    get_moderation_measures,
    get_moderator_throughput,
    get_submission,
    get_work_item,
    list_cluster_items,
    list_queue_brands,
    list_queue_with_counts,
)
from moderation.services import (
    ACTIONS_BY_KIND,
    claim_next_work_item,
    claim_work_item,
    decide_work_item,
    decide_work_items_in_bulk,
    ensure_can_moderate,
    release_work_item,
)
from moderation.transparency import InvalidPeriod, make_period
from moderation.workspace_forms import (
    ACTION_LABELS,
    NEXT_SHORTCUT,
    RESTRICTING_ACTIONS,
    SHORTCUTS,
    BulkDecisionForm,
    DecisionForm,
)


@require_GET
def code_of_conduct(request: HttpRequest) -> HttpResponse:
    """The public code of conduct, generated from the registry (NF-MOD-1, FR-15, DSA-2)."""
    language = translation.get_language() or "fr"
    sections = [
        (
            category,
            [
                {
                    "code": rule.code,
                    "title": rule.title(language),
                    "explanation": rule.explanation(language),
                    "action": rule.action,
                    "automatic": rule.automatic,
                    "replies_only": rule.kinds == ("reply",),
                    "not_for_replies": not rule.applies_to("reply"),
                }
                for rule in RULES.values()
                if rule.category == category
            ],
        )
        for category in Category
    ]
    return render(
        request,
        "moderation/code_of_conduct.html",
        {
            "sections": sections,
            "version": RULESET_VERSION,
            "changelog": CHANGELOG,
            "language": language,
        },
    )


# THE MODERATORS' WORKSPACE
# ------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50
# The bulk form shares the item page with the decision form: its own field names and ids.
BULK_PREFIX = "bulk"
View = Callable[..., HttpResponse]


def moderator_required(view: View) -> View:
    """Moderators and operators; anyone else logged in gets a 403, a visitor the login page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not authenticated_user(request).is_moderator:
            raise PermissionDenied(_("Only moderators work the queue."))
        return view(request, *args, **kwargs)

    return wrapper


def operator_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not authenticated_user(request).is_operator:
            raise PermissionDenied(_("Only operators see the moderation measures."))
        return view(request, *args, **kwargs)

    return wrapper


def duration_text(delta: timedelta | None) -> str:
    """A delay as a moderator reads it: "45 min", "3 h 20 min", "2 d 4 h"."""
    if delta is None:
        return "—"
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def _queue_filter(
    request: HttpRequest, moderator: User, *, brands: list[tuple[int, str]] | None = None
) -> tuple[QueueFilter, list[str]]:
    """The queue's filters from the query string, without the values it did not understand,
    and the labels of the filters so ignored: the page says so instead of failing."""
    query = request.GET.copy()
    query.pop("page", None)
    kwargs: dict[str, Any] = {"languages": moderator.moderation_languages, "brands": brands}
    filterset = QueueFilter(query or None, **kwargs)
    if not filterset.is_bound or filterset.is_valid():
        return filterset, []
    ignored = [str(filterset.form.fields[name].label) for name in filterset.errors]
    for name in filterset.errors:
        query.pop(name, None)
    return QueueFilter(query or None, **kwargs), ignored


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _item_or_404(item_id: int) -> WorkItem:
    item = get_work_item(item_id=item_id)
    if item is None:
        raise Http404
    return item


def _allowed(moderator: User, item: WorkItem) -> None:
    """A 403 page for an item this moderator may not see (NF-MOD-4, brand ties, DSA-20)."""
    try:
        ensure_can_moderate(moderator=moderator, item=item)
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from None


def _live_holder(item: WorkItem, now: datetime) -> User | None:
    if item.claimed_by_id is None or item.claim_expires_at is None:
        return None
    return item.claimed_by if item.claim_expires_at > now else None


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The open items this moderator may take, trusted flaggers first, then by due time."""
    moderator = authenticated_user(request)
    now = timezone.now()
    filterset, ignored = _queue_filter(
        request, moderator, brands=list_queue_brands(moderator=moderator)
    )
    items, counts = list_queue_with_counts(moderator=moderator, now=now, **filterset.queue_filters)
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    throughput = get_moderator_throughput(moderator=moderator, now=now)
    query = filterset.query_string
    return render(
        request,
        "moderation/workspace/queue.html",
        {
            "filter": filterset,
            "ignored": ignored,
            "page": page,
            "now": now,
            "query": query,
            "counts": [
                (
                    kind,
                    label,
                    counts[kind],
                    _with_query(reverse("moderation:queue"), f"kind={kind}"),
                )
                for kind, label in WorkItem.Kind.choices
            ],
            "total": sum(counts.values()),
            "throughput": throughput,
            "median_claim_to_close": duration_text(throughput.median_claim_to_close),
            "next_shortcut": NEXT_SHORTCUT,
        },
    )


def _claim_next(request: HttpRequest, moderator: User) -> HttpResponse:
    """Open the next item of the queue under the same filters, or the queue when it is empty."""
    filterset, _ignored = _queue_filter(request, moderator)
    query = filterset.query_string
    item = claim_next_work_item(moderator=moderator, **filterset.queue_filters)
    if item is None:
        messages.info(request, _("The queue is empty: nothing left to claim with these filters."))
        return redirect(_with_query(reverse("moderation:queue"), query))
    return redirect(_with_query(reverse("moderation:item", args=[item.pk]), query))


@moderator_required
@require_POST
def queue_next(request: HttpRequest) -> HttpResponse:
    return _claim_next(request, authenticated_user(request))


@moderator_required
@require_GET
def work_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """The item page. Opening an open, free item claims it for this moderator (a lease)."""
    moderator = authenticated_user(request)
    item = _item_or_404(item_id)
    _allowed(moderator, item)
    now = timezone.now()
    if item.state == WorkItem.State.OPEN and _live_holder(item, now) is None:
        try:
            claimed = claim_work_item(item_id=item.pk, moderator=moderator)
        except ApplicationError:  # someone claimed it an instant ago: the page says who
            item = _item_or_404(item_id)
        else:
            item.claimed_by, item.claim_expires_at = moderator, claimed.claim_expires_at
    return _item_page(request, item, moderator, now=now)


def _item_page(
    request: HttpRequest,
    item: WorkItem,
    moderator: User,
    *,
    now: datetime | None = None,
    form: DecisionForm | None = None,
    bulk_form: BulkDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = now or timezone.now()
    dossier = get_dossier(submission=item.submission, now=now)
    holder = _live_holder(item, now)
    open_ = item.state == WorkItem.State.OPEN
    cluster = (
        list_cluster_items(
            moderator=moderator, item=item, submission_ids=dossier.related_ids, now=now
        )
        if open_
        else []
    )
    filterset, _ignored = _queue_filter(request, moderator)
    query = filterset.query_string
    can_decide = open_ and (holder is None or holder.pk == moderator.pk)
    bulk_form = bulk_form or (
        BulkDecisionForm(item=item, cluster=cluster, prefix=BULK_PREFIX)
        if len(cluster) > 1
        else None
    )
    checked = bulk_form["items"].value() if bulk_form is not None else []
    context = {
        "item": item,
        "dossier": dossier,
        "brand_context": brand_context(kind=item.submission.kind, brand_id=item.brand_id),
        "submission": item.submission,
        "media": media(kind=item.submission.kind, object_id=item.submission.object_id),
        "holder": holder,
        "held_by_me": holder is not None and holder.pk == moderator.pk,
        "can_decide": can_decide,
        "now": now,
        "query": query,
        "form": form or DecisionForm(item=item),
        "bulk_form": bulk_form,
        "bulk_checked": {int(value) for value in checked or [] if str(value).isdigit()},
        "cluster": cluster,
        "actions": [
            {
                "value": action,
                "label": ACTION_LABELS[action],
                "shortcut": SHORTCUTS[action],
                "restricting": action in RESTRICTING_ACTIONS,
            }
            for action in ACTIONS_BY_KIND[item.kind]
        ],
        "next_shortcut": NEXT_SHORTCUT,
        "rules": RULES,
        "language": translation.get_language() or "fr",
    }
    return render(request, "moderation/workspace/item.html", context, status=status)


@moderator_required
@require_POST
def work_item_claim(request: HttpRequest, item_id: int) -> HttpResponse:
    moderator = authenticated_user(request)
    item = _item_or_404(item_id)
    _allowed(moderator, item)
    try:
        claim_work_item(item_id=item.pk, moderator=moderator)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect(_with_query(reverse("moderation:item", args=[item.pk]), _query(request)))


@moderator_required
@require_POST
def work_item_release(request: HttpRequest, item_id: int) -> HttpResponse:
    moderator = authenticated_user(request)
    item = _item_or_404(item_id)
    _allowed(moderator, item)
    try:
        release_work_item(item_id=item.pk, moderator=moderator)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(_with_query(reverse("moderation:item", args=[item.pk]), _query(request)))
    messages.success(request, _("Item %(id)d is back in the queue.") % {"id": item.pk})
    return redirect(_with_query(reverse("moderation:queue"), _query(request)))


def _query(request: HttpRequest) -> str:
    return _queue_filter(request, authenticated_user(request))[0].query_string


@moderator_required
@require_POST
def work_item_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    """Decide, then open the next item under the same filters (or the queue if none is left)."""
    moderator = authenticated_user(request)
    item = _item_or_404(item_id)
    _allowed(moderator, item)
    form = DecisionForm(request.POST, item=item)
    if not form.is_valid():
        return _item_page(request, item, moderator, form=form, status=400)
    try:
        decide_work_item(item_id=item.pk, moderator=moderator, **form.decision())
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from None
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        item = _item_or_404(item_id)  # as it is now: perhaps decided by someone else
        return _item_page(request, item, moderator, form=form, status=error.status_code)
    messages.success(
        request,
        _("Item %(id)d decided: %(action)s.")
        % {"id": item.pk, "action": ACTION_LABELS[form.cleaned_data["action"]]},
    )
    return _claim_next(request, moderator)


@moderator_required
@require_POST
def work_item_bulk_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    """One action and rule for several items of this item's cluster, each decided on its own;
    the page then says which were decided and why the others were skipped."""
    moderator = authenticated_user(request)
    item = _item_or_404(item_id)
    _allowed(moderator, item)
    dossier = get_dossier(submission=item.submission)
    cluster = list_cluster_items(moderator=moderator, item=item, submission_ids=dossier.related_ids)
    form = BulkDecisionForm(request.POST, item=item, cluster=cluster, prefix=BULK_PREFIX)
    if not form.is_valid():
        return _item_page(request, item, moderator, bulk_form=form, status=400)
    data = form.cleaned_data
    try:
        results = decide_work_items_in_bulk(
            item_ids=data["items"],
            moderator=moderator,
            action=data["action"],
            rule_code=data["rule_code"],
            note=data["note"],
        )
    except ApplicationError as error:
        form.add_error(None, str(error.message))
        return _item_page(request, item, moderator, bulk_form=form, status=error.status_code)
    decided = [result for result in results if result.decided]
    messages.success(
        request,
        ngettext("%(count)d item decided.", "%(count)d items decided.", len(decided))
        % {"count": len(decided)},
    )
    for result in results:
        if not result.decided:
            messages.warning(
                request,
                _("Item %(id)d skipped: %(reason)s")
                % {"id": result.item_id, "reason": result.reason},
            )
    if any(result.item_id == item.pk for result in decided):
        return _claim_next(request, moderator)
    return redirect(_with_query(reverse("moderation:item", args=[item.pk]), _query(request)))


@moderator_required
@require_GET
def submission_dossier(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A piece of content with everything the item page shows, without a decision: where the
    item page's lists link when the content waits in no open item."""
    moderator = authenticated_user(request)
    submission = get_submission(submission_id=submission_id)
    if submission is None:
        raise Http404
    if submission.language not in moderator.moderation_languages:
        raise PermissionDenied(_("You do not moderate this language."))
    if is_brand_member(user_id=moderator.pk, brand_id=submission.brand_id):
        raise PermissionDenied(_("You are a member of this brand: another moderator will decide."))
    return render(
        request,
        "moderation/workspace/submission.html",
        {
            "submission": submission,
            "media": media(kind=submission.kind, object_id=submission.object_id),
            "dossier": get_dossier(submission=submission),
            "now": timezone.now(),
            "rules": RULES,
            "language": translation.get_language() or "fr",
        },
    )


class MeasuresPeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@operator_required
@require_GET
def measures(request: HttpRequest) -> HttpResponse:
    """Moderation delays (submitted → decided) per kind of item, per rating and per decision
    path, over a period (default: the last 30 days)."""
    form = MeasuresPeriodForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "measures": None}
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        try:
            period = make_period(start=data.get("start"), end=data.get("end"))
        except InvalidPeriod as error:
            form.add_error(None, str(error))
        else:
            since, until = period.bounds()
            found = get_moderation_measures(since=since, until=until)
            context |= {"measures": found, "period": period, "tables": _measure_tables(found)}
    return render(
        request,
        "moderation/workspace/measures.html",
        context,
        status=200 if context["measures"] is not None else 400,
    )


def _measure_tables(found: Any) -> list[dict[str, Any]]:
    def rows(stats: dict[Any, Any], label: Callable[[Any], str]) -> list[dict[str, Any]]:
        return [
            {
                "label": label(key),
                "count": value.count,
                "p50": duration_text(value.p50),
                "p90": duration_text(value.p90),
                "max": duration_text(value.maximum),
            }
            for key, value in stats.items()
        ]

    return [
        {
            "id": "by-kind",
            "caption": _("Per kind of work item (from what was submitted to the item's close)"),
            "rows": rows(found.by_item_kind, lambda kind: str(WorkItem.Kind(kind).label)),
        },
        {
            "id": "by-rating",
            "caption": _("Per star rating (from submission to the first decision)"),
            "rows": rows(
                found.by_rating,
                lambda rating: (
                    ngettext("%(n)d star", "%(n)d stars", rating) % {"n": rating}
                    if rating
                    else _("no rating")
                ),
            ),
        },
        {
            "id": "by-path",
            "caption": _("Per decision path (from submission to the first decision)"),
            "rows": rows(
                found.by_path,
                lambda path: _("automated (the checks)") if path == "automated" else _("human"),
            ),
        },
    ]
