"""Moderation pipeline throughput on one process, as the store grows (10k, 100k, 1M reviews).

Usage (from the repository root; takes 6 to 8 minutes for the three sizes on 2 cores):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_bench \\
        .venv/bin/python bench/pipeline_throughput.py --sizes 10000 100000 1000000 [--keep]

What it does:
1. Drops and recreates the dedicated database named in DATABASE_URL (it must be called
   voix_bench...; voix and test_voix are refused) and migrates it.
2. Fills the store up to each size with PostgreSQL COPY: brands, accounts, and for every stored
   review a `reviews.Review`, its `moderation.Submission` (state "decided", with its real
   MinHash signature), its `TextBand` rows, its pipeline `Decision` and its three audit events.
   Texts come from bench/review_corpus.py (seeded). Secondary indexes are dropped during the
   fill and rebuilt after it, then VACUUM ANALYZE and CHECKPOINT.
3. At each size, submits a fresh batch of reviews through `reviews.services.submit_review`
   (imported=True, dated just after the stored history, one per author, on a brand the author
   never reviewed) and then runs `moderation.services.moderate_submission` on each, one after
   the other in this process, as one worker process does. Both are timed per review.
4. Baseline in the same run: the content checks alone (`CONTENT_CHECKS`, no database) on the
   same texts, timed before and after the pipeline. Queries per moderated review are counted on
   an extra instrumented batch, with the time spent in SQL.
5. Prints a Markdown table and writes it, with the machine and the date, into
   docs/benchmarks.md under "Moderation pipeline throughput".

Tasks are not run inline: Celery is put on its in-memory broker (not eager), so `submit_review`
pays for enqueueing the moderation task, as in production, and nothing else.

With `--worker`, each size also measures the deployed shape end to end: one real Celery worker
process started with the Procfile's moderation command (thread pool), consuming the batch's
`moderate_submission_task` messages from Redis (`--redis-url`, a database number of its own,
flushed), Celery's own per-task costs included.
"""

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voix_bench")
# Enqueue on Celery's in-memory broker instead of running tasks eagerly on commit.
os.environ["VOIX_CELERY_EAGER"] = "false"
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402
import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from common import (  # noqa: E402
    default_unwritten_columns,
    drop_database,
    machine,
    recreate_database,
)
from review_corpus import make_review, near_duplicate  # noqa: E402

UTC = dt.UTC
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Moderation pipeline throughput"
NUM_NETWORKS = 40_000  # home networks (/24); a few accounts share one (households, offices)
NUM_MOBILE = 300  # carrier-grade NAT networks, shared by many
NUM_USER_AGENTS = 3_000
HISTORY_DAYS = 730
LANG_FR = 0.75
RATINGS = ([1, 2, 3, 4, 5], [20, 7, 8, 20, 45])
CHUNK = 10_000
BIG_TABLES = (
    "reviews_review",
    "moderation_submission",
    "moderation_textband",
    "moderation_decision",
    "audit_auditevent",
)
EMAIL_DOMAINS = (
    ["gmail.com"] * 40
    + ["orange.fr"] * 12
    + ["free.fr"] * 8
    + ["hotmail.fr"] * 8
    + ["yahoo.fr"] * 5
    + ["sfr.fr"] * 5
    + ["outlook.com"] * 6
    + ["laposte.net"] * 4
    + ["icloud.com"] * 5
    + ["wanadoo.fr"] * 3
    + ["hotmail.co.uk"] * 4
)


# --- setup ----------------------------------------------------------------------------------------


def database_url() -> tuple[str, str]:
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if name in ("voix", "test_voix") or not name.startswith("voix_bench"):
        sys.exit(f"Refusing database {name!r}: use a dedicated one named voix_bench")
    return url, name


# --- the world: brands, accounts, networks, devices -----------------------------------------------


class World:
    """Everything the fill workers need, built once in the parent and inherited by fork."""

    def __init__(self, *, seed: int, brands: int, authors: int, end: dt.datetime) -> None:
        from reviews.fingerprints import device_hash, network_hash

        rng = np.random.default_rng(seed)
        self.seed = seed
        self.end = end.timestamp()
        self.start = (end - dt.timedelta(days=HISTORY_DAYS)).timestamp()
        self.brand_ids = np.arange(1, brands + 1)
        # Brand popularity: Zipf-like (s = 0.7): the biggest brand gets about 3 % of reviews.
        weights = 1.0 / np.arange(1, brands + 1) ** 0.7
        self.brand_cdf = np.cumsum(weights / weights.sum())
        self.brand_domains = [self._brand_domain(b) for b in range(1, brands + 1)]
        self.author_ids = np.arange(1, authors + 1)
        # Author activity: heavy-tailed (a few accounts write many reviews).
        activity = rng.pareto(1.5, authors) + 0.2
        self.author_cdf = np.cumsum(activity / activity.sum())
        self.author_joined = rng.uniform(self.start - 365 * 86400, self.end - 86400, authors)
        self.author_home_net = rng.integers(0, NUM_NETWORKS, authors)
        ua_weights = 1.0 / np.arange(1, NUM_USER_AGENTS + 1) ** 1.1
        self.ua_cdf = np.cumsum(ua_weights / ua_weights.sum())
        self.author_ua = np.searchsorted(self.ua_cdf, rng.random(authors))
        mobile_weights = 1.0 / np.arange(1, NUM_MOBILE + 1)
        self.mobile_cdf = np.cumsum(mobile_weights / mobile_weights.sum())
        self.author_lang_fr = rng.random(authors) < LANG_FR
        staff = rng.random(authors) < 0.002  # a few accounts on a brand's own domain
        self.author_domain = [
            (self.brand_domains[int(rng.integers(0, brands))] or "gmail.com")
            if staff[i]
            else EMAIL_DOMAINS[int(rng.integers(0, len(EMAIL_DOMAINS)))]
            for i in range(authors)
        ]
        self.network_hashes = [
            network_hash(self.ip(n, 1)) for n in range(NUM_NETWORKS + NUM_MOBILE)
        ]
        self.user_agents = [self.user_agent(u) for u in range(NUM_USER_AGENTS)]
        self.device_hashes = [device_hash(ua) for ua in self.user_agents]

    @staticmethod
    def _brand_domain(b: int) -> str:
        if b % 10 == 0:
            return ""
        return f"marque{b}.fr" if b % 3 else f"shop-{b}.com"

    @staticmethod
    def ip(network: int, host: int) -> str:
        return f"{81 + network // 65536}.{(network // 256) % 256}.{network % 256}.{host}"

    @staticmethod
    def user_agent(u: int) -> str:
        family = u % 4
        if family == 0:
            return (
                f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{u % 7} like Mac OS X) "
                f"AppleWebKit/605.1.15 "
                f"(KHTML, like Gecko) Version/17.{u % 7} Mobile/15E{u} Safari/604.1"
            )
        if family == 1:
            return (
                f"Mozilla/5.0 (Linux; Android 14; SM-S9{u % 100}B) AppleWebKit/537.36 "
                f"(KHTML, like Gecko) Chrome/12{u % 10}.0.{u}.0 Mobile Safari/537.36"
            )
        if family == 2:
            return (
                f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                f"Gecko) Chrome/12{u % 10}.0.{u}.{u % 200} Safari/537.36"
            )
        return (
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{u % 8}) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/17.{u % 5} Safari/605.1.15 ({u})"
        )

    def pick_brand(self, rng: random.Random) -> int:
        return int(self.brand_ids[np.searchsorted(self.brand_cdf, rng.random())])

    def pick_author(self, rng: random.Random) -> int:
        return int(np.searchsorted(self.author_cdf, rng.random()))  # an index

    def network_of(self, rng: random.Random, author: int) -> int:
        roll = rng.random()
        if roll < 0.75:
            return int(self.author_home_net[author])
        if roll < 0.95:
            return NUM_NETWORKS + int(np.searchsorted(self.mobile_cdf, rng.random()))
        return rng.randrange(NUM_NETWORKS)

    def device_of(self, rng: random.Random, author: int) -> int:
        if rng.random() < 0.85:
            return int(self.author_ua[author])
        return int(np.searchsorted(self.ua_cdf, rng.random()))


