"""The providers list, a provider page and a model page's grouped offers in a real browser
at 390 and 1400 px, light and dark: no sideways scroll, no console error, no serious or
critical axe violation. Screenshots in test-artifacts/providers/."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import ARTIFACTS, AXE_PATH, axe_violations, horizontal_overflow_px
from tests.web.builders import T0, make_feed, make_model, make_offer, make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def _world() -> list[str]:
    llama = make_model(MODEL)
    together = make_provider("together", kind="inference_host", name="Together AI")
    together.homepage, together.pricing_url = (
        "https://www.together.ai/",
        "https://www.together.ai/pricing",
    )
    together.save()
    lab = make_provider("black-forest-labs", kind="first_party", name="Black Forest Labs")
    make_provider("openrouter", kind="router", name="OpenRouter")
    litellm, models_dev = make_feed("litellm"), make_feed("models-dev")
    make_offer(llama, together, "0.20", feed=litellm,
               model_name="together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct")  # fmt: skip
    make_offer(llama, together, "0.18", feed=models_dev, model_name=MODEL,
               valid_from=T0 + dt.timedelta(days=1))  # fmt: skip
    turbo = "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo-fp8"
    make_offer(llama, together, "0.10", feed=litellm, model_name=turbo)
    make_offer(llama, make_provider("groq", kind="inference_host", name="Groq"), "0.05")
    make_offer(llama, make_provider("github-models", kind="free_tier", name="GitHub Models"), "0")
    for size, quality, price in (("1024x1024", "standard", "0.04"), ("1792x1024", "hd", "0.12")):
        make_offer(None, lab, "0", feed=litellm, unit="image", usd_per_image=price,
                   image_options={"size": size, "quality": quality},
                   model_name=f"flux-pro-{size}-{quality}")  # fmt: skip
    odd = make_provider("someone-unreviewed", name="someone_unreviewed_with_a_long_slug_name")
    odd.reviewed = False
    odd.save()
    return [
        "/providers/",
        f"/providers/?model={MODEL}&sort=price",
        "/providers/?q=together",
        "/providers/together/",
        "/providers/black-forest-labs/",
        f"/models/{MODEL}/",
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_provider_pages_fit_and_pass_axe(live_server, browser, theme) -> None:
    urls = _world()
    out = ARTIFACTS / "providers"
    out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for width, viewport in WIDTHS.items():
        phone = width == "phone"
        context = browser.new_context(viewport=viewport, color_scheme=theme, is_mobile=phone,
                                      has_touch=phone)  # fmt: skip
        context.add_init_script(path=str(AXE_PATH))
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(f"uncaught {e}"))
        try:
            for url in urls:
                errors.clear()
                response = page.goto(live_server.url + url, wait_until="load")
                tag = f"{url} [{width}, {theme}]"
                if response is None or response.status != 200:
                    failures.append(f"{tag} HTTP {response.status if response else '-'}")
                    continue
                overflow = horizontal_overflow_px(page)
                if overflow > 0:
                    failures.append(f"{tag} scrolls sideways by {overflow}px")
                failures += [f"{tag} console: {e}" for e in errors]
                failures += [
                    f"{tag} axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
                    for v in axe_violations(page)
                ]
                name = f"{urls.index(url)}-" + url.strip("/").split("?")[0].replace("/", "_")
                page.screenshot(path=str(out / f"{name}-{width}-{theme}.png"), full_page=True)
        finally:
            context.close()
    assert failures == [], "\n".join(failures)
