"""Context hooks: how apps above catalog add sections to catalog's pages.

Catalog may not import pricing or benchmarks (the layering test forbids it), yet the
model page shows offers, price history, requirements and benchmark runs. So each of
those apps registers a context function here, in a module named `web_context.py`
that is discovered the way the admin discovers `admin.py`:

    # pricing/web_context.py
    from catalog import page_hooks

    def model_offers(*, model, **_):
        return {"offers": selectors.offer_list_current_for_model(model=model)}

    page_hooks.register("model_detail", model_offers)

Pages and their keyword arguments: "home" (), "model_list" (models), "model_detail"
(model), "compare" (models), "guide" (guide: the guide's slug). Guide hooks live in a
module named `guide_context.py` (discovered the same way) and return {} without a query
for the guides they do not serve. A hook returns a dict merged into the template context;
the page's partials render nothing while their key is absent. Hooks must query a
bounded number of times (the pages' query-count tests include them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import autodiscover_modules

PAGES = ("home", "model_list", "model_detail", "compare", "guide")
ContextHook = Callable[..., dict[str, Any]]

_hooks: dict[str, list[ContextHook]] = defaultdict(list)
_discovered = False


def register(page: str, hook: ContextHook) -> None:
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages are {PAGES}")
    if hook not in _hooks[page]:
        _hooks[page].append(hook)


def context_for(page: str, **kwargs: Any) -> dict[str, Any]:
    """Run every hook registered for `page` and merge what they return."""
    global _discovered
    if not _discovered:
        autodiscover_modules("web_context", "guide_context")
        _discovered = True
    context: dict[str, Any] = {}
    for hook in _hooks[page]:
        context.update(hook(**kwargs))
    return context