WORLD: World | None = None  # set in the parent before the worker pool forks


# --- COPY text format -----------------------------------------------------------------------------


def esc(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def ts(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, UTC).isoformat()


def audit_hash(event_id: int) -> str:
    """Placeholder hashes: unique, chained by id (prev_hash of n is hash of n - 1)."""
    return hashlib.sha256(b"voix-bench-audit-%d" % event_id).hexdigest()


REVIEW_COLS = (
    "id, author_id, brand_id, place_id, channel, rating, title, text, language, "
    "experience_date, experience_attested_at, recommend_score, incentive_received, "
    "incentive_description, verification, network_hash, device_hash, external_id, "
    "status, submitted_at, published_at, decided_at, withdrawn_at, decision_id, "
    "decided_by_moderator, rule_code, labelled_incentivised, notified_decision_id, "
    "helpful_count, updated_at"
)
SUBMISSION_COLS = (
    "id, kind, object_id, author_id, brand_id, place_id, rating, language, title, "
    "text, incentive_disclosed, submitted_at, network_hash, device_hash, "
    "author_joined_at, author_email_domain, minhash, state, risk_score, "
    "received_at, enqueued_at, attempts, decided_at"
)
TEXTBAND_COLS = "submission_id, key"
DECISION_COLS = (
    "id, submission_id, outcome, rule_code, risk_score, explanation, "
    "ruleset_version, pipeline_version, decided_by_id, note, decided_at"
)
AUDIT_COLS = (
    "id, actor_id, action, object_type, object_id, from_status, to_status, rule_code, "
    "details, created_at, prev_hash, hash"
)
CHANNELS = ["website"] * 5 + ["in_store"] * 3 + ["app"] * 2 + ["delivery", "phone", "other"]


def generate_chunk(job: dict) -> dict:
    """Rows for `job["count"]` stored reviews, as COPY text blobs, plus a few statistics."""
    from moderation import similarity
    from moderation.pipeline import PIPELINE_VERSION
    from moderation.rules import RULESET_VERSION

    world = WORLD
    rng = random.Random(world.seed * 1_000_003 + job["chunk"])
    reviews, submissions, bands, decisions, audits = [], [], [], [], []
    recent: list[tuple[str, str, str, int]] = []  # (title, text, language, rating)
    kinds: Counter = Counter()
    band_rows = 0
    for i in range(job["count"]):
        rid, sid, did = job["review_id"] + i, job["submission_id"] + i, job["decision_id"] + i
        aid0 = job["audit_id"] + 3 * i
        author = world.pick_author(rng)
        author_id = int(world.author_ids[author])
        brand_id = world.pick_brand(rng)
        if recent and rng.random() < 0.01:
            title, text, lang, rating = recent[rng.randrange(len(recent))]
            text = near_duplicate(rng, text)
            kinds["near_duplicate"] += 1
        else:
            rating = rng.choices(*RATINGS)[0]
            lang = "fr" if world.author_lang_fr[author] else "en"
            title, text, kind = make_review(rng, rating=rating, lang=lang)
            kinds[kind] += 1
            recent.append((title, text, lang, rating))
            if len(recent) > 500:
                recent.pop(0)
        joined = float(world.author_joined[author])
        at = rng.uniform(max(world.start, joined + 3600), world.end)
        received = at + rng.uniform(0.05, 2)
        decided = received + rng.uniform(0.2, 30)
        net = world.network_hashes[world.network_of(rng, author)]
        dev = world.device_hashes[world.device_of(rng, author)]
        experience = dt.datetime.fromtimestamp(at - rng.uniform(0, 60) * 86400, UTC).date()
        outcome = "publish" if rng.random() < 0.93 else "reject"
        status = "published" if outcome == "publish" else "rejected"
        rule = (
            ""
            if outcome == "publish"
            else rng.choice(["insult", "advertising", "personal_data", "unintelligible"])
        )
        risk = round(rng.random() * (0.3 if outcome == "publish" else 1.0), 3)
        email_domain = world.author_domain[author]
        verification = "self_declared" if rng.random() < 0.8 else "invitation"
        recommend = str(rng.randint(0, 10)) if rng.random() < 0.5 else "\\N"
        reviews.append(
            "\t".join(
                (
                    str(rid),
                    str(author_id),
                    str(brand_id),
                    "\\N",
                    rng.choice(CHANNELS),
                    str(rating),
                    esc(title[:120]),
                    esc(text),
                    lang,
                    experience.isoformat(),
                    ts(at),
                    recommend,
                    "f",
                    "",
                    verification,
                    net,
                    dev,
                    "\\N",
                    status,
                    ts(at),
                    ts(decided) if outcome == "publish" else "\\N",
                    ts(decided),
                    "\\N",
                    str(did),
                    "f",
                    rule,
                    "f",
                    str(did),
                    str(rng.choice([0, 0, 0, 0, 1, 2, 5])),
                    ts(decided),
                )
            )
        )
        long_enough = len(similarity.words(text)) >= 8
        minhash = "\\N"
        if long_enough:
            signature = similarity.signature(f"{title} {text}")
            minhash = "\\\\x" + similarity.to_bytes(signature).hex()
            for key in similarity.band_keys(signature):
                bands.append(f"{sid}\t{key}")
            band_rows += similarity.BANDS
        submissions.append(
            "\t".join(
                (
                    str(sid),
                    "review",
                    str(rid),
                    str(author_id),
                    str(brand_id),
                    "\\N",
                    str(rating),
                    lang,
                    esc(title[:120]),
                    esc(text),
                    "f",
                    ts(at),
                    net,
                    dev,
                    ts(joined),
                    email_domain,
                    minhash,
                    "decided",
                    str(risk),
                    ts(received),
                    ts(received),
                    "1",
                    ts(decided),
                )
            )
        )
        explanation = [] if outcome == "publish" else [f"{rule} (1.00): found in the text"]
        decisions.append(
            "\t".join(
                (
                    str(did),
                    str(sid),
                    outcome,
                    rule,
                    str(risk),
                    esc(json.dumps(explanation)),
                    RULESET_VERSION,
                    PIPELINE_VERSION,
                    "\\N",
                    "",
                    ts(decided),
                )
            )
        )
        first_prev = job["first_prev"] if aid0 == job["first_audit_id"] else audit_hash(aid0 - 1)
        events = (
            (
                author_id,
                "review_submitted",
                "reviews.review",
                rid,
                "",
                "submitted",
                "",
                {
                    "brand_id": brand_id,
                    "place_id": None,
                    "rating": rating,
                    "language": lang,
                    "content_sha256": hashlib.sha256(
                        f"{rating}\n{title}\n{text}".encode()
                    ).hexdigest(),
                    "experience_date": experience.isoformat(),
                    "submitted_at": ts(at),
                    "imported": False,
                },
                received,
            ),
            (
                None,
                "moderation_decided",
                "moderation.submission",
                sid,
                "pending",
                "decided",
                rule,
                {
                    "decision_id": did,
                    "outcome": outcome,
                    "risk_score": risk,
                    "kind": "review",
                    "object_id": str(rid),
                    "ruleset_version": RULESET_VERSION,
                    "pipeline_version": PIPELINE_VERSION,
                    "decided_by": "pipeline",
                    "signals": [],
                },
                decided,
            ),
            (
                None,
                "review_status_changed",
                "reviews.review",
                rid,
                "submitted",
                status,
                rule,
                {
                    "decision_id": did,
                    "outcome": outcome,
                    "decided_by": "pipeline",
                    "ruleset_version": RULESET_VERSION,
                },
                decided,
            ),
        )
        for j, (actor, action, otype, oid, frm, to, code, details, when) in enumerate(events):
            eid = aid0 + j
            audits.append(
                "\t".join(
                    (
                        str(eid),
                        str(actor) if actor else "\\N",
                        action,
                        otype,
                        str(oid),
                        frm,
                        to,
                        code,
                        esc(json.dumps(details, separators=(",", ":"))),
                        ts(int(when)),
                        first_prev if j == 0 else audit_hash(eid - 1),
                        audit_hash(eid),
                    )
                )
            )
    join = "\n".join
    return {
        "reviews_review": (join(reviews) + "\n").encode(),
        "moderation_submission": (join(submissions) + "\n").encode(),
        "moderation_textband": (join(bands) + "\n").encode() if bands else b"",
        "moderation_decision": (join(decisions) + "\n").encode(),
        "audit_auditevent": (join(audits) + "\n").encode(),
        "kinds": kinds,
        "band_rows": band_rows,
        "count": job["count"],
    }


COLUMNS = {
    "reviews_review": REVIEW_COLS,
    "moderation_submission": SUBMISSION_COLS,
    "moderation_textband": TEXTBAND_COLS,
    "moderation_decision": DECISION_COLS,
    "audit_auditevent": AUDIT_COLS,
}


# --- filling --------------------------------------------------------------------------------------


def default_new_columns(conn: psycopg.Connection) -> None:
    """Defaults for the columns added to the models since these COPY statements were written."""
    written = {table: {c.strip() for c in cols.split(",")} for table, cols in COLUMNS.items()}
    written["brands_brand"] = set(BRAND_COLS.split(", "))
    written["accounts_user"] = set(USER_COLS.split(", "))
    default_unwritten_columns(conn, written)


BRAND_COLS = "id, name, slug, domain, domain_verified_at, description, created_at"
USER_COLS = (
    "id, password, last_login, is_superuser, is_staff, is_active, date_joined, email, "
    "pseudonym, role, email_verified_at, language, moderation_languages, is_imported"
)


def fill_world(conn: psycopg.Connection, world: World) -> None:
    """Brands and accounts, once."""
    default_new_columns(conn)
    with conn.cursor() as cur:
        created = ts(world.start - 400 * 86400)
        with cur.copy(f"COPY brands_brand ({BRAND_COLS}) FROM STDIN") as copy:
            for b, domain in zip(world.brand_ids, world.brand_domains, strict=True):
                copy.write_row(
                    (
                        int(b),
                        f"Marque {b}",
                        f"marque-{b}",
                        domain,
                        None,
                        f"Enseigne numéro {b}",
                        created,
                    )
                )
        with cur.copy(f"COPY accounts_user ({USER_COLS}) FROM STDIN") as copy:
            for i, uid in enumerate(world.author_ids):
                joined = ts(float(world.author_joined[i]))
                copy.write_row(
                    (
                        int(uid),
                        "!bench",
                        None,
                        False,
                        False,
                        True,
                        joined,
                        f"membre{uid}@{world.author_domain[i]}",
                        f"membre{uid}",
                        "customer",
                        joined,
                        "fr" if world.author_lang_fr[i] else "en",
                        "[]",
                        False,
                    )
                )
        for table in ("brands_brand", "accounts_user"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    conn.commit()


def secondary_indexes(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    """(table, drop statement, create statement) for every index but the primary keys."""
    out = []
    with conn.cursor() as cur:
        for table in BIG_TABLES:
            cur.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                       c.conname, pg_get_constraintdef(c.oid), c.contype
                FROM pg_index i
                LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                     AND c.contype IN ('p', 'u')
                WHERE i.indrelid = %s::regclass""",
                [table],
            )
            for index, indexdef, conname, condef, contype in cur.fetchall():
                if contype == "p":
                    continue
                if contype == "u":
                    out.append(
                        (
                            table,
                            f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"',
                            f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}',
                        )
                    )
                else:
                    out.append((table, f"DROP INDEX {index}", indexdef))
    return out


def next_ids(conn: psycopg.Connection) -> dict[str, int]:
    with conn.cursor() as cur:
        ids = {}
        for table in (
            "reviews_review",
            "moderation_submission",
            "moderation_decision",
            "audit_auditevent",
        ):
            cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
            ids[table] = cur.fetchone()[0]
        cur.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
        ids["last_hash"] = row[0] if row else ""
        cur.execute("SELECT count(*) FROM moderation_submission")
        ids["stored"] = cur.fetchone()[0]
    return ids


def fill_to(conn: psycopg.Connection, target: int, workers: int, log) -> dict:
    ids = next_ids(conn)
    missing = target - ids["stored"]
    if missing <= 0:
        return {"added": 0, "seconds": 0.0, "kinds": Counter()}
    started = time.perf_counter()
    indexes = secondary_indexes(conn)
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cur.execute("SET synchronous_commit = off")
        for _table, drop, _create in indexes:
            cur.execute(drop)
    conn.commit()
    jobs, offset = [], 0
    while offset < missing:
        count = min(CHUNK, missing - offset)
        jobs.append(
            {
                "chunk": ids["reviews_review"] + offset,
                "count": count,
                "review_id": ids["reviews_review"] + offset,
                "submission_id": ids["moderation_submission"] + offset,
                "decision_id": ids["moderation_decision"] + offset,
                "audit_id": ids["audit_auditevent"] + 3 * offset,
                "first_audit_id": ids["audit_auditevent"],
                "first_prev": ids["last_hash"],
            }
        )
        offset += count
    kinds: Counter = Counter()
    band_rows = 0
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        pending = []
        job_iter = iter(jobs)
        for job in job_iter:
            pending.append(pool.apply_async(generate_chunk, (job,)))
            if len(pending) >= workers * 2:
                break
        done = 0
        while pending:
            result = pending.pop(0).get()
            nxt = next(job_iter, None)
            if nxt is not None:
                pending.append(pool.apply_async(generate_chunk, (nxt,)))
            with conn.cursor() as cur:
                for table, cols in COLUMNS.items():
                    if result[table]:
                        with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                            copy.write(result[table])
            conn.commit()
            kinds.update(result["kinds"])
            band_rows += result["band_rows"]
            done += result["count"]
            if done % 100_000 < CHUNK or done == missing:
                log(
                    f"    {ids['stored'] + done:>9,} stored ({time.perf_counter() - started:.0f} s)"
                )
    loaded = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET max_parallel_maintenance_workers = 2")
        for _table, _drop, create in indexes:
            cur.execute(create)
        cur.execute("SET session_replication_role = origin")
        for table in (
            "reviews_review",
            "moderation_submission",
            "moderation_decision",
            "audit_auditevent",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    conn.commit()
    indexed = time.perf_counter()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")
    conn.autocommit = False
    finished = time.perf_counter()
    log(
        f"    load {loaded - started:.0f} s, indexes {indexed - loaded:.0f} s, "
        f"vacuum+analyze+checkpoint {finished - indexed:.0f} s"
    )
    return {"added": missing, "seconds": finished - started, "kinds": kinds, "band_rows": band_rows}


# --- measuring ------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


class Batches:
    """Fresh submissions: one per author, never an author used before, on a brand the author
    never reviewed, dated just after the stored history."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = random.Random(seed + 7)
        self.unused_authors = list(range(len(world.author_ids)))
        self.rng.shuffle(self.unused_authors)
        self.clock = world.end + 3600.0

    def make(self, n: int) -> list[dict]:
        from reviews.models import Review

        authors = [self.unused_authors.pop() for _ in range(n)]
        reviewed = defaultdict(set)
        author_ids = [int(self.world.author_ids[a]) for a in authors]
        for author_id, brand_id in Review.objects.filter(author_id__in=author_ids).values_list(
            "author_id", "brand_id"
        ):
            reviewed[author_id].add(brand_id)
        rows = []
        for author in authors:
            author_id = int(self.world.author_ids[author])
            brand_id = self.world.pick_brand(self.rng)
            while brand_id in reviewed[author_id]:
                brand_id = self.world.pick_brand(self.rng)
            rating = self.rng.choices(*RATINGS)[0]
            lang = "fr" if self.world.author_lang_fr[author] else "en"
            title, text, kind = make_review(self.rng, rating=rating, lang=lang)
            self.clock += self.rng.uniform(0.5, 3.0)
            at = dt.datetime.fromtimestamp(self.clock, UTC)
            rows.append(
                {
                    "author_id": author_id,
                    "brand_id": brand_id,
                    "rating": rating,
                    "language": lang,
                    "title": title[:120],
                    "text": text,
                    "kind": kind,
                    "submitted_at": at,
                    "experience_date": (at - dt.timedelta(days=self.rng.randint(0, 30))).date(),
                    "client_ip": self.world.ip(
                        self.world.network_of(self.rng, author), self.rng.randint(2, 254)
                    ),
                    "user_agent": self.world.user_agents[self.world.device_of(self.rng, author)],
                    "channel": self.rng.choice(CHANNELS),
                }
            )
        return rows


def _content_checks(row: dict) -> float:
    from moderation.checks.content import CONTENT_CHECKS

    started = time.perf_counter()
    for check in CONTENT_CHECKS:
        check(title=row["title"], text=row["text"], language=row["language"])
    return time.perf_counter() - started


def submit(rows: list[dict]) -> tuple[list[int], list[float], list[float]]:
    """Submit through the real service. Returns submission ids, seconds per review, and the
    baseline (content checks alone on the same text) timed just before each one."""
    from accounts.models import User
    from brands.models import Brand
    from moderation.models import Submission
    from reviews.services import submit_review

    users = User.objects.in_bulk([r["author_id"] for r in rows])
    brands = Brand.objects.in_bulk([r["brand_id"] for r in rows])
    review_ids, seconds, baseline = [], [], []
    for r in rows:
        author, brand = users[r["author_id"]], brands[r["brand_id"]]
        baseline.append(_content_checks(r))
        started = time.perf_counter()
        review = submit_review(
            author=author,
            brand=brand,
            channel=r["channel"],
            rating=r["rating"],
            title=r["title"],
            text=r["text"],
            experience_date=r["experience_date"],
            attested=True,
            language=r["language"],
            client_ip=r["client_ip"],
            user_agent=r["user_agent"],
            submitted_at=r["submitted_at"],
            imported=True,
        )
        seconds.append(time.perf_counter() - started)
        review_ids.append(review.pk)
    by_object = dict(
        Submission.objects.filter(
            kind="review", object_id__in=[str(pk) for pk in review_ids]
        ).values_list("object_id", "pk")
    )
    return [by_object[str(pk)] for pk in review_ids], seconds, baseline


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def moderate(
    rows: list[dict], submission_ids: list[int]
) -> tuple[list[float], list[float], Counter, dict]:
    """Moderate each submission, one after the other. The baseline (content checks alone on the
    same text, no database) is timed just before each one, so both see the same machine load.
    Also the CPU time of this process and of its PostgreSQL backend, moderation only."""
    from moderation.services import moderate_submission

    seconds, baseline, outcomes = [], [], Counter()
    client_cpu = server_cpu = 0.0
    for r, sid in zip(rows, submission_ids, strict=True):
        baseline.append(_content_checks(r))
        server = backend_cpu()
        client = time.process_time()
        started = time.perf_counter()
        decision = moderate_submission(submission_id=sid)
        seconds.append(time.perf_counter() - started)
        client_cpu += time.process_time() - client
        server_cpu += backend_cpu() - server
        outcomes[decision.outcome if decision else "none"] += 1
    n = len(submission_ids)
    return seconds, baseline, outcomes, {"client": client_cpu / n, "server": server_cpu / n}


def moderate_in_threads(submission_ids: list[int], threads: int) -> float:
    """Moderate the batch with `threads` threads of this one process, as a Celery worker with
    `--pool threads --concurrency N` does: while one thread waits for PostgreSQL, another runs
    Python. Returns the wall-clock seconds for the whole batch."""
    import queue
    import threading

    from django.db import connection

    from moderation.services import moderate_submission

    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for sid in submission_ids:
        todo.put(sid)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while True:
                try:
                    sid = todo.get_nowait()
                except queue.Empty:
                    return
                moderate_submission(submission_id=sid)
        except BaseException as error:  # reported after the batch
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def procfile_command(process: str) -> list[str]:
    """The command line the Procfile gives a process, with the virtualenv's executables."""
    for line in (REPO / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            words = command.split()
            return [str(REPO / ".venv" / "bin" / words[0]), *words[1:]]
    raise SystemExit(f"no {process!r} process in the Procfile")


def worker_command(concurrency: int | None) -> list[str]:
    """The Procfile's moderation worker, with another number of threads if asked."""
    command = procfile_command("moderation")
    if concurrency is not None:
        command[command.index("--concurrency") + 1] = str(concurrency)
    return command


def worker_concurrencies(args) -> list[int | None]:
    """None: the Procfile's own number of threads."""
    if args.worker is None:
        return []
    return list(args.worker) or [None]


def moderate_with_worker(
    warm_ids: list[int], submission_ids: list[int], redis_url: str, concurrency: int | None
) -> float:
    """Queue the warm-up's and then the batch's `moderate_submission_task` messages in Redis,
    start one worker process as the Procfile starts the moderation worker, and time the
    batch from the moment the warm-up (queued first) is decided to the moment the whole batch
    is: the worker's start-up is left out, Celery's per-task costs (message, acknowledgement,
    Django's connection handling around each task) are in. Returns reviews per second."""
    import subprocess

    import redis
    from celery import Celery
    from django.db import connection

    from moderation.models import Submission

    redis.Redis.from_url(redis_url).flushdb()  # its own database number: see main()
    producer = Celery("bench-producer", broker=redis_url)
    producer.conf.task_serializer = "json"
    for sid in [*warm_ids, *submission_ids]:
        producer.send_task(
            "moderation.tasks.moderate_submission_task",
            kwargs={"submission_id": sid},
            queue="moderation",
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "REDIS_URL": redis_url,
        "VOIX_BENCH_EMAIL_DIR": "/tmp/voix-bench-pipeline-emails",
    }
    env.pop("VOIX_CELERY_EAGER", None)
    worker = subprocess.Popen(
        worker_command(concurrency),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def pending(ids: list[int]) -> bool:
        # A range of ids (each batch was submitted in one go): a cheap query, since this
        # process shares the machine with the worker it measures.
        waiting = Submission.objects.filter(
            pk__range=(min(ids), max(ids)), state=Submission.State.PENDING
        ).exists()
        connection.close()  # no transaction or snapshot held while the worker writes
        return waiting

    try:
        deadline = time.monotonic() + 300
        while pending(warm_ids):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Celery worker stopped or never decided the warm-up")
            time.sleep(0.05)
        started = time.perf_counter()
        while pending(submission_ids):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Celery worker stopped before deciding the batch")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.Redis.from_url(redis_url).flushdb()
    return len(submission_ids) / elapsed


def query_shape(sql: str) -> str:
    """A short label for a query: its verb and tables, and what it filters on."""
    verb = sql.split(None, 1)[0].upper()
    if verb == "SELECT" and "pg_advisory_xact_lock" in sql:
        if "INSERT" in sql:  # audit.services: lock, last hash and insert in one round trip
            return "SELECT pg_advisory_xact_lock; INSERT audit_auditevent (audit chain)"
        return "SELECT pg_advisory_xact_lock (audit chain)"
    tables = []
    for table in re.findall(r'(?:FROM|INTO|UPDATE|JOIN)\s+"(\w+)"', sql):
        if table not in tables:
            tables.append(table)
    extra = ""
    if verb == "SELECT":
        if "COUNT(" in sql.upper():
            extra = " (aggregate)"
        elif "FOR UPDATE" in sql.upper():
            extra = " FOR UPDATE"
        elif "LIMIT 1" in sql and "ORDER BY" in sql and "audit_auditevent" in sql:
            extra = " (last hash)"
        elif "textband" in sql and "moderation_submission" in sql:
            extra = " (near-duplicate candidates)"
        elif "LIMIT 1" in sql:
            extra = " (exists/first)"
    return f"{verb} {', '.join(tables)}{extra}"


def instrumented(submission_ids: list[int]) -> dict:
    """Moderate with every query captured and timed: how many, how long, which; and the
    commit, which no query shows (with synchronous_commit on, it waits for the WAL flush)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from moderation.services import moderate_submission

    counts, sql_seconds, commit_seconds, totals = [], [], [], []
    shapes: dict[str, list[float]] = defaultdict(list)
    slowest: dict[str, tuple[float, str]] = {}
    calls: list[tuple[str, float]] = []
    commits: list[float] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            literal = connection.ops.last_executed_query(context["cursor"], sql, params)
            calls.append((literal, elapsed))

    connection.ensure_connection()
    plain_commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return plain_commit()
        finally:
            commits.append(time.perf_counter() - started)

    connection._commit = timed_commit
    try:
        for sid in submission_ids:
            calls.clear()
            commits.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                moderate_submission(submission_id=sid)
            totals.append(time.perf_counter() - started)
            counts.append(len(captured.captured_queries))
            sql_seconds.append(sum(e for _, e in calls))
            commit_seconds.append(sum(commits))
            for sql, elapsed in calls:
                shape = query_shape(sql)
                shapes[shape].append(elapsed)
                if elapsed > slowest.get(shape, (0.0, ""))[0]:
                    slowest[shape] = (elapsed, sql)
    finally:
        del connection._commit
    return {
        "counts": counts,
        "sql_seconds": sql_seconds,
        "commit_seconds": commit_seconds,
        "total_seconds": totals,
        "shapes": shapes,
        "slowest": slowest,
        "n": len(submission_ids),
    }


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def candidate_counts(submission_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per submission: TextBand rows sharing one of its bands, and distinct submissions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT own.submission_id, count(other.id), count(DISTINCT other.submission_id)
            FROM moderation_textband own
            JOIN moderation_textband other ON other.key = own.key
                 AND other.submission_id <> own.submission_id
            WHERE own.submission_id = ANY(%s)
            GROUP BY own.submission_id""",
            [submission_ids],
        )
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def measure(size: int, batches: Batches, args, log) -> dict:
    from django.db import connection

    connection.close()  # a fresh connection, as a worker has
    load_before = os.getloadavg()[0]
    warm = batches.make(args.warmup)
    warm_ids, _, _ = submit(warm)
    moderate(warm, warm_ids)

    rows = batches.make(args.batch)
    sub_ids, sub_seconds, sub_base = submit(rows)
    mod_seconds, mod_base, outcomes, cpu = moderate(rows, sub_ids)

    threaded = {}
    for threads in args.threads:
        batch = batches.make(args.batch)
        batch_ids, _, _ = submit(batch)
        threaded[threads] = len(batch_ids) / moderate_in_threads(batch_ids, threads)
        log(f"  {size:>9,}: {threads} threads in one process: {threaded[threads]:.0f} reviews/s")

    worker = {}
    for concurrency in worker_concurrencies(args):
        warm_ids, _, _ = submit(batches.make(args.warmup))
        batch_ids, _, _ = submit(batches.make(args.batch))
        worker[concurrency] = moderate_with_worker(warm_ids, batch_ids, args.redis_url, concurrency)
        log(
            f"  {size:>9,}: one Celery worker process ({concurrency or 'Procfile'} threads): "
            f"{worker[concurrency]:.0f} reviews/s"
        )

    extra = batches.make(args.instrumented)
    extra_ids, _, _ = submit(extra)
    inst = instrumented(extra_ids)
    load_after = os.getloadavg()[0]

    cands = candidate_counts(sub_ids)
    buckets: dict[str, list[float]] = defaultdict(list)
    for sid, seconds in zip(sub_ids, mod_seconds, strict=True):
        distinct = cands.get(sid, (0, 0))[1]
        label = (
            "0"
            if distinct == 0
            else "1-9"
            if distinct < 10
            else "10-99"
            if distinct < 100
            else "100-999"
            if distinct < 1000
            else "1000+"
        )
        buckets[label].append(seconds)
    kinds: dict[str, list[float]] = defaultdict(list)
    for r, seconds in zip(rows, mod_seconds, strict=True):
        kinds[r["kind"]].append(seconds)

    explains = {}
    selects = [
        (shape, sql)
        for shape, (_elapsed, sql) in sorted(inst["slowest"].items(), key=lambda kv: -kv[1][0])
        if sql.lstrip().upper().startswith("SELECT") and "pg_advisory" not in sql
    ]
    near = [item for item in selects if "near-duplicate" in item[0]]
    for shape, sql in near + [item for item in selects if item not in near][:2]:
        explains[shape] = (sql, explain(sql))
    stored = next_ids_django()
    result = {
        "size": size,
        "stored": stored,
        "n": len(rows),
        "sub_mean": statistics.mean(sub_seconds),
        "sub_p50": pct(sub_seconds, 50),
        "sub_p99": pct(sub_seconds, 99),
        "mod_mean": statistics.mean(mod_seconds),
        "mod_p50": pct(mod_seconds, 50),
        "mod_p99": pct(mod_seconds, 99),
        "mod_max": max(mod_seconds),
        "base_mean": statistics.mean(mod_base),
        "base_p50": pct(mod_base, 50),
        "sub_base_mean": statistics.mean(sub_base),
        "load": (load_before, load_after),
        "cpu_client": cpu["client"],
        "cpu_server": cpu["server"],
        "queries_mean": statistics.mean(inst["counts"]),
        "queries_min": min(inst["counts"]),
        "queries_max": max(inst["counts"]),
        "sql_share": sum(inst["sql_seconds"]) / sum(inst["total_seconds"]),
        "commit_share": sum(inst["commit_seconds"]) / sum(inst["total_seconds"]),
        "commit_mean": statistics.mean(inst["commit_seconds"]),
        "inst_mean": statistics.mean(inst["total_seconds"]),
        "shapes": {
            shape: (len(v) / inst["n"], statistics.mean(v), max(v))
            for shape, v in inst["shapes"].items()
        },
        "outcomes": dict(outcomes),
        "candidates": {
            label: (len(v), statistics.mean(v), pct(v, 99)) for label, v in sorted(buckets.items())
        },
        "cand_mean": statistics.mean(cands.get(s, (0, 0))[1] for s in sub_ids),
        "cand_p99": pct([cands.get(s, (0, 0))[1] for s in sub_ids], 99),
        "band_rows_p99": pct([cands.get(s, (0, 0))[0] for s in sub_ids], 99),
        "kinds": {k: (len(v), statistics.mean(v)) for k, v in sorted(kinds.items())},
        "explains": explains,
        "threaded": threaded,
        "worker": worker,
    }
    log(
        f"  {size:>9,}: moderation {1 / result['mod_mean']:.0f}/s "
        f"(p50 {result['mod_p50'] * 1e3:.1f} ms, p99 {result['mod_p99'] * 1e3:.1f} ms), "
        f"submission {1 / result['sub_mean']:.0f}/s, content checks alone "
        f"{result['base_mean'] * 1e3:.2f} ms, {result['queries_mean']:.1f} queries/review, "
        f"CPU/review {cpu['client'] * 1e3:.1f} ms here + {cpu['server'] * 1e3:.1f} ms PostgreSQL, "
        f"load {load_before:.1f}-{load_after:.1f}"
    )
    return result


def next_ids_django() -> int:
    from moderation.models import Submission

    return Submission.objects.count()


# --- reporting ------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


def report(results: list[dict], fills: list[dict], info: dict, args, total: float) -> str:
    first, last = results[0], results[-1]
    lines = [
        SECTION,
        "",
        f"Measured {info['date']} by `bench/pipeline_throughput.py --sizes "
        f"{' '.join(str(s) for s in args.sizes)}` (batch {args.batch} reviews a size, "
        f"{args.warmup} warm-up, {args.instrumented} more with queries counted; whole run "
        f"{total / 60:.1f} min).",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, PostgreSQL "
        f"{info['postgres']} on the same machine, Python {info['python']}, Django "
        f"{info['django']}.",
        "",
        "Requirement: one worker process keeps up with at least 100 reviews per second with "
        "100,000 reviews stored, and its cost per review stays flat as the store grows.",
        "",
        "| stored reviews | moderation reviews/s | moderation p50 ms | moderation p99 ms "
        "| baseline: content checks alone, ms | moderation / baseline | submission reviews/s "
        "| submission p50 ms | submission p99 ms | submission / baseline "
        "| SQL queries / moderated review | load average (before, after) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['stored']:,} | {1 / r['mod_mean']:.0f} | {ms(r['mod_p50'])} | "
            f"{ms(r['mod_p99'])} | {ms(r['base_mean'])} | {r['mod_mean'] / r['base_mean']:.2f} | "
            f"{1 / r['sub_mean']:.0f} | {ms(r['sub_p50'])} | {ms(r['sub_p99'])} | "
            f"{r['sub_mean'] / r['sub_base_mean']:.2f} | {r['queries_mean']:.1f} "
            f"({r['queries_min']}–{r['queries_max']}) | {r['load'][0]:.1f}, {r['load'][1]:.1f} |"
        )
    lines += [
        "",
        "CPU time per moderated review (less sensitive than latency to other load on the "
        "machine) in this process and in its PostgreSQL backend. One worker waits for each "
        "query, so even with the machine to itself it moderates at most 1 / (worker CPU + "
        "PostgreSQL CPU) reviews a second (the commit's WAL flush and the round trips come on "
        "top). Near-duplicate candidates: distinct stored submissions sharing a MinHash band "
        "with a measured text (mean and p99), and the TextBand rows the lookup reads (p99).",
        "",
        "| stored reviews | worker CPU ms | PostgreSQL CPU ms | ceiling for one worker, "
        "reviews/s | candidates mean | candidates p99 | band rows read p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['stored']:,} | {r['cpu_client'] * 1e3:.2f} | "
            f"{r['cpu_server'] * 1e3:.2f} | "
            f"{1 / (r['cpu_client'] + r['cpu_server']):.0f} | {r['cand_mean']:.1f} | "
            f"{r['cand_p99']:,} | {r['band_rows_p99']:,} |"
        )
    raw = last["mod_mean"] / first["mod_mean"]
    normalised = (last["mod_mean"] / last["base_mean"]) / (first["mod_mean"] / first["base_mean"])
    sub_raw = last["sub_mean"] / first["sub_mean"]
    sub_normalised = (last["sub_mean"] / last["sub_base_mean"]) / (
        first["sub_mean"] / first["sub_base_mean"]
    )
    cpu_ratio = (last["cpu_client"] + last["cpu_server"]) / (
        first["cpu_client"] + first["cpu_server"]
    )
    at_100k = [r for r in results if r["size"] == 100_000]
    lines += [
        "",
        f"Flatness, cost per moderated review at {last['stored']:,} stored over "
        f"{first['stored']:,}: **{raw:.2f}** (mean latency), **{normalised:.2f}** against the "
        f"baseline of each size (pipeline/baseline ratio at {last['size']:,} over the one at "
        f"{first['size']:,}); p50 {last['mod_p50'] / first['mod_p50']:.2f}, p99 "
        f"{last['mod_p99'] / first['mod_p99']:.2f}; CPU time (worker + PostgreSQL) "
        f"**{cpu_ratio:.2f}**. Submission: {sub_raw:.2f} (mean latency), {sub_normalised:.2f} "
        "against the baseline.",
    ]
    if at_100k:
        r = at_100k[0]
        verdict = "meets" if 1 / r["mod_mean"] >= 100 else "does not meet"
        lines.append(
            f"At 100,000 stored, one process moderating one review at a time does "
            f"{1 / r['mod_mean']:.0f} reviews/s: it **{verdict}** the 100/s requirement "
            f"(content checks alone would allow {1 / r['base_mean']:.0f}/s; its CPU time alone "
            f"caps a sequential worker at {1 / (r['cpu_client'] + r['cpu_server']):.0f}/s)."
        )
    if args.threads:
        lines += [
            "",
            "One worker process with several threads (Celery's `--pool threads`, as the "
            "moderation worker runs: Procfile), a batch of the same size, wall-clock "
            "throughput; the ratio is to the sequential figure of the same size:",
            "",
            "| stored reviews | "
            + " | ".join(f"{t} threads, reviews/s | ratio" for t in args.threads)
            + " |",
            "|---:|" + "---:|---:|" * len(args.threads),
        ]
        for r in results:
            cells = " | ".join(
                f"{r['threaded'][t]:.0f} | {r['threaded'][t] * r['mod_mean']:.2f}"
                for t in args.threads
            )
            lines.append(f"| {r['stored']:,} | {cells} |")
    concurrencies = worker_concurrencies(args)
    if concurrencies:
        command = " ".join(procfile_command("moderation")[1:])
        lines += [
            "",
            "The deployed shape, end to end: one real Celery worker process started with the "
            f"Procfile's command (`celery {command}`), consuming a batch of the same size from "
            "Redis (start-up and a warm-up left out; Celery's per-task costs in); the ratio is to "
            "the sequential figure of the same size:",
            "",
            "| stored reviews | "
            + " | ".join(f"{c or 'Procfile'} threads, reviews/s | ratio" for c in concurrencies)
            + " |",
            "|---:|" + "---:|---:|" * len(concurrencies),
        ]
        for r in results:
            cells = " | ".join(
                f"{r['worker'][c]:.0f} | {r['worker'][c] * r['mod_mean']:.2f}"
                for c in concurrencies
            )
            lines.append(f"| {r['stored']:,} | {cells} |")
    lines += [
        "",
        f"Where the time goes at {last['stored']:,} stored (instrumented batch of "
        f"{args.instrumented}): {last['sql_share']:.0%} of the moderation time waits on SQL "
        f"queries and {last['commit_share']:.0%} on the commit (mean "
        f"{last['commit_mean'] * 1e3:.2f} ms); the rest is Python (checks, ORM). "
        "Per moderated review:",
        "",
        "| query | per review | mean ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for shape, (per, mean, worst) in sorted(
        last["shapes"].items(), key=lambda kv: -kv[1][0] * kv[1][1]
    ):
        lines.append(f"| `{shape}` | {per:.2f} | {mean * 1e3:.3f} | {worst * 1e3:.2f} |")
    lines += [
        "",
        "Moderation latency by the number of stored near-duplicate candidates (distinct "
        "submissions sharing a MinHash band with the text):",
        "",
        "| stored | "
        + " | ".join(
            f"{b} candidates: n, mean ms, p99 ms" for b in ("0", "1-9", "10-99", "100-999", "1000+")
        )
        + " |",
        "|---:|" + "---:|" * 5,
    ]
    for r in results:
        cells = []
        for b in ("0", "1-9", "10-99", "100-999", "1000+"):
            if b in r["candidates"]:
                n, mean, p99 = r["candidates"][b]
                cells.append(f"{n}, {ms(mean)}, {ms(p99)}")
            else:
                cells.append("—")
        lines.append(f"| {r['stored']:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Outcomes of the measured batches: "
        + "; ".join(
            f"{r['size']:,}: " + ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items()))
            for r in results
        )
        + ".",
        "",
        "Filling (COPY, indexes rebuilt, VACUUM ANALYZE): "
        + ", ".join(f"{f['size']:,} in {f['seconds']:.0f} s" for f in fills)
        + ".",
        "",
        "How to read it: figures are from one process, sequential, on a PostgreSQL server on the "
        "same 2 cores; the store's texts are synthetic (bench/review_corpus.py) with real MinHash "
        "signatures and band keys, 1 % near-duplicates and 2 % short stock reviews. The "
        "moderation time is `moderate_submission` alone (its transaction included), without "
        "Celery's own per-task overhead. See bench/README.md.",
        "",
    ]
    return "\n".join(lines)


INTRO = """# Benchmarks

Figures here are produced by the scripts in `bench/` (see bench/README.md for what each one
measures and how to run it), on the machine named with each table, against a dedicated database
that the script creates and drops. The development machines are small and shared, so absolute
numbers move from one run to the next by tens of percent: read the ratios, each measured against
a baseline in the same run (for instance the pipeline against the content checks alone, or the
cost at 1M stored against the cost at 10k), rather than the absolute numbers.
"""


def write_docs(section: str) -> None:
    if DOCS.exists():
        text = DOCS.read_text()
        if SECTION in text:
            start = text.index(SECTION)
            nxt = text.find("\n## ", start + len(SECTION))
            text = text[:start] + section + (text[nxt + 1 :] if nxt != -1 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
    else:
        text = INTRO + "\n" + section
    DOCS.write_text(text.rstrip("\n") + "\n")


def store_synthetic_authenticity_model(seed: int) -> None:
    """A model of the real shape (hashed n-grams + every numeric feature), fitted on synthetic
    rows: what it predicts does not matter here, what scoring costs does."""
    import io

    import joblib

    from moderation.authenticity.estimator import AuthenticityEstimator
    from moderation.authenticity.features import TEXT_GROUP, Features, numeric_features
    from moderation.authenticity.training import store_model

    rng = random.Random(seed)
    names = numeric_features()
    rows, labels = [], []
    for n in range(300):
        rating = rng.randint(1, 5)
        title, text, _kind = make_review(rng, rating=rating, lang=rng.choice(["fr", "en"]))
        rows.append(Features(values={name: rng.random() for name in names}, text=f"{title} {text}"))
        labels.append(n % 2)
    estimator = AuthenticityEstimator(numeric=names, seed=seed).fit(rows, labels)
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=3)
    store_model(
        estimator=buffer.getvalue(),
        training_size=len(rows),
        metrics={
            "test": {
                "roc_auc": None,
                "precision": None,
                "recall": None,
                "false_positive_rate": None,
            }
        },
        features=[*names, TEXT_GROUP],
    )


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    global WORLD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--batch", type=int, default=1000, help="timed reviews a size")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--instrumented",
        type=int,
        default=100,
        help="extra reviews a size moderated with their queries captured",
    )
    parser.add_argument(
        "--threads",
        type=int,
        nargs="*",
        default=[2, 4],
        help="also measure one process moderating with this many threads",
    )
    parser.add_argument(
        "--worker",
        type=int,
        nargs="*",
        help="also measure one real Celery worker process (the Procfile's) fed through Redis; "
        "with numbers, with that many threads instead of the Procfile's",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="the Redis database --worker uses (flushed: its own number)",
    )
    parser.add_argument("--brands", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2, help="processes generating rows")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--keep", action="store_true", help="keep the voix_bench database")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--authenticity-model",
        action="store_true",
        help="store a current authenticity model first, so the pipeline pays for scoring",
    )
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    workers = len(worker_concurrencies(args))
    per_size = args.batch * (1 + len(args.threads) + workers)
    needed = len(sizes) * (per_size + args.warmup * (1 + workers) + args.instrumented)
    if needed > args.authors:
        sys.exit(f"--authors must be at least {needed} (one fresh author a measured review)")
    if workers and urlparse(args.redis_url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("--redis-url must be a local Redis: its database is flushed")

    run_started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - run_started:7.1f}s] {message}", flush=True)

    url, name = database_url()
    log(f"recreating database {name}")
    recreate_database(url, name)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    if args.authenticity_model:
        store_synthetic_authenticity_model(args.seed)
        log("stored a current authenticity model (trained on synthetic features)")
    info = machine()
    info["date"] = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    log(f"migrated; machine: {info}")
    end = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=2)
    WORLD = World(seed=args.seed, brands=args.brands, authors=args.authors, end=end)
    connections.close_all()  # nothing shared with the forked workers
    fill_conn = psycopg.connect(url)
    fill_world(fill_conn, WORLD)
    log(f"{args.brands:,} brands and {args.authors:,} accounts stored")
    batches = Batches(WORLD, args.seed)
    results, fills = [], []
    try:
        for size in sizes:
            log(f"filling to {size:,} stored reviews")
            filled = fill_to(fill_conn, size, args.workers, log)
            fills.append({"size": size, **filled})
            if filled.get("kinds"):
                log(f"    texts: {dict(filled['kinds'])}")
            results.append(measure(size, batches, args, log))
            connection.close()
    finally:
        fill_conn.close()
    total = time.perf_counter() - run_started
    section = report(results, fills, info, args, total)
    print()
    print(section)
    for r in results:
        for shape, (sql, plan) in r["explains"].items():
            print(f"\n-- EXPLAIN at {r['stored']:,} stored, slowest `{shape}`:\n{sql}\n{plan}")
        print(
            f"\n-- texts by kind at {r['stored']:,}: "
            + ", ".join(f"{k} n={n} mean {ms(m)} ms" for k, (n, m) in r["kinds"].items())
            + f"; candidates mean {r['cand_mean']:.1f}, p99 {r['cand_p99']}, "
            f"band rows p99 {r['band_rows_p99']}"
        )
    if not args.no_docs:
        write_docs(section)
        log(f"written {DOCS.relative_to(REPO)}")
    if args.keep:
        log(f"kept database {name}")
    else:
        drop_database(url, name)
        log(f"dropped database {name}")


if __name__ == "__main__":
    main()
