"""A synthetic catalog of any size, written with PostgreSQL COPY (1M models in minutes).

`fill(url, n)` writes into a migrated bench database: organizations (n/20, at most
50,000), 12 tasks, n models (20 families, 10 sizes, 7 licenses, 6 libraries, Pareto
downloads), one pricing feed, 50 providers, 2 current token offers for every 10th model
(plus a closed older price per 10 offers) and quality indexes for every 10th model
(chat) and every 20th (code as well). Shares are the same at every size, so 10k and 1M
are like with like. Columns the generator does not name get their database default;
a NOT NULL column without one (a field added since) gets a zero of its type, so the
bench keeps working as the schema grows. Indexes of catalog_model are dropped during
the COPY and rebuilt after (one sort each instead of a million inserts); FK triggers
are off for the session. Then ANALYZE, and the production refresh services that keep
the derived columns and counts (`derived_refresh`), timed.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg

if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import run_django

FAMILIES = ["llama", "qwen", "mistral", "gemma", "phi", "falcon", "bert", "whisper", "sdxl",
            "deepseek", "olmo", "granite", "t5", "clip", "yolo", "stablelm", "mpt", "bloom",
            "pythia", "starcoder"]  # fmt: skip
SIZES = ["0.5b", "1b", "3b", "7b", "8b", "13b", "14b", "32b", "70b", "405b"]
TASKS = ["text-generation", "text-to-image", "feature-extraction", "automatic-speech-recognition",
         "image-classification", "text-classification", "translation", "summarization",
         "fill-mask", "object-detection", "image-to-text", "text-to-speech"]  # fmt: skip
LICENSES = ["apache-2.0", "mit", "llama3.1", "other", "cc-by-4.0", "gemma", "openrail"]
LIBRARIES = ["transformers", "diffusers", "gguf", "sentence-transformers", "timm", "mlx"]
N_PROVIDERS = 50
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZERO_BY_TYPE = {"boolean": "f", "integer": "0", "bigint": "0", "smallint": "0",
                "double precision": "0", "numeric": "0", "jsonb": "[]", "json": "[]",
                "date": "2026-01-01", "timestamp with time zone": NOW.isoformat()}  # fmt: skip


def _tsv(rows: Iterable[tuple]) -> str:
    def cell(v: object) -> str:
        if v is None:
            return "\\N"
        text = str(v)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    return "".join("\t".join(cell(v) for v in row) + "\n" for row in rows)


def copy_dicts(cur: psycopg.Cursor, table: str, rows: Iterable[dict]) -> int:
    """COPY dict rows into `table`; required columns they lack get a zero of their type."""
    cur.execute(
        "SELECT column_name, data_type, is_nullable, column_default, is_generated, is_identity "
        "FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    required = {
        name: ZERO_BY_TYPE.get(dtype, "")
        for name, dtype, nullable, default, generated, identity in cur.fetchall()
        if nullable == "NO" and default is None and generated != "ALWAYS" and identity != "YES"
        and name != "id"
    }  # fmt: skip
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    extra = [c for c in required if c not in first]
    columns = [*first, *extra]
    fill = tuple(required[c] for c in extra)
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        batch: list[tuple] = [(*first.values(), *fill)]
        for row in iterator:
            batch.append((*row.values(), *fill))
            if len(batch) >= 20_000:
                copy.write(_tsv(batch))
                count += len(batch)
                batch.clear()
        copy.write(_tsv(batch))
        count += len(batch)
    return count


def _stamp() -> dict[str, str]:
    return {"created_at": NOW.isoformat(), "updated_at": NOW.isoformat()}


def model_rows(n: int, n_orgs: int, rng: random.Random) -> Iterator[dict]:
    base = datetime(2022, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        family, size = FAMILIES[i % len(FAMILIES)], SIZES[rng.randrange(len(SIZES))]
        org = rng.randrange(n_orgs) + 1
        params = int(float(size[:-1]) * 1e9)
        library = LIBRARIES[i % len(LIBRARIES)]
        yield {
            **_stamp(),
            "repo_id": f"org-{org}/{family}-{size}-v{i}",
            "name": f"{family}-{size}-v{i}",
            "organization_id": org,
            "task_id": (i % len(TASKS)) + 1,
            "source": "hub",
            "family": family,
            "library": library,
            "license": LICENSES[i % len(LICENSES)],
            "tags": json.dumps([family, library, f"region:{'us' if i % 2 else 'eu'}"]),
            "languages": '["en"]',
            "open_weights": "t",
            "gated": "t" if i % 11 == 0 else "f",
            "gated_mode": "",
            "downloads": max(0, int(rng.paretovariate(1.2) * 10) - 10),
            "likes": rng.randrange(500),
            "hub_created_at": (base + timedelta(minutes=i)).isoformat(),
            "hub_modified_at": (base + timedelta(minutes=i + rng.randrange(10_000))).isoformat(),
            "sha": "",
            "base_model_repo_id": "",
            "base_model_relation": "",
            "description": "",
            "params_total": params,
            "params_by_dtype": json.dumps({"BF16": params}),
            "params_estimated": "f",
            "model_type": family,
            "architectures": '["ForCausalLM"]',
            "num_layers": 32,
            "hidden_size": 4096,
            "num_heads": 32,
            "num_kv_heads": 8,
            "head_dim": 128,
            "context_tokens": rng.choice([2048, 4096, 8192, 32768, 131072]),
            "config_dtype": "bfloat16",
            "config_sha": "",
            "fingerprint": "",
        }


def offer_rows(n_models: int, feed_id: int, first_provider: int, rng: random.Random):
    """Two current token offers for every 10th model, a closed older row per 10 offers."""
    old = (NOW - timedelta(days=60)).isoformat()
    i = 0
    for model_id in range(1, n_models + 1, 10):
        for k in range(2):
            provider = first_provider + (model_id + k) % N_PROVIDERS
            price_in, price_out = rng.uniform(0.05, 15), rng.uniform(0.1, 60)
            common = {**_stamp(), "feed_id": feed_id, "provider_id": provider,
                      "model_id": model_id, "model_name": f"m{model_id}-{k}",
                      "hub_repo_id": "", "mode": "chat", "unit": "token",
                      "image_options": "{}", "tiers": "[]"}  # fmt: skip
            if i % 10 == 0:
                yield {**common, "usd_per_mtok_input": f"{price_in * 2:.6f}",
                       "usd_per_mtok_output": f"{price_out * 2:.6f}", "valid_from": old,
                       "valid_to": NOW.isoformat(), "fingerprint": "old"}  # fmt: skip
            yield {**common, "usd_per_mtok_input": f"{price_in:.6f}",
                   "usd_per_mtok_output": f"{price_out:.6f}", "valid_from": NOW.isoformat(),
                   "valid_to": None, "fingerprint": "new"}  # fmt: skip
            i += 1


def quality_rows(n_models: int, rng: random.Random) -> Iterator[dict]:
    for model_id in range(1, n_models + 1, 10):
        tasks = ("chat", "code") if model_id % 20 == 1 else ("chat",)
        for task in tasks:
            yield {**_stamp(), "model_id": model_id, "task": task,
                   "value": f"{rng.uniform(5, 95):.3f}", "sources": "[]",
                   "computed_at": NOW.isoformat()}  # fmt: skip


def fill(url: str, n: int, *, seed: int = 7) -> str:
    """Write the synthetic catalog into `url` (migrated, empty); returns a summary."""
    rng = random.Random(seed)
    n_orgs = max(10, min(50_000, n // 20))
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        cur.execute("SET maintenance_work_mem = '256MB'")
        copy_dicts(cur, "catalog_organization",
                   ({**_stamp(), "slug": f"org-{i}", "name": f"Org {i}", "homepage": ""}
                    for i in range(1, n_orgs + 1)))  # fmt: skip
        copy_dicts(cur, "catalog_task",
                   ({**_stamp(), "slug": t, "name": t.replace("-", " ").capitalize(),
                     "category": ""} for t in TASKS))  # fmt: skip
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_model' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cur.fetchall()
        for index_name, _ in indexes:
            cur.execute(f'DROP INDEX "{index_name}"')
        copy_dicts(cur, "catalog_model", model_rows(n, n_orgs, rng))
        for _, indexdef in indexes:
            cur.execute(indexdef)
        cur.execute(
            "INSERT INTO catalog_feed (created_at, updated_at, slug, name, kind, format, url, "
            "schedule, enabled) VALUES (now(), now(), 'bench-feed', 'Bench feed', 'pricing', "
            "'json', '', '', true) RETURNING id"
        )
        feed_id = cur.fetchone()[0]
        copy_dicts(cur, "pricing_provider",
                   ({**_stamp(), "slug": f"provider-{i}", "name": f"Provider {i}",
                     "kind": "inference_host", "service": "api", "homepage": "",
                     "pricing_url": "", "docs_url": "", "upstream": "", "reviewed": True,
                     "sources": "{}", "note": ""} for i in range(1, N_PROVIDERS + 1)))  # fmt: skip
        cur.execute("SELECT min(id) FROM pricing_provider")
        first_provider = cur.fetchone()[0]
        offers = copy_dicts(cur, "pricing_offer", offer_rows(n, feed_id, first_provider, rng))
        quality = copy_dicts(cur, "quality_qualityindex", quality_rows(n, rng))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # visibility map for index-only scans, statistics
    copy_s = time.perf_counter() - started
    refresh = derived_refresh(url)
    return (
        f"{n:,} models, {n_orgs:,} orgs, {offers:,} offer rows, {quality:,} quality rows "
        f"in {copy_s:.0f} s (COPY + indexes + VACUUM ANALYZE); {refresh}"
    )


REFRESH = """
import time
steps = []
try:
    from catalog.services.counts import catalog_counts_refresh
    steps.append(("catalog counts", catalog_counts_refresh))
