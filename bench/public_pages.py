"""Public brand pages and the brand review API under load, with 1,000,000 published reviews.

Usage (from the repository root; about 6 minutes on 2 cores, of which 2 to 3 fill the store):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_bench_pages \\
        .venv/bin/python bench/public_pages.py [--keep] [--reuse] [--duration 15]

What it does:
1. Drops and recreates the database `voix_bench_pages` (any other name is refused), migrates
   it, and fills it with PostgreSQL COPY: 10,000 brands (Zipf-like popularity), their places,
   200,000 accounts, 1,000,000 published reviews plus about 6 % that were rejected, withdrawn
   or removed (so that the status filter has something to skip and "received" counts differ
   from "published"), texts from bench/review_corpus.py. Public pages read `reviews_review`,
   `reviews_ratingbucket`, `brands_brand`, `brands_place` and `accounts_user` only, so no
   `Submission`, `Decision` or audit rows are written. `RatingBucket` is computed with SQL from
   the reviews, then checked against the application's own recount
   (`reviews.ratings.compare_buckets`, as `recompute_ratings --check` does). Secondary indexes
   are rebuilt after the load, then VACUUM ANALYZE and CHECKPOINT.
2. Starts gunicorn on 127.0.0.1 (2 sync workers, config.settings.local with DJANGO_DEBUG=0,
   no Redis) on that database.
3. Runs `wrk` (one thread, 4 connections, fixed duration, after a short warm-up run that is not
   counted) on each URL in turn: the baseline `/health/` first and last, brand pages, API
   pages. Only 127.0.0.1 is ever contacted.
4. Counts the SQL queries of each URL in this process (django.test.Client and
   CaptureQueriesContext on the same database), times each query, and prints
   `EXPLAIN (ANALYZE, BUFFERS)` of the slowest ones.
5. Writes "## Public pages under load" into docs/benchmarks.md, drops the database unless
   --keep.
"""

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
DB_NAME = "voix_bench_pages"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402
import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from common import default_unwritten_columns, drop_database, recreate_database  # noqa: E402
from common import machine as common_machine  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from review_corpus import CITIES, make_review  # noqa: E402

UTC = dt.UTC
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Public pages under load"
HISTORY_DAYS = 730
RATINGS = ([1, 2, 3, 4, 5], [20, 7, 8, 20, 45])
CHANNELS = ["website"] * 5 + ["in_store"] * 3 + ["app"] * 2 + ["delivery", "phone", "other"]
OTHER_STATUSES = ["rejected"] * 8 + ["withdrawn"] * 2 + ["removed"]
OTHER_SHARE = 0.06  # reviews not (or no longer) published, on top of the published ones
CHUNK = 10_000
BRAND_COLS = "id, name, slug, domain, domain_verified_at, description, created_at"
PLACE_COLS = "id, brand_id, name, slug, kind, city, address, postal_code"
USER_COLS = (
    "id, password, last_login, is_superuser, is_staff, is_active, date_joined, email, "
    "pseudonym, role, email_verified_at, language, moderation_languages, is_imported"
)
REVIEW_COLS = (
    "id, author_id, brand_id, place_id, channel, rating, title, text, language, "
    "experience_date, experience_attested_at, recommend_score, incentive_received, "
    "incentive_description, verification, network_hash, device_hash, external_id, "
    "status, submitted_at, published_at, decided_at, withdrawn_at, decision_id, "
    "decided_by_moderator, rule_code, labelled_incentivised, notified_decision_id, "
    "helpful_count, updated_at"
)


# --- setup ----------------------------------------------------------------------------------------


def database_url() -> tuple[str, str]:
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if name != DB_NAME:
        sys.exit(f"Refusing database {name!r}: this benchmark drops and fills {DB_NAME} only")
    return url, name


def machine() -> dict[str, str]:
    """The shared facts, plus the versions of the load generator and the server."""
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    gunicorn = subprocess.run(
        [str(REPO / ".venv/bin/gunicorn"), "--version"], capture_output=True, text=True
    )
    return {
        **common_machine(),
        "wrk": (wrk.stdout + wrk.stderr).split()[1] if wrk.stdout + wrk.stderr else "?",
        "gunicorn": (gunicorn.stdout + gunicorn.stderr).strip().split()[-1].strip("()"),
    }


