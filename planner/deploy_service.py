"""Deploy bundles of plan rows (issue 21 §1): read what the row needs from the database,
fill a target, call the pure generators in planner/deploy/.

`plan_row_bundle(slug=, n=)` serves the page, the API and `manage.py plan --deploy N`
(which also calls `row_bundle` on an unsaved plan). Row n is 1-based in the plan's
ranked rows. Queries: the plan (1), then for an API row the offer and its aliases (2);
for a self-hosted row the accelerator (1), the SkyPilot name from instance prices (1),
the model and its quantized variants (2).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from django.http import Http404

from benchmarks.estimate import engine_get
from benchmarks.models import Accelerator
from catalog.models import Model
from planner.deploy.api_files import endpoint_for, provider_model_id
from planner.deploy.bundle import build_bundle
from planner.deploy.engines import engine_for
from planner.deploy.targets import ApiTarget, Bundle, SelfHostTarget
from planner.records import MODE_API, MODE_OWNED, PlanInputs, PlanRow
from planner.site import plan_decode, plan_get
from pricing.models import InstancePrice, Offer

# repo-id markers of a quantized variant per plan precision (catalog base_model links)
VARIANT_MARKERS = {
    "fp8": ("fp8",),
    "int8": ("w8a8", "int8"),
    "int4-awq": ("awq",),
}


def plan_context_tokens(inputs: PlanInputs) -> int:
    """The longest sequence one request needs: input + output tokens, or the plan's
    minimum context when that is larger (what the fit check sized the KV cache for)."""
    w = inputs.workload
    need = math.ceil(w.avg_input_tokens + w.avg_output_tokens)
    return max(need, inputs.constraints.min_context_tokens or 0, 1)


def plan_row_get(*, slug: str, n: int) -> tuple[PlanInputs, PlanRow]:
    plan = plan_get(slug=slug)
    inputs, result, _ = plan_decode(plan)
    if not 1 <= n <= len(result.rows):
        raise Http404(f"Plan {slug!r} has no row {n} (it has {len(result.rows)}).")
    return inputs, result.rows[n - 1]


def plan_row_bundle(*, slug: str, n: int) -> tuple[PlanRow, Bundle]:
    inputs, row = plan_row_get(slug=slug, n=n)
    return row, row_bundle(inputs=inputs, row=row)


def row_bundle(*, inputs: PlanInputs, row: PlanRow) -> Bundle:
    if row.deployment.kind == MODE_API:
        return build_bundle(api_target(inputs=inputs, row=row))
    return build_bundle(selfhost_target(inputs=inputs, row=row))


def api_target(*, inputs: PlanInputs, row: PlanRow) -> ApiTarget:
    d = row.deployment
    offer = (
        Offer.objects.select_related("provider", "feed").filter(id=d.offer_id).first()
        if d.offer_id is not None
        else None
    )
    slug = offer.provider.slug if offer else d.provider_slug
    # the registry's aliases (pricing.ProviderAlias): the feeds' own slugs for the provider
    aliases = (
        list(offer.provider.aliases.values_list("alias", "scope")) if offer is not None else []
    )
    endpoint = next(
        (e for e in map(endpoint_for, [slug, *(a for a, _ in aliases)]) if e is not None), None
    )
    litellm = endpoint.litellm_provider if endpoint else ""
    if not litellm and offer is not None and offer.feed.slug == "litellm":
        # a provider only the LiteLLM feed names: its LiteLLM-scoped alias is the prefix
        litellm = next((a for a, scope in aliases if scope == "litellm"), offer.provider.slug)
    name = offer.model_name if offer else row.repo_id
    return ApiTarget(
        repo_id=row.repo_id,
        model_name=row.model_name,
        provider_slug=slug,
        provider_name=offer.provider.name if offer else d.label.removesuffix(" API"),
        provider_model_id=provider_model_id(name, slug, litellm),
        task=inputs.workload.task,
        base_url=endpoint.base_url if endpoint else "",
        api_key_env=endpoint.api_key_env if endpoint else "",
        litellm_provider=litellm,
        endpoint_source=endpoint.source if endpoint else "",
    )


def skypilot_accelerator_name(acc: Accelerator, d) -> str:
    """SkyPilot's name for the accelerator: the instance price row's (the prices come from
    SkyPilot's catalog), else the name most price rows give it, else its compact name."""
    rows = InstancePrice.objects.filter(accelerator=acc)
    if d.cloud:
        exact = (
            rows.filter(provider__slug=d.cloud, region=d.region, instance_type=d.instance)
            .values_list("accelerator_name", flat=True)
            .first()
        )
        if exact:
            return exact
    names = Counter(rows.values_list("accelerator_name", flat=True)[:200])
    if names:
        return names.most_common(1)[0][0]
    name = acc.name
    for word in ("NVIDIA", "AMD", "GeForce", "Radeon", "Apple", "Intel"):
        name = name.replace(word, "")
    return "".join(name.split()[:2]) or acc.slug.upper()


def _variant(model: Model | None, markers: tuple[str, ...]) -> str:
    if model is None or not markers:
        return ""
    variants = Model.objects.filter(base_model=model, base_model_relation="quantized")
    for repo_id in variants.order_by("-downloads").values_list("repo_id", flat=True)[:50]:
        if any(m in repo_id.lower() for m in markers):
            return repo_id
    return ""


def selfhost_target(*, inputs: PlanInputs, row: PlanRow) -> SelfHostTarget:
    d = row.deployment
    acc = Accelerator.objects.filter(slug=d.accelerator_slug).first()
    if acc is None:
        raise Http404(f"Accelerator {d.accelerator_slug!r} is no longer in the catalog.")
    model = Model.objects.filter(repo_id=row.repo_id).only("id", "context_tokens").first()
    replicas = max(row.cost.instances, 1)
    target = SelfHostTarget(
        repo_id=row.repo_id,
        model_name=row.model_name,
        kind=MODE_OWNED if d.kind == MODE_OWNED else "cloud",
        accelerator_slug=acc.slug,
        accelerator_name=acc.name,
        accelerator_kind=acc.kind,
        accelerator_vendor=acc.vendor,
        accelerator_family=acc.family,
        skypilot_accelerator=skypilot_accelerator_name(acc, d),
        count=d.count,
        precision=d.precision,
        context_tokens=plan_context_tokens(inputs),
        max_num_seqs=max(math.ceil(inputs.workload.peak_concurrency / replicas), 1),
        replicas=replicas,
        model_context_tokens=model.context_tokens if model else None,
        gpu_memory_utilization=engine_get("vllm").memory_utilization,
        cloud=d.cloud,
        region=d.region,
        instance=d.instance,
        spot=d.spot,
    )
    engine = engine_for(target)
    markers = ("mlx",) if engine == "mlx-lm" else VARIANT_MARKERS.get(d.precision, ())
    return replace(
        target,
        weights_repo_id=_variant(model, markers),
        gguf_repo_id=_variant(model, ("gguf",)) if d.kind == MODE_OWNED else "",
    )
