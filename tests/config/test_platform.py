import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_hashed_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_debug_is_off_unless_set(monkeypatch):
    from config.settings import base

    assert base.DEBUG is False


def test_production_settings_pass_the_deploy_check():
    # given: a production environment as an operator would set it
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "voix.example",
    }
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_site_is_in_french_by_default(client, db):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html


def test_english_is_available(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html


def test_language_switch_saves_the_users_choice(client, customer):
    # given
    client.force_login(customer)
    # when
    response = client.post("/compte/langue/", {"language": "en", "next": "/compte/profil/"})
    # then
    assert response.status_code == 302
    assert response.url == "/compte/profil/"
    customer.refresh_from_db()
    assert customer.language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_language_switch_never_redirects_off_site(client, db):
    response = client.post("/compte/langue/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_health_reports_each_service(client, db):
    # when
    response = client.get("/health/")
    # then
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["worker"] == ("in-process" if not settings.REDIS_URL else checks["worker"])


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_is_503_when_redis_is_down(client, db):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert response.json()["status"] == "degraded"


def test_api_schema_and_docs_are_served_locally(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/brands/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.parametrize("module", ["audit", "accounts", "brands", "moderation", "reviews"])
def test_apps_import_only_the_layers_below_them(module):
    """DESIGN.md: reviews -> moderation -> brands -> accounts -> audit, never upwards."""
    layers = ["audit", "accounts", "brands", "moderation", "reviews"]
    forbidden = layers[layers.index(module) + 1 :]
    offenders = []
    for path in (ROOT / module).rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            stripped = line.strip()
            for upper in forbidden:
                if stripped.startswith((f"from {upper}.", f"from {upper} ", f"import {upper}")):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []
