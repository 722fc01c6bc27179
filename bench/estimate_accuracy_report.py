"""Tables for bench/estimate_accuracy.py (no Django): coverage, decode and memory errors.

Error = predicted / measured − 1; tables show median and p90 of |error| and the row count.
Coverage counts every row; rows classified as physically inconsistent with their own label
(measured above the stated model's memory roofline) are counted and shown apart, so the
share predicted is given both over all rows and over the rest.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

CLASSIFIED = "measured above the stated model's memory roofline (mislabelled run)"


def stats(errors: list[float]) -> str:
    if not errors:
        return "      —        —     0"
    a = sorted(abs(e) for e in errors)
    p90 = a[min(len(a) - 1, int(0.9 * len(a)))]
    return f"{statistics.median(a) * 100:6.1f}% {p90 * 100:7.1f}% {len(a):5d}"


def err(res: dict, key: str, measured: float | None) -> float | None:
    pred = res.get(key)
    return pred / measured - 1 if pred and measured else None


def coverage(results: list[dict]) -> None:
    total = len(results)
    predicted = sum(1 for r in results if r["row"].predictable)
    classified = sum(1 for r in results if r["row"].reason == CLASSIFIED)
    print(f"rows: {total}, predicted: {predicted} ({predicted / total:.1%})")
    rest = total - classified
    print(
        f"  of the {rest} rows not classified as mislabelled: {predicted} ({predicted / rest:.1%})"
    )
    reasons: dict[str, int] = defaultdict(int)
    for r in results:
        if not r["row"].predictable:
            reasons[r["row"].reason] += 1
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  not predicted: {n:4d}  {reason}")


def memory_coverage(results: list[dict]) -> None:
    measured = [r for r in results if r["row"].memory or r["row"].extra.get("memory_class")]
    classes: dict[str, int] = defaultdict(int)
    unpredicted: dict[str, int] = defaultdict(int)
    scored = []
    for r in measured:
        row = r["row"]
        if row.extra.get("memory_class"):
            classes[row.extra["memory_class"]] += 1
        elif not row.predictable:
            unpredicted[row.reason] += 1
        elif r.get("memory") is None:
            unpredicted["KV cache unknown (the dims lack layers or heads)"] += 1
        else:
            scored.append(err(r, "memory", row.memory))
    print(f"\nmemory readings: {len(measured)}, scored: {len(scored)} | {stats(scored)}")
    for why, n in sorted(classes.items(), key=lambda kv: -kv[1]):
        print(f"  classified (not the process's peak): {n:4d}  {why}")
    for why, n in sorted(unpredicted.items(), key=lambda kv: -kv[1]):
        print(f"  not predicted: {n:4d}  {why}")


def groups_table(results: list[dict]) -> None:
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        row = r["row"]
        if not row.predictable:
            continue
        keys = [
            "all",
            f"source {row.source}",
            f"engine {row.engine}",
            f"vendor {row.accel.vendor}",
            "speculative" if row.spec is not None else "plain decoding",
        ]
        if row.concurrency > 1:
            keys = ["load " + k for k in keys]
        for k in keys:
            for metric, measured in (("decode", row.decode), ("memory", row.memory)):
                e = err(r, metric, measured)
                if e is not None:
                    groups[k][metric].append(e)
            if row.concurrency == 1 and row.decode:
                for base in ("roof", "llmfit"):
                    e = err(r, base, row.decode)
                    if e is not None:
                        groups[k][base].append(e)
    head = "median     p90     n"
    print(f"\n{'group':28s} | decode {head} | roofline×0.7 {head} | llmfit {head} | memory {head}")
    for k in sorted(groups, key=lambda s: (s.startswith("load"), s != "all", s)):
        g = groups[k]
        print(
            f"{k:28s} | {stats(g['decode'])} | {stats(g['roof'])} | {stats(g['llmfit'])} "
            f"| {stats(g['memory'])}"
        )


def report(results: list[dict]) -> None:
    coverage(results)
    memory_coverage(results)
    groups_table(results)


def worst(results: list[dict], n: int) -> None:
    scored = [
        (abs(e), e, r) for r in results if (e := err(r, "decode", r["row"].decode)) is not None
    ]
    print(f"\nworst {n} decode rows:")
    for _, e, r in sorted(scored, key=lambda t: -t[0])[:n]:
        row = r["row"]
        print(
            f"  {e * 100:+7.1f}% meas {row.decode:8.1f} pred {r['decode']:8.1f} "
            f"{row.source:9s} {row.engine:10s} {row.count}x{row.accel.slug:18s} "
            f"{row.precision:9s} {row.model[:40]:40s} p={row.prompt_tokens} o={row.output_tokens} "
            f"c={row.concurrency} [{r['level']}]"
        )
