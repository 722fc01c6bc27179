"""`manage.py plan` prints the ranked table and the message."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from planner.models import Plan
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_plan_prints_the_ranked_table_and_the_message() -> None:
    make_world()
    text = run("--task", "chat", "--requests-per-day", "10000", "--in", "800", "--out", "300",
               "--budget", "1000", "--hardware", "api,cloud")  # fmt: skip
    lines = text.splitlines()
    assert lines[0].split() == [
        "#",
        "model",
        "deployment",
        "USD/month",
        "budget",
        "quality",
        "signal",
    ]
    first = lines[2].split()
    assert first[:4] == ["1", "gpt-4o-mini", "OpenAI", "API"]
    assert "90.00" in first
    assert first[-3:] == ["yes", "70.0", "index"]
    assert lines[-2].startswith("4 of 8 options fit the $1,000.00/month budget; best: gpt-4o-mini")
    # both sides (API and cloud) are in the plan: its breakeven is printed
    assert lines[-1].startswith("Breakeven: Self-hosting on 1× NVIDIA H100")


def test_owned_accelerators_are_added_to_the_hardware() -> None:
    make_world()
    # "@0": already paid for, power only ($38.88/month) fits the $60 budget
    text = run("--owned", "rtx-4090:1@0", "--hardware", "api", "--open-weights", "--budget", "60")
    assert "RTX 4090 (bf16), owned" in text.splitlines()[2]
    # without a price the card's list price is amortised ($1,599 over 36 months + power
    # = $83.30/month): over the budget, the API row comes first
    text = run("--owned", "rtx-4090:1", "--hardware", "api", "--open-weights", "--budget", "60")
    assert "RTX 4090 (bf16), owned" not in text.splitlines()[2]
    assert "RTX 4090 (bf16), owned" in text


def test_json_output_and_save() -> None:
    make_world()
    data = json.loads(run("--json", "--budget", "1"))
    assert data["nothing_within_budget"] is True
    text = run("--save")
    plan = Plan.objects.get()
    assert text.splitlines()[-1] == f"saved: /plan/{plan.slug}/"


def test_invalid_inputs_are_a_command_error() -> None:
    with pytest.raises(CommandError, match="requests_per_day: Cannot be negative"):
        run("--requests-per-day", "-3")


def test_image_tasks_take_images_not_the_token_defaults() -> None:
    from tests.planner.test_scenarios import _world

    world = _world()
    text = run("--task", "text-to-image", "--images-per-month", "10000", "--peak", "1",
               "--json")  # fmt: skip
    data = json.loads(text)
    rows = data["rows"]
    assert {r["deployment"]["kind"] for r in rows} == {"api", "cloud"}
    for row in rows:
        assert row["cost"]["requests_per_month"] == 10_000
        assert row["model_id"] == world["flux"].id
        if row["deployment"]["kind"] == "cloud":
            assert row["selfhost"]["unit"] == "image"
            assert row["deployment"]["billing"] in ("always-on", "per-second")
    api = next(r for r in rows if r["deployment"]["kind"] == "api")
    assert api["cost"]["image_usd"] == pytest.approx(10_000 * 0.003)
    assert api["cost"]["input_usd"] == 0  # no 800 input tokens slipped in
    always = run("--task", "text-to-image", "--images-per-month", "10000", "--billing",
                 "always-on", "--json")  # fmt: skip
    billing = {r["deployment"]["billing"] for r in json.loads(always)["rows"]}
    assert billing <= {"", "always-on"}


def test_speech_tasks_take_audio_minutes() -> None:
    from tests.planner.test_scenarios import _world

    _world()
    data = json.loads(run("--task", "speech-to-text", "--audio-minutes-per-month", "6000",
                          "--audio-minutes", "2", "--hardware", "api", "--json"))  # fmt: skip
    api = next(r for r in data["rows"] if r["deployment"]["kind"] == "api")
    assert api["cost"]["requests_per_month"] == 3000
    assert api["cost"]["audio_usd"] == pytest.approx(6000 * 0.006)
