"""Demo data: price feeds from ../shared through the project's own feed_sync.

models.dev is loaded twice, the 2025-11-18 snapshot first and then the HEAD-derived
copy, so real price history (closed rows) appears. Eight months apart, the later copy
no longer lists 41% of the earlier one's offers (retired models): a real sync would hold
that as a likely wipe, so this one step says it is meant (`allow_mass_close`, as
`sync_prices --allow-mass-close` does). Prints each feed's link rate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

FEEDS = [
    # (feed slug, path under ../shared, the date the copy was taken)
    ("litellm", "feeds/litellm/model_prices_and_context_window.json", "2026-11-24"),
    ("openrouter", "feeds/openrouter/api-v1-models.all-modalities.2026-08-18.json", "2026-08-18"),
    ("models-dev", "feeds/models.dev/api.snapshot-2025-11-18.json", "2025-11-18"),
    ("models-dev", "feeds/models.dev/api.derived-from-HEAD-f3fc692.json", "2026-07-02"),  # later
    ("genai-prices", "feeds/genai-prices/data.json", "2026-08-21"),
    ("aws-gpu-instances", "hardware/aws-gpu-instances/aws_gpu_instances.json", "2026-01-21"),
    *[
        (f"skypilot-{cloud}", f"hardware/skypilot-catalog/{cloud}/vms.csv", "2026-05-20")
        for cloud in ("gcp", "azure", "lambda", "vast", "nebius", "hyperbolic")
    ],
]


def run(shared: Path, log: Callable[[str], None]) -> None:
    from django.conf import settings

    from pricing.linking_selectors import linking_report
    from pricing.models import Provider
    from pricing.selectors import offer_link_rates
    from pricing.services.feeds import feed_sync
    from pricing.services.model_tasks import model_modalities_from_tasks, priced_models_without_task
    from pricing.services.providers import providers_load

    loaded = providers_load()
    log(f"provider registry: {loaded.created} providers, {loaded.aliases} aliases")
    # The demo's Hub (../shared/hub) was synced whole by the "hub" step: there is nothing
    # more to fetch, and the real Hub is not asked while building the demo. A Hub id a
    # feed states is then kept as the model's identity (catalog.services.linking).
    settings.LINKING_HUB_FETCH = False

    for slug, rel, day in FEEDS:
        path = shared / rel
        if not path.exists():
            log(f"{slug}: {rel} absent, skipped")
            continue
        # The copy's date is when these prices were seen: history rows get real dates.
        when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        later_copy = slug == "models-dev" and "derived-from-HEAD" in rel
        result = feed_sync(feed_slug=slug, file=path, now=when, allow_mass_close=later_copy)
        log(
            f"{slug} ({path.name}): {result.status} created={result.created} "
            f"changed={result.updated} unchanged={result.unchanged} closed={result.closed} "
            f"rejected={result.rejected}"
        )
    for row in offer_link_rates():
        log(link_rate_line(row))
    log(f"modalities from tasks: {model_modalities_from_tasks()} models")
    log(f"priced models without a task: {len(priced_models_without_task())}")
    unreviewed = list(Provider.objects.filter(reviewed=False).values_list("slug", flat=True))
    log(
        f"providers: {Provider.objects.count()} ({len(unreviewed)} unreviewed"
        f"{': ' + ', '.join(unreviewed[:20]) if unreviewed else ''})"
    )
    for line in linking_report().lines():
        log(line)


def link_rate_line(row: dict) -> str:
    def pct(n: int, d: int) -> str:
        return f"{100 * n / d:.1f}%" if d else "n/a"

    return (
        f"link rate {row['feed__slug']}: {row['linked']}/{row['offers']} offers linked "
        f"({pct(row['linked'], row['offers'])}), {row['linked_hub']} to Hub repos; "
        f"open-weight offers linked to a Hub repo: {row['open_weight_hub']}/"
        f"{row['open_weight']} ({pct(row['open_weight_hub'], row['open_weight'])})"
    )
