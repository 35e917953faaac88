import os
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import skip_unless_required

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _catalog(path: Path):
    with path.open("rb") as stream:
        return read_po(stream)


def test_every_french_message_is_translated():
    catalog = _catalog(PO)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_the_french_catalog_covers_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the code finds no string the catalog lacks."""
    if not shutil.which("xgettext"):
        skip_unless_required("needs GNU gettext (xgettext): apt-get install gettext")
    copy = tmp_path / "voix"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            "node_modules",
            ".git",
            "tests",
            "bench",
            "*.mo",
            "__pycache__",
            "media",
            "staticfiles",
            "*.sqlite3",
        ),
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {m.id for m in _catalog(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po") if m.id}
    committed = {m.id for m in _catalog(PO) if m.id}
    assert sorted(map(str, fresh - committed)) == []
