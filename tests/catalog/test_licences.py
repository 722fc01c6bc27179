"""What a licence id allows (catalog/licences.py, pure)."""

from __future__ import annotations

import pytest

from catalog.licences import NON_COMMERCIAL, OPEN_SOURCE, OTHER, USE_POLICY, licence_kind


@pytest.mark.parametrize(
    ("licence", "kind"),
    [
        ("apache-2.0", OPEN_SOURCE), ("MIT", OPEN_SOURCE), (" bsd-3-clause ", OPEN_SOURCE),
        ("cc-by-4.0", OPEN_SOURCE), ("llama3.1", USE_POLICY), ("gemma", USE_POLICY),
        ("openrail++", USE_POLICY), ("creativeml-openrail-m", USE_POLICY),
        ("cc-by-nc-4.0", NON_COMMERCIAL), ("cc-by-nc-sa-4.0", NON_COMMERCIAL),
        ("other", OTHER), ("my-own-terms", OTHER), ("", OTHER),
    ],
)  # fmt: skip
def test_licence_kind(licence, kind) -> None:
    assert licence_kind(licence).key == kind


def test_each_kind_says_what_it_allows_commercially() -> None:
    assert licence_kind("mit").commercial == "allowed"
    assert licence_kind("cc-by-nc-4.0").commercial == "not allowed"
    assert licence_kind("unknown-id").commercial == "read the licence"