# --- the world ------------------------------------------------------------------------------------


class World:
    """Brands, places and authors, built once in the parent and inherited by the forked workers."""

    def __init__(self, *, seed: int, brands: int, authors: int, end: dt.datetime) -> None:
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.end = end.timestamp()
        self.start = (end - dt.timedelta(days=HISTORY_DAYS)).timestamp()
        self.brands = brands
        # Popularity: Zipf-like, s = 0.9: over 10,000 brands the biggest gets about 6 % of the
        # reviews (tens of thousands), the 100th about 0.1 %, the median brand a few dozen.
        weights = 1.0 / np.arange(1, brands + 1) ** 0.9
        self.brand_cdf = np.cumsum(weights / weights.sum())
        # Places: the 300 biggest brands are chains with 5 to 60 places; 1 brand in 10 of the
        # others has 1 to 3. Reviews of a brand with places name one 60 % of the time.
        self.places: dict[int, list[int]] = {}
        self.place_rows: list[tuple[int, int, str, str, str]] = []
        pid = 0
        for b in range(1, brands + 1):
            if b <= 300:
                n = int(rng.integers(5, 61))
            elif rng.random() < 0.1:
                n = int(rng.integers(1, 4))
            else:
                continue
            ids = []
            for k in range(n):
                pid += 1
                city = CITIES[int(rng.integers(0, len(CITIES)))]
                self.place_rows.append(
                    (pid, b, f"Magasin {city} {k + 1}", slugify(f"{city}-{k + 1}"), city)
                )
                ids.append(pid)
            self.places[b] = ids
        self.authors = authors
        # Author activity: heavy-tailed (a few accounts write hundreds of reviews).
        activity = rng.pareto(1.8, authors) + 0.3
        self.author_cdf = np.cumsum(activity / activity.sum())
        self.author_joined = rng.uniform(self.start - 365 * 86400, self.end - 86400, authors)
        self.author_fr = rng.random(authors) < 0.75

    def pick_brand(self, rng: random.Random) -> int:
        return int(np.searchsorted(self.brand_cdf, rng.random())) + 1

    def pick_author(self, rng: random.Random) -> int:
        return int(np.searchsorted(self.author_cdf, rng.random()))  # an index; id is index + 1


WORLD: World | None = None


