"""Issue 16 §2: throttles that hold across workers and clients, the plan form throttled,
the admin login locked out (django-axes), identical plans reused, unviewed plans expired."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.utils import timezone
from rest_framework.settings import api_settings

from planner.lifecycle import plan_mark_viewed, plans_expire
from planner.models import Plan
from tests.ops.harness import REDIS_URL, redis_available
from tests.planner.db import make_world

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "from django.conf import settings"
PLAN = {"task": "chat", "requests_per_day": 1000}


def _settings_in_subprocess(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CACHE_URL")}
    proc = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SETTINGS}; {code}"],
        cwd=REPO_ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return proc.stdout.strip()


def test_the_cache_is_redis_whenever_a_broker_is_configured() -> None:
    code = (
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
    )
    with_broker = _settings_in_subprocess(code, CELERY_BROKER_URL="redis://127.0.0.1:6379/5")
    assert with_broker == "django.core.cache.backends.redis.RedisCache redis://127.0.0.1:6379/5"
    own_db = _settings_in_subprocess(
        code, CELERY_BROKER_URL="redis://127.0.0.1:6379/5", CACHE_URL="redis://127.0.0.1:6379/6"
    )
    assert own_db.endswith("redis://127.0.0.1:6379/6")
    assert _settings_in_subprocess(code).startswith("django.core.cache.backends.locmem")


def test_runserver_never_trusts_x_forwarded_for() -> None:
    code = "import sys; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    assert _settings_in_subprocess(code, NUM_PROXIES="1") == "1"
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv=['manage.py', 'runserver']; import django; "
         f"django.setup(); {SETTINGS}; print(settings.REST_FRAMEWORK['NUM_PROXIES'], "
         "settings.AXES_IPWARE_META_PRECEDENCE_ORDER)"],
        cwd=REPO_ROOT, env={**os.environ, "NUM_PROXIES": "1"}, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert proc.stdout.strip() == "0 ['REMOTE_ADDR']"


@pytest.fixture
def redis_cache(settings):
    if not redis_available():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{os.getpid()}",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


@pytest.mark.redis
@pytest.mark.django_db
def test_anonymous_limit_is_shared_through_redis_and_a_new_forwarded_for_does_not_reset_it(
    client, settings, redis_cache
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "5/min"},
        "NUM_PROXIES": 1,
    }
    statuses = []
    for i in range(8):  # a new spoofed first hop each time; nginx appends the real address
        response = client.get("/api/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7")
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429] * 3
    assert any(key for key in redis_cache._cache.get_client().keys("*throttle_anon_198.51.100.7*"))
    # another real client is not affected
    other = client.get("/api/", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.8")
    assert other.status_code == 200


@pytest.mark.django_db
def test_without_a_proxy_the_forwarded_for_header_is_ignored(client, settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"},
        "NUM_PROXIES": 0,
    }
    statuses = [
        client.get("/api/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_staff_tokens_are_exempt(client, settings) -> None:
    from rest_framework.authtoken.models import Token

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/min", "user": "2/min",
        },
    }  # fmt: skip
    staff = get_user_model().objects.create_user("ops", password="x-long-password", is_staff=True)
    token = Token.objects.create(user=staff)
    statuses = {
        client.get("/api/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code for _ in range(6)
    }
    assert statuses == {200}


@pytest.mark.django_db
def test_the_plan_form_and_the_plan_api_are_throttled(client, settings) -> None:
    make_world()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "plan_create": "3/min"},
    }
    form = {"task": "chat", "modes": ["", "api"], "nav": "next"}
    statuses = [
        client.post("/plan/step/review/", {**form, "requests_per_day": str(100 + i)}).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    api = client.post("/api/plans/", PLAN, content_type="application/json")
    assert api.status_code == 429  # the same client's budget
    assert api.json()["error"]["code"] == "throttled"
    assert Plan.objects.count() == 3


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("admin", "a@example.test", "right-password-1")
    url = "/admin/login/?next=/admin/"
    for _ in range(3):
        response = client.post(url, {"username": "admin", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(url, {"username": "admin", "password": "right-password-1"})
    assert locked.status_code == 429  # even the right password, while locked out
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_still_works_below_the_limit(client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("admin", "a@example.test", "right-password-1")
    client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    ok = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "right-password-1"}
    )
    assert ok.status_code == 302
    assert "_auth_user_id" in client.session


# --- plan reuse and expiry -------------------------------------------------------------
@pytest.mark.django_db
def test_identical_inputs_on_the_same_data_reuse_the_plan_and_a_price_change_does_not(
    client,
) -> None:
    from pricing.models import Offer

    make_world()
    slugs = {
        client.post("/api/plans/", PLAN, content_type="application/json").json()["slug"]
        for _ in range(5)
    }
    assert len(slugs) == 1
    assert Plan.objects.count() == 1
    other = client.post(
        "/api/plans/", {**PLAN, "requests_per_day": 2000}, content_type="application/json"
    )
    assert other.json()["slug"] not in slugs
    offer = Offer.objects.filter(valid_to__isnull=True).first()
    Offer.objects.filter(pk=offer.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    after = client.post("/api/plans/", PLAN, content_type="application/json").json()["slug"]
    assert after not in slugs  # new data version: a new plan
    assert Plan.objects.count() == 3


@pytest.mark.django_db
def test_plans_never_viewed_expire_but_demo_pinned_viewed_and_users_plans_stay(
    client, settings
) -> None:
    make_world()
    settings.PLAN_EXPIRE_DAYS = 7
    user = get_user_model().objects.create_user("u", password="x-long-password")
    made = {}
    for name, rpd in [("stale", 10), ("viewed", 20), ("pinned", 30), ("demo", 40), ("user", 50),
                      ("fresh", 60)]:  # fmt: skip
        body = {**PLAN, "requests_per_day": rpd}
        made[name] = Plan.objects.get(
            slug=client.post("/api/plans/", body, content_type="application/json").json()["slug"]
        )
    old = timezone.now() - timedelta(days=10)
    Plan.objects.exclude(pk=made["fresh"].pk).update(created_at=old)
    Plan.objects.filter(pk=made["pinned"].pk).update(pinned=True)
    Plan.objects.filter(pk=made["demo"].pk).update(slug="demochat")
    Plan.objects.filter(pk=made["user"].pk).update(user=user)
    # a shared link opened later counts as a view (the creator's redirect does not)
    assert client.get(f"/plan/{made['viewed'].slug}/").status_code == 200
    assert Plan.objects.get(pk=made["viewed"].pk).last_viewed_at is not None
    fresh = Plan.objects.get(pk=made["fresh"].pk)
    plan_mark_viewed(fresh, now=timezone.now())
    assert Plan.objects.get(pk=fresh.pk).last_viewed_at is None  # within the grace period

    from planner.tasks import plans_expire_task

    assert plans_expire_task.delay().get() == 1
    assert not Plan.objects.filter(pk=made["stale"].pk).exists()
    assert Plan.objects.count() == 5
    assert client.get(f"/plan/{made['viewed'].slug}/").status_code == 200
    assert plans_expire(now=timezone.now(), days=0) == 0  # 0 = never


def test_the_expiry_task_is_on_the_beat_schedule() -> None:
    from config.celery import beat_schedule

    entry = beat_schedule()["planner-plans-expire-daily"]
    assert entry["task"] == "planner.tasks.plans_expire_task"
