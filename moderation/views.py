from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from moderation.rules import CHANGELOG, RULES, RULESET_VERSION, Category


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