def esc(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def ts(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, UTC).isoformat()


def generate_chunk(job: dict) -> tuple[bytes, int]:
    """COPY text of `job["count"]` reviews whose ids follow their submission time."""
    world = WORLD
    assert world is not None
    rng = random.Random(world.seed * 1_000_003 + job["chunk"])
    statuses = ["published"] * job["published"] + [
        rng.choice(OTHER_STATUSES) for _ in range(job["count"] - job["published"])
    ]
    rng.shuffle(statuses)
    moments = sorted(rng.uniform(job["t0"], job["t1"]) for _ in range(job["count"]))
    rows = []
    for i, (status, at) in enumerate(zip(statuses, moments, strict=True)):
        rid = job["first_id"] + i
        author = world.pick_author(rng)
        brand_id = world.pick_brand(rng)
        places = world.places.get(brand_id)
        place = str(rng.choice(places)) if places and rng.random() < 0.6 else "\\N"
        rating = rng.choices(*RATINGS)[0]
        lang = "fr" if world.author_fr[author] else "en"
        title, text, _kind = make_review(rng, rating=rating, lang=lang)
        at = max(at, float(world.author_joined[author]) + 3600)
        decided = at + rng.uniform(5, 3 * 3600)
        published = status in ("published", "withdrawn", "removed")
        withdrawn = decided + rng.uniform(3600, 90 * 86400) if status == "withdrawn" else None
        incentive = rng.random() < 0.02
        verification = "self_declared" if rng.random() < 0.8 else "invitation"
        experience = dt.datetime.fromtimestamp(at - rng.uniform(0, 60) * 86400, UTC).date()
        helpful = rng.choices([0, 1, 2, 3, 5, 8, 20], [60, 15, 8, 6, 5, 4, 2])[0]
        rows.append(
            "\t".join(
                (
                    str(rid),
                    str(author + 1),
                    str(brand_id),
                    place,
                    rng.choice(CHANNELS),
                    str(rating),
                    esc(title[:120]),
                    esc(text),
                    lang,
                    experience.isoformat(),
                    ts(at),
                    str(rng.randint(0, 10)) if rng.random() < 0.5 else "\\N",
                    "t" if incentive else "f",
                    "un bon d'achat de 10 €" if incentive else "",
                    verification,
                    "",
                    "",
                    "\\N",
                    status,
                    ts(at),
                    ts(decided) if published else "\\N",
                    ts(decided),
                    ts(withdrawn) if withdrawn else "\\N",
                    str(rid),
                    "f",
                    "" if published else "insult",
                    "f",
                    str(rid),
                    str(helpful if published else 0),
                    ts(withdrawn or decided),
                )
            )
        )
    return ("\n".join(rows) + "\n").encode(), job["count"]


def fill(url: str, world: World, published: int, workers: int, log) -> dict:
    started = time.perf_counter()
    conn = psycopg.connect(url)
    default_unwritten_columns(
        conn,
        {
            "brands_brand": set(BRAND_COLS.split(", ")),
            "brands_place": set(PLACE_COLS.split(", ")),
            "accounts_user": set(USER_COLS.split(", ")),
            "reviews_review": set(REVIEW_COLS.split(", ")),
        },
    )
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cur.execute("SET synchronous_commit = off")
        created = ts(world.start - 400 * 86400)
        with cur.copy(f"COPY brands_brand ({BRAND_COLS}) FROM STDIN") as copy:
            for b in range(1, world.brands + 1):
                copy.write_row(
                    (b, f"Marque {b}", f"marque-{b}", f"marque{b}.fr", None, "", created)
                )
        with cur.copy(f"COPY brands_place ({PLACE_COLS}) FROM STDIN") as copy:
            for pid, b, name, slug, city in world.place_rows:
                copy.write_row((pid, b, name, slug, "shop", city, "1 rue du Commerce", ""))
        with cur.copy(f"COPY accounts_user ({USER_COLS}) FROM STDIN") as copy:
            for i in range(world.authors):
                joined = ts(float(world.author_joined[i]))
                copy.write_row(
                    (
                        i + 1,
                        "!bench",
                        None,
                        False,
                        False,
                        True,
                        joined,
                        f"membre{i + 1}@example.org",
                        f"membre{i + 1}",
                        "customer",
                        joined,
                        "fr" if world.author_fr[i] else "en",
                        "[]",
                        False,
                    )
                )
        # Secondary indexes of the review table: dropped while loading, rebuilt from their
        # own definitions afterwards.
        cur.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                      c.conname, pg_get_constraintdef(c.oid)
               FROM pg_index i LEFT JOIN pg_constraint c
                 ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype = 'u'
               WHERE i.indrelid = 'reviews_review'::regclass AND NOT i.indisprimary"""
        )
        indexes = []
        for index, indexdef, conname, condef in cur.fetchall():
            if conname:
                cur.execute(f'ALTER TABLE reviews_review DROP CONSTRAINT "{conname}"')
                indexes.append(f'ALTER TABLE reviews_review ADD CONSTRAINT "{conname}" {condef}')
            else:
                cur.execute(f"DROP INDEX {index}")
                indexes.append(indexdef)
    conn.commit()
    log(f"  {world.brands:,} brands, {len(world.place_rows):,} places, {world.authors:,} accounts")

    total = round(published / (1 - OTHER_SHARE))
    jobs, offset, made_published = [], 0, 0
    span = world.end - world.start
    while offset < total:
        count = min(CHUNK, total - offset)
        pub = round(published * (offset + count) / total) - made_published
        made_published += pub
        jobs.append(
            {
                "chunk": offset,
                "first_id": offset + 1,
                "count": count,
                "published": pub,
                "t0": world.start + span * offset / total,
                "t1": world.start + span * (offset + count) / total,
            }
        )
        offset += count
    done = 0
    with mp.get_context("fork").Pool(workers) as pool, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        for blob, count in pool.imap(generate_chunk, jobs):
            with cur.copy(f"COPY reviews_review ({REVIEW_COLS}) FROM STDIN") as copy:
                copy.write(blob)
            conn.commit()
            done += count
            if done % 200_000 < CHUNK:
                log(f"    {done:>9,} reviews ({time.perf_counter() - started:.0f} s)")
    loaded = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for create in indexes:
            cur.execute(create)
        cur.execute("SET session_replication_role = origin")
        for table in ("brands_brand", "brands_place", "accounts_user", "reviews_review"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        # The counters, as reviews.ratings keeps them: published by month of publication
        # (still published only), received by month of submission, months in Europe/Paris.
        cur.execute(
            """INSERT INTO reviews_ratingbucket
                 (brand_id, place_id, channel, month, rating, published, received)
               SELECT brand_id, place_id, channel, month, rating, sum(p), sum(r) FROM (
                 SELECT brand_id, place_id, channel, rating, 1 AS p, 0 AS r,
                   date_trunc('month', published_at AT TIME ZONE 'Europe/Paris')::date AS month
                 FROM reviews_review WHERE status = 'published'
                 UNION ALL
                 SELECT brand_id, place_id, channel, rating, 0, 1,
                   date_trunc('month', submitted_at AT TIME ZONE 'Europe/Paris')::date
                 FROM reviews_review) AS counted
               GROUP BY brand_id, place_id, channel, month, rating"""
        )
        buckets = cur.rowcount
    conn.commit()
    indexed = time.perf_counter()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cur.fetchone()[0]
        cur.execute("SELECT status, count(*) FROM reviews_review GROUP BY status")
        statuses = dict(cur.fetchall())
    conn.close()
    finished = time.perf_counter()
    log(
        f"  load {loaded - started:.0f} s, indexes + counters {indexed - loaded:.0f} s, "
        f"vacuum {finished - indexed:.0f} s; {buckets:,} rating buckets; database {size}"
    )
    return {"seconds": finished - started, "buckets": buckets, "size": size, "statuses": statuses}


# --- measuring ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, log_path: Path, page_cache: str) -> subprocess.Popen:
    """Gunicorn on the benchmark's database. `page_cache`: "redis", the cache of a production
    deployment (a Redis database of its own, emptied first, shared by the workers; the baseline
    /health/ stays the same, since without REDIS_URL it checks no broker), or "off"
    (PUBLIC_PAGE_CACHE_SECONDS=0: every page rendered for every request)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
    }
    env.pop("REDIS_URL", None)
    if page_cache == "redis":
        # The cache only: with REDIS_URL, /health/ would also ask for Celery workers.
        env["VOIX_CACHE_URL"] = BENCH_REDIS_URL
        subprocess.run(
            ["redis-cli", "-u", BENCH_REDIS_URL, "flushdb"], check=True, capture_output=True
        )
    else:
        env["VOIX_PUBLIC_PAGE_CACHE_SECONDS"] = "0"
    process = subprocess.Popen(
        [
            str(REPO / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn did not answer on 127.0.0.1:{port}; see {log_path}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


BENCH_REDIS_URL = "redis://127.0.0.1:6379/7"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def run_wrk(url: str, duration: int, connections: int, timeout: int = 5) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "--latency",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pcts = {m[0]: to_ms(m[1]) for m in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    # gunicorn's sync workers close each connection after the response; wrk counts the
    # resulting read errors on reconnect as "read" errors, which are not failed requests.
    if socket_errors:
        connect, _read, write, timed_out = (int(g) for g in socket_errors.groups())
        errors += connect + write + timed_out
    return {
        "requests": requests,
        "rps": rps,
        "p50": pcts.get("50"),
        "p99": pcts.get("99"),
        "errors": errors,
        "raw": out,
    }


def count_queries(path: str) -> dict:
    """Queries of one anonymous request, in this process, on the same database."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # warm caches (templates, translations) so the count is the steady one
    cache.clear()  # the page rendered: what a miss of the page cache costs
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    with CaptureQueriesContext(connection) as hit:  # then read from the page cache
        hit_started = time.perf_counter()
        client.get(path)
        hit_elapsed = time.perf_counter() - hit_started
    queries = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
    return {
        "status": response.status_code,
        "count": len(queries),
        "queries": queries,
        "sql_ms": 1e3 * sum(t for t, _ in queries),
        "inprocess_ms": 1e3 * elapsed,
        "hit_count": len(hit.captured_queries),
        "hit_ms": 1e3 * hit_elapsed,
        "bytes": len(response.content),
    }


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def pick_brands() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT b.slug, count(r.id) FROM brands_brand b
               LEFT JOIN reviews_review r ON r.brand_id = b.id AND r.status = 'published'
               GROUP BY b.id ORDER BY count(r.id) DESC, b.id"""
        )
        rows = cursor.fetchall()
    counts = [n for _, n in rows]
    return {
        "big": rows[0],
        "median": rows[len(rows) // 2],
        "top10_share": sum(counts[:10]) / max(1, sum(counts)),
        "over_10k": sum(1 for n in counts if n >= 10_000),
        "under_100": sum(1 for n in counts if n < 100),
        "without": sum(1 for n in counts if n == 0),
        "p90": counts[len(counts) // 10],
    }


def targets(brands: dict, base: str) -> list[tuple[str, str]]:
    big, median = brands["big"][0], brands["median"][0]
    api = f"/api/v1/brands/{big}/reviews/"
    # A later cursor page: follow "next" four times from the first page.
    url = base + api
    for _ in range(4):
        with urllib.request.urlopen(url, timeout=10) as response:
            import json

            url = json.load(response)["next"]
    later = url.removeprefix(base)
    return [
        ("brand page, biggest brand", f"/marques/{big}/"),
        ("brand page, median brand", f"/marques/{median}/"),
        ("brand page, biggest brand, sort=highest", f"/marques/{big}/?sort=highest"),
        ("brand page, biggest brand, sort=helpful", f"/marques/{big}/?sort=helpful"),
        (
            "brand page, biggest brand, rating=2 & channel=app",
            f"/marques/{big}/?rating=2&channel=app",
        ),
        ("brand page, biggest brand, page 50", f"/marques/{big}/?page=50"),
        ("API, biggest brand, first page", api),
        ("API, biggest brand, 5th cursor page", later),
        ("API, biggest brand, sort=lowest", api + "?sort=lowest"),
        ("API, median brand, first page", f"/api/v1/brands/{median}/reviews/"),
    ]


def pct_str(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def report(rows: list[dict], baselines: list[dict], info: dict, fill_info: dict, brands, args):
    base_rps = statistics.mean(b["rps"] for b in baselines)
    lines = [
        SECTION,
        "",
        f"Measured {info['date']} by `bench/public_pages.py --duration {args.duration} "
        f"--connections {args.connections}` (whole run {info['minutes']:.1f} min).",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, PostgreSQL "
        f"{info['postgres']}, gunicorn {info['gunicorn']} (2 sync workers) and wrk {info['wrk']} "
        f"all on the same machine; Python {info['python']}, Django {info['django']}.",
        "",
        "Requirement (issue 5): with 1,000,000 published reviews across 10,000 brands, a brand "
        "page and the review list API answer at the 99th percentile under 50 ms, with a "
        "constant number of queries per page, and sustain at least half the requests per "
        "second of a trivial Django view measured in the same run.",
        "",
        f"Store: {fill_info['statuses'].get('published', 0):,} published reviews (+ "
        f"{sum(v for k, v in fill_info['statuses'].items() if k != 'published'):,} rejected, "
        f"withdrawn or removed), {args.brands:,} brands, {args.authors:,} accounts, "
        f"{fill_info['buckets']:,} rating buckets, database {fill_info['size']}. Biggest brand "
        f"`{brands['big'][0]}`: {brands['big'][1]:,} published reviews; median brand "
        f"`{brands['median'][0]}`: {brands['median'][1]:,}; {brands['over_10k']} brands with "
        f"10,000 or more, the 10 biggest hold {brands['top10_share']:.0%}, the 1,000th has "
        f"{brands['p90']:,}, {brands['under_100']:,} have fewer than 100.",
        "",
        f"Load: wrk, 1 thread, {args.connections} connections, {args.duration} s per URL after "
        f"a {args.warmup} s warm-up that is not counted, one URL at a time, anonymous. Baseline: "
        "`/health/`, the cheapest Django view the application has (middleware, one `SELECT 1`, "
        "a small JSON answer; nothing was added to the application for the benchmark), "
        f"measured first and last: {baselines[0]['rps']:.0f} and {baselines[-1]['rps']:.0f} "
        f"requests/s, mean {base_rps:.0f}.",
        "",
        (
            "Page cache: Redis, as deployed (`brands.page_cache`: anonymous visitors share a "
            "page until the brand changes; a fresh Redis database, so each URL's first request "
            "is rendered and the warm-up fills the cache). The SQL and in-process columns are a "
            "page rendered (a miss, measured in this process after clearing its cache); the "
            "next column the same request read from the cache."
            if args.page_cache == "redis"
            else "Page cache: off (`VOIX_PUBLIC_PAGE_CACHE_SECONDS=0`): every request renders "
            "its page."
        ),
        "",
        "| URL | requests/s | p50 ms | p99 ms | errors | rps / baseline | SQL queries "
        "| one request in process: total ms (SQL ms) | from the page cache: queries, ms "
        "| load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for b in baselines:
        lines.append(
            f"| `/health/` ({b['label']}) | {b['rps']:.0f} | {pct_str(b['p50'])} | "
            f"{pct_str(b['p99'])} | {b['errors']} | {b['rps'] / base_rps:.2f} | "
            f"{b['queries']['count']} | {b['queries']['inprocess_ms']:.1f} "
            f"({b['queries']['sql_ms']:.1f}) | — | "
            f"{b['load'][0]:.1f}, {b['load'][1]:.1f} |"
        )
    for r in rows:
        lines.append(
            f"| {r['label']}: `{r['path'] if len(r['path']) < 60 else r['path'][:57] + '...'}` "
            f"| {r['rps']:.0f} | {pct_str(r['p50'])} | {pct_str(r['p99'])} | {r['errors']} | "
            f"{r['rps'] / base_rps:.2f} | {r['queries']['count']} | "
            f"{r['queries']['inprocess_ms']:.1f} ({r['queries']['sql_ms']:.1f}) | "
            f"{r['queries']['hit_count']}, {r['queries']['hit_ms']:.1f} | "
            f"{r['load'][0]:.1f}, {r['load'][1]:.1f} |"
        )
    worst_p99 = max(r["p99"] for r in rows)
    worst_ratio = min(r["rps"] / base_rps for r in rows)
    met_p99 = worst_p99 < 50
    met_ratio = worst_ratio >= 0.5
    lines += [
        "",
        f"Verdict: worst p99 {worst_p99:.1f} ms ({'under' if met_p99 else '**not** under'} "
        f"50 ms); lowest ratio to the baseline {worst_ratio:.2f} "
        f"({'at least' if met_ratio else '**below**'} 0.5). Queries per request are the same "
        "for the biggest and the median brand (pinned in tests/reviews/test_public_pages.py and "
        "test_brand_api.py).",
        "",
        (
            f"Filling (COPY, indexes rebuilt, rating counters by SQL, checked against "
            f"`reviews.ratings.compare_buckets`: {info['bucket_check']}, VACUUM ANALYZE): "
            f"{fill_info['seconds']:.0f} s."
            if not args.reuse
            else "Filling: not part of this run (`--reuse` of a database kept by a full run)."
        ),
        "",
    ]
    return "\n".join(lines), met_p99 and met_ratio


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    global WORLD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000, help="published reviews")
    parser.add_argument("--brands", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per URL")
    parser.add_argument("--warmup", type=int, default=2, help="seconds not counted, per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="processes generating rows")
    parser.add_argument("--seed", type=int, default=20260105)
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--explain", type=int, default=3, help="slowest queries to EXPLAIN")
    parser.add_argument(
        "--page-cache",
        choices=["redis", "off"],
        default="redis",
        help="the pages' cache: Redis as in production, or off (rendered every time)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)

    url, name = database_url()
    if args.reuse:
        django.setup()
        fill_info = {"seconds": 0.0, "buckets": 0, "size": "?", "statuses": {}}
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM reviews_ratingbucket")
            fill_info["buckets"] = cur.fetchone()[0]
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            fill_info["size"] = cur.fetchone()[0]
            cur.execute("SELECT status, count(*) FROM reviews_review GROUP BY status")
            fill_info["statuses"] = dict(cur.fetchall())
        bucket_check = "not checked (--reuse)"
    else:
        log(f"recreating database {name}")
        recreate_database(url, name)
        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        connections.close_all()
        end = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=1)
        WORLD = World(seed=args.seed, brands=args.brands, authors=args.authors, end=end)
        log("filling")
        fill_info = fill(url, WORLD, args.reviews, args.workers, log)
        from reviews.ratings import compare_buckets

        checked = time.perf_counter()
        differences, compared = compare_buckets()
        bucket_check = (
            f"{compared:,} buckets, {len(differences)} differences "
            f"({time.perf_counter() - checked:.0f} s)"
        )
        log(f"rating counters against the application's recount: {bucket_check}")
        if differences:
            sys.exit("the rating counters differ from a recount: " + differences[0].describe())
    info = machine()
    info["date"] = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info["bucket_check"] = bucket_check
    brands = pick_brands()
    log(f"biggest brand {brands['big']}, median brand {brands['median']}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn_log = Path(f"/tmp/voix_bench_pages_gunicorn_{port}.log")
    server = start_gunicorn(port, args.gunicorn_workers, gunicorn_log, args.page_cache)
    log(f"gunicorn pid {server.pid} on {base}, log {gunicorn_log}")
    rows, baselines = [], []
    try:
        pages = targets(brands, base)

        def measure(label: str, path: str) -> dict:
            run_wrk(base + path, args.warmup, args.connections)
            load_before = os.getloadavg()[0]
            result = run_wrk(base + path, args.duration, args.connections)
            result.update(
                label=label,
                path=path,
                queries=count_queries(path),
                load=(load_before, os.getloadavg()[0]),
            )
            log(
                f"  {label}: {result['rps']:.0f} req/s, p50 {pct_str(result['p50'])} ms, "
                f"p99 {pct_str(result['p99'])} ms, errors {result['errors']}, "
                f"{result['queries']['count']} queries ({result['queries']['sql_ms']:.1f} ms SQL, "
                f"{result['queries']['inprocess_ms']:.1f} ms in process, "
                f"HTTP {result['queries']['status']}, {result['queries']['bytes']:,} bytes), "
                f"load {result['load'][0]:.1f}-{result['load'][1]:.1f}"
            )
            return result

        baselines.append(measure("first", "/health/"))
        for label, path in pages:
            rows.append(measure(label, path))
        baselines.append(measure("last", "/health/"))
    finally:
        stop_gunicorn(server)
    info["minutes"] = (time.perf_counter() - started) / 60
    section, met = report(rows, baselines, info, fill_info, brands, args)
    print()
    print(section)
    slowest = sorted(
        ((t, sql, r["label"]) for r in rows for t, sql in r["queries"]["queries"]),
        key=lambda item: -item[0],
    )
    seen: set[str] = set()
    shown = 0
    for t, sql, label in slowest:
        shape = re.sub(r"\d+", "N", sql)[:300]
        if shape in seen or not sql.lstrip().upper().startswith("SELECT"):
            continue
        seen.add(shape)
        print(f"\n-- {label}: {t * 1e3:.1f} ms\n{sql}\n{explain(sql)}")
        shown += 1
        if shown >= args.explain:
            break
    counts = Counter(r["queries"]["count"] for r in rows if r["label"].startswith("brand page"))
    log(f"queries per brand page: {dict(counts)}")
    if not args.no_docs:
        write_docs(section)
        log(f"written {DOCS.relative_to(REPO)}")
    if args.keep or args.reuse:
        log(f"kept database {name}")
    else:
        drop_database(url, name)
        log(f"dropped database {name}")
    log("requirement met" if met else "requirement NOT met")


if __name__ == "__main__":
    main()
