"""The mixed scenario of bench/soak.py, for locust; run by soak.py, not on its own.

`VOIX_SOAK_WORLD` names the JSON file soak.py wrote: brand slugs (with read weights), and the
credentials of the customers (API tokens, session cookies), moderators (API tokens) and brand
members (brand API tokens with the reply scope) it created. Each simulated user takes the next
unused account of its kind, so that no two users share one.

Every answer that is not the one expected is a failure (locust counts them per endpoint), and
soak.py fails the run on any.
"""

import datetime as dt
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_corpus import make_review  # noqa: E402

WORLD: dict[str, Any] = json.loads(Path(os.environ["VOIX_SOAK_WORLD"]).read_text())
BRANDS: list[str] = WORLD["brands"]
READ_WEIGHTS: list[float] = WORLD["read_weights"]
# A phrase that the undisclosed-incentive check finds (score 0.7): such a review goes to a
# moderator, which is how the soak gives the moderators a steady share of the submissions.
INCENTIVE = {
    "fr": "J'ai eu le produit offert pour cet avis.",
    "en": "I received it for free in exchange for this review.",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_account: dict[str, itertools.count] = {}


def next_account(kind: str) -> dict[str, Any]:
    """The next account of this kind not yet taken by a simulated user."""
    counter = _next_account.setdefault(kind, itertools.count())
    accounts = WORLD[kind]
    return accounts[next(counter) % len(accounts)]


def review_body(rng: random.Random, lang: str) -> dict[str, Any]:
    rating = rng.choices([1, 2, 3, 4, 5], [20, 7, 8, 20, 45])[0]
    title, text, _kind = make_review(rng, rating=rating, lang=lang)
    if rng.random() < WORLD["to_moderator_share"]:
        text = f"{text} {INCENTIVE[lang]}"
    if len(text) < 20:  # the shortest stock reviews are under REVIEW_TEXT_MIN_LENGTH
        text = f"{text} {'Rien à ajouter.' if lang == 'fr' else 'Nothing to add.'}"
    days = rng.randint(1, 60)
    return {
        "channel": rng.choice(["website", "in_store", "app", "delivery", "phone", "other"]),
        "rating": rating,
        "title": title[:120],
        "text": text,
        "language": lang,
        "experience_date": (dt.date.today() - dt.timedelta(days=days)).isoformat(),
        "attested": True,
        "recommend_score": rng.randint(0, 10),
    }


class Visitor(FastHttpUser):
    """Most of the traffic: anonymous readers of brand pages and of the review API."""

    fixed_count = WORLD["counts"]["visitor"]
    wait_time = between(0.5, 2.0)

    def brand(self) -> str:
        return random.choices(BRANDS, READ_WEIGHTS)[0]

    @task(4)
    def brand_page(self) -> None:
        self.client.get(f"/marques/{self.brand()}/", name="GET /marques/{slug}/")

    @task(1)
    def brand_page_sorted(self) -> None:
        self.client.get(
            f"/marques/{self.brand()}/?sort={random.choice(['highest', 'lowest', 'helpful'])}",
            name="GET /marques/{slug}/?sort=",
        )

    @task(4)
    def brand_reviews_api(self) -> None:
        with self.client.get(
            f"/api/v1/brands/{self.brand()}/reviews/",
            name="GET /api/v1/brands/{slug}/reviews/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            following = response.json().get("next")
        if following and random.random() < 0.3:
            self.client.get(following, name="GET /api/v1/brands/{slug}/reviews/ (next page)")

    @task(1)
    def reviews_api(self) -> None:
        self.client.get("/api/v1/reviews/", name="GET /api/v1/reviews/")


class Customer:
    """What both kinds of customers share: their own account, network and list of brands."""

    def begin(self, kind: str) -> None:
        self.account = next_account(kind)
        self.rng = random.Random(self.account["id"])
        # Each brand once, in an order of its own: one live review per author and brand.
        self.todo = list(BRANDS)
        self.rng.shuffle(self.todo)
        self.headers = {
            "X-Forwarded-For": self.account["ip"],
            "User-Agent": self.account["user_agent"],
        }


class ApiCustomer(Customer, FastHttpUser):
    """Submits reviews through the API, with its account's token."""

    fixed_count = WORLD["counts"]["api_customer"]
    wait_time = between(*WORLD["submit_wait"])

    def on_start(self) -> None:
        self.begin("api_customers")
        self.headers["Authorization"] = f"Token {self.account['token']}"

    @task
    def submit(self) -> None:
        if not self.todo:
            return
        body = {"brand": self.todo.pop(), **review_body(self.rng, self.account["language"])}
        with self.client.post(
            "/api/v1/reviews/",
            json=body,
            headers=self.headers,
            name="POST /api/v1/reviews/",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")


class WebCustomer(Customer, HttpUser):
    """Submits reviews with the web form, logged in by its session cookie (requests' cookie
    jar keeps it and the CSRF cookie, as a browser does)."""

    fixed_count = WORLD["counts"]["web_customer"]
    wait_time = between(*WORLD["submit_wait"])

    def on_start(self) -> None:
        self.begin("web_customers")
        self.client.cookies.set("sessionid", self.account["session"])

    @task
    def submit(self) -> None:
        if not self.todo:
            return
        slug = self.todo.pop()
        with self.client.get(
            f"/avis/ecrire/{slug}/",
            headers=self.headers,
            name="GET /avis/ecrire/{slug}/",
            catch_response=True,
        ) as response:
            found = CSRF.search(response.text or "")
            if response.status_code != 200 or not found:
                response.failure(f"HTTP {response.status_code}, CSRF token found: {bool(found)}")
                return
            token = found.group(1)
        form = {
            k: ("on" if v is True else str(v))
            for k, v in review_body(self.rng, self.account["language"]).items()
        }
        form["csrfmiddlewaretoken"] = token
        with self.client.post(
            f"/avis/ecrire/{slug}/",
            data=form,
            headers=self.headers,
            name="POST /avis/ecrire/{slug}/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/avis/mes-avis/" not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")


class Moderator(FastHttpUser):
    """Claims the next item of the queue and decides it, as a moderator at work does."""

    fixed_count = WORLD["counts"]["moderator"]
    wait_time = between(*WORLD["moderator_wait"])

    def on_start(self) -> None:
        self.account = next_account("moderators")
        self.headers = {"Authorization": f"Token {self.account['token']}"}

    @task
    def work(self) -> None:
        with self.client.post(
            "/api/v1/moderation/queue/next/",
            headers=self.headers,
            name="POST /api/v1/moderation/queue/next/",
            catch_response=True,
        ) as response:
            if response.status_code == 204:  # nothing to do
                return
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
                return
            item = response.json()
        self.client.get(
            f"/api/v1/moderation/items/{item['id']}/",
            headers=self.headers,
            name="GET /api/v1/moderation/items/{id}/",
        )
        with self.client.post(
            f"/api/v1/moderation/items/{item['id']}/decide/",
            json=decision_for(item, random),
            headers=self.headers,
            name="POST /api/v1/moderation/items/{id}/decide/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")


def decision_for(item: dict[str, Any], rng: Any) -> dict[str, str]:
    """Half the undeclared incentives labelled, everything else published."""
    if item["rule_code"] == "undisclosed_incentive" and rng.random() < 0.5:
        return {"action": "label", "rule_code": "undisclosed_incentive", "note": "soak"}
    return {"action": "publish", "note": "soak"}


class BrandMember(FastHttpUser):
    """A brand's CRM: reads its reviews without a reply and replies, with a brand API token."""

    fixed_count = WORLD["counts"]["brand"]
    wait_time = between(*WORLD["reply_wait"])

    def on_start(self) -> None:
        self.account = next_account("brand_members")
        self.headers = {"Authorization": f"Bearer {self.account['key']}"}
        self.rng = random.Random(self.account["brand"])
        self.replied: set[int] = set()  # a reply awaiting moderation is not "replied" yet

    @task
    def reply(self) -> None:
        with self.client.get(
            f"/api/v1/brands/{self.account['brand']}/reviews/?reply=no",
            headers=self.headers,
            name="GET /api/v1/brands/{slug}/reviews/?reply=no (token)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
                return
            reviews = [r for r in response.json()["results"] if r["id"] not in self.replied]
        if not reviews:
            return
        review = self.rng.choice(reviews)
        text = (
            "Merci pour votre avis, nous en tenons compte. L'équipe"
            if review.get("language", "fr") == "fr"
            else "Thank you for your review, we take it into account. The team"
        )
        with self.client.post(
            f"/api/v1/reviews/{review['id']}/reply/",
            json={"text": text},
            headers=self.headers,
            name="POST /api/v1/reviews/{id}/reply/ (token)",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
        self.replied.add(review["id"])
