"""Hub ingestion throughput: first sync, unchanged re-sync, and raw PostgreSQL COPY.

    .venv/bin/python bench/ingest.py [--n 100000]   # PostgreSQL at $BENCH_PG_URL
    .venv/bin/python bench/ingest.py --smoke        # 300 models: crashes only

Generates N synthetic Hub listing records, serves them from the fake Hub
(tests/fakes/hub.py, 1000 per page as the Hub does) and runs the real `hub_sync` twice
into a PostgreSQL database of this run's own (`atlas_bench_ingest_<n>_<pid>_<random>`,
created and dropped here), with `make serve`'s settings (DEBUG off). HTTP is excluded by
subtracting the seconds the client spent inside its listing-page calls (request,
transfer and JSON decode, counted by `HubClient.http_s`) from the wall time; both figures
are printed. The COPY baseline writes the same rows, as the sync stores them, with
psycopg's COPY into a scratch table created `LIKE catalog_model INCLUDING ALL` (same
indexes and constraints). A second, reference row COPYs the same rows one page per
statement into such a table with catalog_model's foreign keys added: the floor for a
sync that commits per page into the real table. On PostgreSQL the sync itself COPYs
each page (catalog/services/hub_load.py). Goals print PASS/FAIL with the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def synthetic_listing(n: int) -> list[dict]:
    return [
        {
            "_id": f"{i:024x}",
            "id": f"bench-org-{i % 500}/model-{i:07d}",
            "author": f"bench-org-{i % 500}",
            "sha": hashlib.sha1(str(i).encode()).hexdigest(),  # noqa: S324 - test data
            "pipeline_tag": ("text-generation", "fill-mask", "text-to-image")[i % 3],
            "library_name": "transformers",
            "tags": ["transformers", "safetensors", "en", "license:apache-2.0", "region:us"]
            + ([f"base_model:finetune:bench-org-0/model-{i - 500:07d}"] if i >= 500 else []),
            "downloads": 10_000_000 - i,
            "likes": i % 1000,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "lastModified": "2024-06-01T00:00:00.000Z",
            "gated": "auto" if i % 10 == 0 else False,
            "safetensors": {"parameters": {"BF16": 1_000_000 + i}, "total": 1_000_000 + i},
        }
        for i in range(n)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--smoke", action="store_true", help="300 models: crashes only")
    args = parser.parse_args()
    if args.smoke:
        args.n, args.page_size = 300, 100
    from bench.common import DEFAULT_PG, db_url, serve_env, unique_name

    # make serve's settings (DEBUG off: no query log), in a database of this run's own.
    name = unique_name("ingest", str(args.n))
    os.environ.update(serve_env(db_url(DEFAULT_PG, "postgres")))
    os.environ["TEST_DATABASE_NAME"] = name
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench/ingest.py needs PostgreSQL (set DATABASE_URL=postgres://...)")
        return 2
    import logging

    logging.getLogger("catalog").setLevel(logging.WARNING)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return _run(args.n, args.page_size, args.smoke)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(n: int, page_size: int, smoke: bool) -> int:
    from django.db import connection
    from django.db.models.expressions import DatabaseDefault

    from catalog.hub import HubClient
    from catalog.hub_parse import parse_model
    from catalog.models import Model
    from catalog.services.hub import hub_sync
    from catalog.services.hub_facts_page import page_facts
    from catalog.services.hub_load import HubRow, model_build, orgs_and_tasks
    from tests.fakes.hub import FakeHub
    from tests.fakes.server import FakeServer

    listing = synthetic_listing(n)
    results: list[tuple[str, float, float, float]] = []
    with FakeServer() as server:
        FakeHub(server, models=listing)
        for label in ("first sync", "re-sync (unchanged)"):
            client = HubClient(endpoint=server.base_url)
            started = time.perf_counter()
            run = hub_sync(limit=n, page_size=page_size, client=client, resume=False)
            wall = time.perf_counter() - started
            assert run.created + run.updated + run.unchanged == n, run.errors[:3]
            results.append((label, wall, client.http_s, n / max(wall - client.http_s, 1e-9)))
    assert Model.objects.count() == n

    # COPY baseline: the same rows as stored, into a same-shaped scratch table.
    rows_in = [HubRow(record=parse_model(item), dims=None) for item in listing]
    orgs, tasks = orgs_and_tasks(rows_in)
    # The stored generated column (search_document) is written by the database itself.
    fields = [f for f in Model._meta.concrete_fields if not f.primary_key and not f.generated]
    facts = page_facts(rows_in).values  # the facts the sync derives, as it writes them
    objs = [
        model_build(row, orgs=orgs, tasks=tasks, facts=facts, now=row.record.modified_at)
        for row in rows_in
    ]
    # Columns the build leaves to their database default (db_default) are not named.
    fields = [f for f in fields if not isinstance(getattr(objs[0], f.attname), DatabaseDefault)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = [
        tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE catalog_model INCLUDING ALL)")
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
        copy_s = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == n
        cursor.execute("DROP TABLE bench_copy")
        # For reference only (the target is against the plain COPY above): what the sync's
        # write must do at least, a COPY per page (one commit each) into a table that also
        # has catalog_model's foreign keys, whose checks run per row.
        cursor.execute("CREATE TABLE bench_copy_paged (LIKE catalog_model INCLUDING ALL)")
        for column, target in (
            ("organization_id", "catalog_organization"),
            ("task_id", "catalog_task"),
            ("base_model_id", "catalog_model"),
        ):
            cursor.execute(
                f"ALTER TABLE bench_copy_paged ADD FOREIGN KEY ({column}) REFERENCES {target} (id)"
            )
        started = time.perf_counter()
        for start in range(0, n, page_size):
            with cursor.cursor.copy(f"COPY bench_copy_paged ({columns}) FROM STDIN") as copy:
                for values in rows[start : start + page_size]:
                    copy.write_row(values)
        paged_s = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_paged")
    copy_rate = n / copy_s
    paged_rate = n / paged_s

    print(f"\nHub ingest bench: N={n:,} synthetic models, page size {page_size}, PostgreSQL")
    print(f"{'step':<24}{'wall s':>9}{'HTTP s':>9}{'rows/s (excl. HTTP)':>22}{'vs COPY':>9}")
    for label, wall, http_s, rate in results:
        print(f"{label:<24}{wall:>9.2f}{http_s:>9.2f}{rate:>22,.0f}{rate / copy_rate:>9.0%}")
    print(f"{'COPY (same rows)':<24}{copy_s:>9.2f}{0:>9.2f}{copy_rate:>22,.0f}{1:>9.0%}")
    paged = "COPY/page + FK checks"
    print(f"{paged:<24}{paged_s:>9.2f}{0:>9.2f}{paged_rate:>22,.0f}{paged_rate / copy_rate:>9.0%}")
    first, resync = results[0][3], results[1][3]
    from bench.common import Verdicts

    verdicts = Verdicts(smoke=smoke)
    verdicts.check("first sync vs COPY (rows/s excl. HTTP)", f"{first / copy_rate:.0%}",
                   ">= 50%", first >= 0.5 * copy_rate)  # fmt: skip
    verdicts.check("re-sync vs first sync (excl. HTTP)", f"{resync / first:.1f}x", ">= 10x",
                   resync >= 10 * first)  # fmt: skip
    wall = results[0][1] / results[1][1]
    verdicts.check("re-sync vs first sync (wall, HTTP incl., 0 ms added latency)",
                   f"{wall:.1f}x", ">= 10x", wall >= 10)  # fmt: skip
    print(f"reference: first sync = {first / paged_rate:.0%} of COPY/page + FK checks")
    verdicts.print(f"Hub ingest, {n:,} models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
