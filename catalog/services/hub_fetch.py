"""Any Hub model on demand: the catalog row of a repo id, fetched from HF_ENDPOINT when
the catalog does not have it yet.

    model = model_get_or_fetch(repo_id="Qwen/Qwen2.5-7B-Instruct")

Only "owner/name"-shaped ids are looked up. The fetch (model_info, config.json,
safetensors totals; the base model too when it is missing) runs as the Celery task
`catalog.tasks.hub_model_fetch_task`, rate-limited per worker, eagerly in-process when
no broker is configured. Requests are throttled (HUB_FETCH_PER_MINUTE lookups a
minute, per process) and a repo the Hub does not have is remembered for
HUB_FETCH_NEGATIVE_TTL_S seconds, so a page reloaded on a typo costs one Hub call.
"""

from __future__ import annotations

import logging
import re
import time

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.cache import cache

from catalog.hub import HubClient, HubError
from catalog.hub_parse import HubFormatError
from catalog.models import Model
from catalog.services.hub import hub_model_refresh
from catalog.services.hub_facts import models_facts_resolve
from config.errors import AtlasError, NotFound

logger = logging.getLogger(__name__)

# The Hub's repo-name rule: letters, digits, "-", "_", "."; no leading/trailing "-"/".";
# no "--" or ".." (huggingface_hub.utils.validate_repo_id); 96 characters a part.
REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_NEGATIVE = "hubfetch:missing:"
_WINDOW = "hubfetch:window:"


class ModelNotOnHub(NotFound):
    """Not in the catalog, and the Hub has no such repo (or the name is not a repo id):
    404 with the API's usual "not_found" code, the message naming the repo."""


class HubFetchThrottled(AtlasError):
    code = "hub_fetch_throttled"
    status = 429


class HubFetchFailed(AtlasError):
    """The Hub could not be asked (network, 5xx, rate limit): try again later."""

    code = "hub_unavailable"
    status = 503


class HubFetchPending(AtlasError):
    """Queued to a worker that has not answered within HUB_FETCH_WAIT_S."""

    code = "hub_fetch_pending"
    status = 503


def is_repo_id(name: str) -> bool:
    """ "owner/name" as the Hub allows it (huggingface_hub.utils.validate_repo_id)."""
    return (
        bool(REPO_ID.match(name))
        and ".." not in name
        and "--" not in name
        and not name.endswith((".", "-"))
    )


def _throttle() -> None:
    """A fixed one-minute window per process (the default cache is per process)."""
    window = f"{_WINDOW}{int(time.time() // 60)}"
    cache.add(window, 0, timeout=120)
    try:
        used = cache.incr(window)
    except ValueError:  # evicted between add and incr
        cache.set(window, 1, timeout=120)
        used = 1
    if used > settings.HUB_FETCH_PER_MINUTE:
        raise HubFetchThrottled(
            "Too many models fetched from the Hub this minute; try again shortly.",
            fields={"retry_after_s": 60 - int(time.time() % 60)},
        )


def model_get_or_fetch(*, repo_id: str) -> Model:
    """The catalog Model named `repo_id`, fetched from the Hub when absent.

    Raises ModelNotOnHub (404) when the name is not an "owner/name" repo id or the Hub
    has no such repo (cached), HubFetchThrottled (429), HubFetchFailed (503) when the
    Hub cannot be reached, HubFetchPending (503) when a worker is still fetching it."""
    found = Model.objects.filter(repo_id=repo_id).first()
    if found is not None:
        return found
    if not is_repo_id(repo_id):
        raise ModelNotOnHub(f"No model {repo_id!r} in the catalog.")
    if cache.get(f"{_NEGATIVE}{repo_id}"):
        raise ModelNotOnHub(f"No model {repo_id!r} in the catalog or on the Hub.")
    _throttle()
    from catalog.tasks import hub_model_fetch_task  # tasks import services, not the reverse

    result = hub_model_fetch_task.delay(repo_id)
    try:
        outcome = result.get(timeout=settings.HUB_FETCH_WAIT_S, propagate=True)
    except CeleryTimeoutError as exc:
        raise HubFetchPending(
            f"{repo_id} is being fetched from the Hub; try again in a few seconds."
        ) from exc
    if outcome == "missing":
        raise ModelNotOnHub(f"No model {repo_id!r} in the catalog or on the Hub.")
    if outcome != "ok":
        raise HubFetchFailed(f"The Hub could not be asked about {repo_id}: {outcome}")
    found = (
        Model.objects.filter(repo_id=repo_id).first()
        or Model.objects.filter(repo_id__iexact=repo_id).first()
    )
    if found is None:  # the Hub answered with another canonical id
        raise ModelNotOnHub(f"No model {repo_id!r} in the catalog or on the Hub.")
    return found


def hub_model_fetch(*, repo_id: str, client: HubClient | None = None) -> str:
    """Fetch one repo (and its base model when missing) into the catalog.

    Returns "ok", "missing" (the Hub has no such repo: cached for
    HUB_FETCH_NEGATIVE_TTL_S) or a line saying why the Hub could not be asked.
    Idempotent: a repo already in the catalog is not fetched again."""
    if Model.objects.filter(repo_id=repo_id).exists():
        return "ok"
    own = client is None
    client = client or HubClient.from_settings()
    try:
        try:
            model = hub_model_refresh(repo_id=repo_id, client=client)
        except HubError as exc:
            if exc.kind == "not_found":
                cache.set(f"{_NEGATIVE}{repo_id}", True, timeout=settings.HUB_FETCH_NEGATIVE_TTL_S)
                return "missing"
            logger.warning("hub fetch failed repo=%s error=%s", repo_id, exc)
            return str(exc)
        except HubFormatError as exc:
            return f"{repo_id}: model_info unreadable ({exc})"
        base = model.base_model_repo_id
        if base and is_repo_id(base) and not Model.objects.filter(repo_id=base).exists():
            try:
                hub_model_refresh(repo_id=base, client=client)
            except (HubError, HubFormatError) as exc:  # the model itself is stored
                logger.info("hub fetch of base failed repo=%s base=%s error=%s", repo_id, base, exc)
            else:
                Model.objects.filter(pk=model.pk).update(
                    base_model=Model.objects.filter(repo_id=base).first()
                )
                models_facts_resolve(ids=[model.pk])
    finally:
        if own:
            client.close()
    logger.info("hub fetch stored repo=%s", repo_id)
    return "ok"
