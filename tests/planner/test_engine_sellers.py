"""Offers you can really buy (issue 18 §2): free tiers apart, resellers and unreviewed
providers out by default (one switch each), first-party and major hosts first within 5%."""

from __future__ import annotations

from planner.engine import ApiOfferTable, rank
from planner.records import Budget, Constraints, HardwareChoice
from tests.planner.builders import make_model, make_offer, make_workload

HW = HardwareChoice(modes=("api",))


def _offer(offer_id: int, slug: str, kind: str, price: float, reviewed: bool = True, model=1):
    return make_offer(
        offer_id, model, provider_slug=slug, provider_name=slug.title(),
        usd_per_mtok_input=price, usd_per_mtok_output=price, provider_kind=kind,
        provider_reviewed=reviewed,
    )  # fmt: skip


OFFERS = [
    _offer(1, "grey", "gateway", 1.0),
    _offer(2, "lab", "first_party", 2.0),
    _offer(3, "freebie", "free_tier", 0.5),
    _offer(4, "newco", "unknown", 1.5, reviewed=False),
    _offer(5, "host", "inference_host", 2.5),
    _offer(6, "plan", "subscription", 0.0),
]


def _slugs(rows) -> list[str]:
    return [r.deployment.provider_slug for r in rows]


def test_by_default_only_reviewed_pay_as_you_go_sellers_are_ranked() -> None:
    result = rank(make_workload(), Budget(), HW, Constraints(), [make_model(1)], OFFERS, [])
    assert _slugs(result.rows) == ["lab", "host"]
    assert [r.deployment.provider_kind for r in result.rows] == ["first_party", "inference_host"]
    assert _slugs(result.free_tier) == ["freebie"]
    excluded = dict(result.excluded)
    assert excluded["api: gateway or reseller"] == 1
    assert excluded["api: provider not reviewed yet"] == 1
    assert excluded["api: free tier (listed apart, to try for free)"] == 1
    assert excluded["api: not a pay-as-you-go offer (subscription, tool or local runtime)"] == 1


def test_one_switch_each_lets_a_kind_in() -> None:
    def slugs(**switch: bool) -> set[str]:
        c = Constraints(**switch)
        return set(_slugs(rank(make_workload(), Budget(), HW, c, [make_model(1)], OFFERS, []).rows))

    assert slugs(include_resellers=True) == {"lab", "host", "grey"}
    assert slugs(include_unreviewed=True) == {"lab", "host", "newco"}
    assert slugs(include_free_tiers=True) == {"lab", "host", "freebie"}


def test_first_party_and_hyperscalers_rank_first_within_five_percent() -> None:
    def order(lab_price: float) -> list[str]:
        offers = [
            _offer(1, "host", "inference_host", 1.0),
            _offer(2, "lab", "first_party", lab_price),
        ]
        return _slugs(
            rank(make_workload(), Budget(), HW, Constraints(), [make_model(1)], offers, []).rows
        )

    assert order(1.04) == ["lab", "host"]  # 4% dearer: the first party first
    assert order(1.06) == ["host", "lab"]  # 6% dearer: the cheaper host first
    assert order(1.0) == ["lab", "host"]


def test_offers_without_a_stated_kind_are_never_left_out() -> None:
    offers = [make_offer(1, 1), make_offer(2, 1, provider_slug="other")]
    result = rank(make_workload(), Budget(), HW, Constraints(), [make_model(1)], offers, [])
    assert len(result.rows) == 2


def test_the_offer_table_keeps_kinds_from_rows_and_records() -> None:
    row = (1, 1, "lab", "Lab", 1.0, 2.0, None, None, None, None, None, None, "first_party", 1)
    table = ApiOfferTable.from_rows([row])
    assert table[0].provider_kind == "first_party"
    assert table[0].provider_reviewed is True
    again = ApiOfferTable.from_offers(list(table))
    assert again.provider_kinds == ("first_party",)
    assert again.unreviewed().tolist() == [False]
