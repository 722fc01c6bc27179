"""The MCP server: the five tools of planner.mcp.tools on the official SDK's MCPServer.

Each tool has typed inputs (the SDK publishes them as JSON Schema); ranges, choices and
lookups are validated by the REST API's own serializers and FilterSets inside the tool,
and a refusal comes back as an MCP tool error whose text is the API's error body
(`{"status": 400, "error": {"code", "message", "fields"}}`). Needs the `mcp` extra.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db import close_old_connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from planner.mcp import tools

INSTRUCTIONS = (
    "Model Atlas: a catalog of generative AI models with every provider's API prices, GPU "
    "instance prices, hardware estimates and a planner. Use search_models to find models, "
    "model_facts for one model's facts, price_usage for a workload's monthly cost (API "
    "offers and self-hosted), what_runs_on for models that fit an accelerator, and plan to "
    "rank models and deployments for a project (it saves a shareable plan)."
)


class OwnedAccelerator(BaseModel):
    accelerator: str = Field(description='Accelerator slug, e.g. "rtx-4090".')
    count: int = 1


def _run(fn: Any, **kwargs: Any) -> dict[str, Any]:
    # A long-lived stdio process, tools in worker threads: drop connections gone stale or
    # past CONN_MAX_AGE before and after each call, as Django does around a request.
    close_old_connections()
    try:
        return fn(**kwargs)
    except tools.ToolFailure as exc:
        raise ToolError(exc.text()) from exc
    finally:
        close_old_connections()


def build_server() -> MCPServer:
    server = MCPServer("model-atlas", instructions=INSTRUCTIONS)

    @server.tool()
    def search_models(
        query: Annotated[str, Field(description="Words in the repo id or name.")] = "",
        task: Annotated[str | None, Field(description="Task slug, e.g. text-generation.")] = None,
        organization: Annotated[str | None, Field(description="Organization slug.")] = None,
        open_weights: Annotated[bool | None, Field(description="Only open (or closed).")] = None,
        provider: Annotated[str | None, Field(description="Has a current offer here.")] = None,
        min_context_tokens: Annotated[int | None, Field(description="Context at least.")] = None,
        params_max: Annotated[int | None, Field(description="At most this many params.")] = None,
        ordering: Annotated[
            str | None,
            Field(description="As /api/models/: downloads, -downloads, cheapest, quality..."),
        ] = None,
        limit: Annotated[int, Field(description="1 to 50 rows.")] = 10,
    ) -> dict[str, Any]:
        """Find catalog models (the filters of GET /api/models/); most downloaded first."""
        return _run(
            tools.search_models, query=query, task=task, organization=organization,
            open_weights=open_weights, provider=provider, min_context_tokens=min_context_tokens,
            params_max=params_max, ordering=ordering, limit=limit,
        )  # fmt: skip

    @server.tool()
    def model_facts(
        repo_id: Annotated[str, Field(description="Catalog repo id (org/name).")],
    ) -> dict[str, Any]:
        """One model's facts: size, architecture, context, licence, dates, sources."""
        return _run(tools.model_facts, repo_id=repo_id)

    @server.tool()
    def price_usage(
        model: Annotated[str, Field(description="Catalog repo id.")],
        requests_per_day: int,
        input_tokens: Annotated[int, Field(description="Input tokens per request.")],
        output_tokens: Annotated[int, Field(description="Output tokens per request.")],
        cache_hit_share: Annotated[float, Field(description="0-1 of input from cache.")] = 0.0,
        batch_ok: Annotated[bool, Field(description="Batch API prices allowed.")] = False,
        days: int = 30,
        accelerator: Annotated[str | None, Field(description="Self-hosted: only this.")] = None,
        accelerator_count: int | None = None,
        precision: Annotated[str, Field(description="Self-hosted precision, e.g. bf16.")] = "bf16",
        concurrency: int = 8,
        utilization: float = 0.5,
    ) -> dict[str, Any]:
        """Monthly cost of a workload on every current API offer and self-hosted
        (POST /api/estimate/cost/)."""
        return _run(
            tools.price_usage, model=model, requests_per_day=requests_per_day,
            input_tokens=input_tokens, output_tokens=output_tokens,
            cache_hit_share=str(cache_hit_share), batch_ok=batch_ok, days=days,
            accelerator=accelerator, accelerator_count=accelerator_count,
            precision=precision, concurrency=concurrency, utilization=utilization,
        )  # fmt: skip

    @server.tool()
    def plan(
        task: Annotated[str, Field(description="chat, code, embeddings... (POST /api/plans/).")],
        requests_per_day: float | None = None,
        avg_input_tokens: float | None = None,
        avg_output_tokens: float | None = None,
        cacheable_input_share: float | None = None,
        peak_concurrency: int | None = None,
        max_ttft_s: float | None = None,
        budget_monthly_usd: float | None = None,
        modes: Annotated[
            list[str] | None, Field(description="Any of api, owned, cloud (default: any).")
        ] = None,
        owned: list[OwnedAccelerator] | None = None,
        clouds: list[str] | None = None,
        spot: bool | None = None,
        open_weights_only: bool | None = None,
        commercial_only: bool | None = None,
        min_context_tokens: int | None = None,
        quality_floor: float | None = None,
        model: Annotated[str | None, Field(description="Plan with this model's family.")] = None,
        seats: Annotated[
            int | None, Field(description="Seats workload: people (compares seat plans).")
        ] = None,
        interactions_per_seat_per_day: float | None = None,
    ) -> dict[str, Any]:
        """Rank models × deployments (API, owned GPUs, rented cloud GPUs) by monthly cost
        and quality for a project; saves the plan and returns its URL (POST /api/plans/)."""
        return _run(
            tools.plan, task=task, requests_per_day=requests_per_day,
            avg_input_tokens=avg_input_tokens, avg_output_tokens=avg_output_tokens,
            cacheable_input_share=cacheable_input_share, peak_concurrency=peak_concurrency,
            max_ttft_s=max_ttft_s, budget_monthly_usd=budget_monthly_usd, modes=modes,
            owned=[o.model_dump() for o in owned] if owned is not None else None, clouds=clouds,
            spot=spot, open_weights_only=open_weights_only, commercial_only=commercial_only,
            min_context_tokens=min_context_tokens, quality_floor=quality_floor, model=model,
            seats=seats, interactions_per_seat_per_day=interactions_per_seat_per_day,
        )  # fmt: skip

    @server.tool()
    def what_runs_on(
        accelerator: Annotated[str, Field(description="Accelerator slug, e.g. h100-sxm.")],
        count: Annotated[int, Field(description="How many of them.")] = 1,
        precision: Annotated[str, Field(description="bf16, fp8, int8, int4...")] = "bf16",
        task: Annotated[str | None, Field(description="Task slug filter.")] = None,
        limit: int = 10,
    ) -> dict[str, Any]:
        """Models that fit on count × accelerator at precision (8k context, batch 1)."""
        return _run(
            tools.what_runs_on, accelerator=accelerator, count=count, precision=precision,
            task=task, limit=limit,
        )  # fmt: skip

    return server
