"""Playwright harness: one headless chromium for the whole session, a fresh context per test.

The browser is Debian's chromium (never a downloaded one: `playwright install` is not used), so
these tests skip when it is missing, through the `browser` mark (see tests/conftest.py). The
accessibility checks inject axe-core from node_modules: they skip when it is not installed
(`npm ci`), except under VOIX_REQUIRE_SERVICES=1 where they fail.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import ROOT, skip_unless_required

AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The text inside server-drawn SVG charts (`svg[role=img]`, named by its title and desc, its
# numbers repeated in a table): axe cannot compute contrast inside an SVG (it reports every such
# text as "incomplete: contains an image node"), so the charts' colours are fixed in
# moderation/charts.py and their contrast is tested there (tests/moderation/test_transparency.py).
AXE_EXCLUDE = [["svg[role=img] text"]]
# Short enough that a missing element fails the test quickly, long enough for a cold page.
DEFAULT_TIMEOUT_MS = 5_000


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio event loop in this thread (in a greenlet) from start
    # to stop. Django's ORM sees that running loop and raises SynchronousOnlyOperation for every
    # query made in this thread (fixtures, factories, assertions on the database), although
    # nothing here is asynchronous: the live server answers from its own thread. So the check is
    # switched off for as long as Playwright runs, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:  # the `browser` mark skips first; this guards an unmarked test
        pytest.fail("chromium not found: mark the test with @pytest.mark.browser", pytrace=False)
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    """A fresh browser profile per test (no cookies), French, pointed at the live server."""
    browser_context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    browser_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def axe_core() -> Path:
    return axe_core_path()


def axe_core_path() -> Path:
    """The axe-core script, or a skip (a failure under VOIX_REQUIRE_SERVICES=1) when missing."""
    if not AXE_PATH.exists():
        skip_unless_required(f"needs axe-core at {AXE_PATH.relative_to(ROOT)}: run `npm ci`")
    return AXE_PATH


def assert_no_axe_violations(page: Page, context_label: str) -> None:
    """Run axe-core (WCAG 2.1 A/AA and best practices) on the page as it is now.

    Results axe cannot decide ("incomplete", to review by hand) fail too: axe files some real
    defects there, such as two elements sharing an id that aria-describedby points to.
    """
    page.add_script_tag(path=axe_core_path())
    results = page.evaluate(
        "([tags, exclude]) => axe.run({include: [document], exclude: exclude},"
        " {runOnly: {type: 'tag', values: tags}})",
        [AXE_TAGS, AXE_EXCLUDE],
    )
    problems = [describe_violation(violation) for violation in results["violations"]]
    problems += [describe_violation(result, "needs review") for result in results["incomplete"]]
    if problems:
        pytest.fail(f"axe-core on {context_label} ({page.url}):\n" + "\n".join(problems))


def describe_violation(violation: dict[str, Any], kind: str = "violation") -> str:
    lines = [f"  - {kind} {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        summary = "; ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
        lines.append(f"      {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def log_in(context: BrowserContext, server_url: str, user: Any) -> None:
    """Give the browser the session cookie of a logged-in user (no login form to go through)."""
    client = Client()
    client.force_login(user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": session_cookie.key, "value": session_cookie.value, "url": server_url}]
    )


def use_language(context: BrowserContext, server_url: str, language: str) -> None:
    """What the language switch leaves behind for an anonymous visitor: Django's language cookie."""
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server_url}]
    )