except ImportError:
    pass
try:
    from pricing.services.model_prices import model_prices_refresh
    steps.append(("model prices", model_prices_refresh))
except ImportError:
    pass
try:
    from pricing.services.provider_pages import provider_pages_refresh
    steps.append(("provider pages", provider_pages_refresh))
except ImportError:
    pass
try:
    from quality.services import quality_best_refresh
    steps.append(("quality best", quality_best_refresh))
except ImportError:
    pass
out = []
for label, step in steps:
    t = time.perf_counter()
    step()
    out.append(f"{label} {time.perf_counter() - t:.1f} s")
print("refresh: " + (", ".join(out) or "no refresh services"))
"""


def derived_refresh(url: str) -> str:
    """Run the production refresh services (counts, cheapest price, best quality) the
    Hub/price/quality syncs and the beat task run; returns their timings."""
    return run_django(url, REFRESH).strip()


def main() -> None:
    """Create a filled bench database and keep it (for --reuse-* of web.py and api.py)."""
    import argparse

    from bench.common import DEFAULT_PG, database_create, unique_name

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    name = unique_name("synth", str(args.n))
    url = database_create(DEFAULT_PG, name)
    print(fill(url, args.n))
    print(f"kept database {name}: drop it with dropdb -h 127.0.0.1 -U postgres {name}")


if __name__ == "__main__":
    main()
