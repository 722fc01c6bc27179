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
    assert first[:4] == ["1", "gpt-4o-mini", "openai", "API"]
    assert "90.00" in first
    assert first[-3:] == ["yes", "70.0", "index"]
    assert lines[-1].startswith("4 of 8 options fit the $1,000.00/month budget; best: gpt-4o-mini")


def test_owned_accelerators_are_added_to_the_hardware() -> None:
    make_world()
    text = run("--owned", "rtx-4090:1", "--hardware", "api", "--open-weights", "--budget", "60")
    assert "RTX 4090 (bf16), owned" in text.splitlines()[2]


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
