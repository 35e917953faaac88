"""What the benchmarks share: their own database (created, dropped) and the machine's facts."""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg


def admin_conninfo(url: str) -> str:
    return urlparse(url)._replace(path="/postgres").geturl()


def recreate_database(url: str, name: str) -> None:
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def default_unwritten_columns(conn: psycopg.Connection, written: dict[str, set[str]]) -> None:
    """Give every NOT NULL column of these tables that a COPY does not write (a field added to a
    model since the benchmark was written) its model's default as a database default, so the
    fill keeps working. `written`: table -> the columns the COPY names. Needs Django set up."""
    from django.apps import apps
    from django.db import connection as django_connection
    from psycopg import sql

    models = {model._meta.db_table: model for model in apps.get_models()}
    with conn.cursor() as cur:
        for table, columns in written.items():
            for field in models[table]._meta.concrete_fields:
                # Django's default: the field's own, or "" for a text field without one.
                default = field.get_default()
                if field.column in columns or field.null or default is None:
                    continue
                value = field.get_db_prep_save(default, django_connection)
                cur.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                        sql.Identifier(table), sql.Identifier(field.column), sql.Literal(value)
                    )
                )
    conn.commit()


def machine() -> dict[str, str]:
    """CPU, memory, PostgreSQL, Python and Django versions, for the figures' heading."""
    import django
    from django.db import connection

    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    kib = int(memory.group(1)) if memory else 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "postgres": f"{pg} (shared_buffers {buffers})",
        "python": sys.version.split()[0],
        "django": django.get_version(),
    }
