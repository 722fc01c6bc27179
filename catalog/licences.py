"""What a model licence allows, by its Hub licence id: a small reviewed table (pure).

Open licences (an OSI-approved source licence, an Open Definition content licence such as
CC BY, or public domain) let anyone use, change and redistribute the weights for any
purpose. Open weights with a use policy publish the weights but add an acceptable-use
policy, naming or user-count conditions (Llama, Gemma, the RAIL family). Non-commercial
forbids commercial use. Anything else ("other", custom or unknown ids): read the licence.
Sources: opensource.org/licenses, creativecommons.org/licenses, and each model family's
licence text as linked from its Hub card.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN_SOURCE = "open_source"
USE_POLICY = "use_policy"
NON_COMMERCIAL = "non_commercial"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class LicenceKind:
    key: str
    label: str
    commercial: str  # what it says about commercial use, in a few words


KINDS: dict[str, LicenceKind] = {
    OPEN_SOURCE: LicenceKind(OPEN_SOURCE, "Open licence", "allowed"),
    USE_POLICY: LicenceKind(USE_POLICY, "Open weights, use policy", "allowed, with conditions"),
    NON_COMMERCIAL: LicenceKind(NON_COMMERCIAL, "Non-commercial", "not allowed"),
    OTHER: LicenceKind(OTHER, "Other or custom", "read the licence"),
}

_BY_ID: dict[str, str] = {
    **dict.fromkeys(
        ("apache-2.0", "mit", "bsd", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear",
         "isc", "mpl-2.0", "gpl", "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1", "lgpl-3.0",
         "agpl-3.0", "artistic-2.0", "bsl-1.0", "ecl-2.0", "epl-1.0", "epl-2.0", "afl-3.0",
         "osl-3.0", "postgresql", "zlib", "unlicense", "cc0-1.0", "cc-by-2.0", "cc-by-2.5",
         "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0", "odc-by", "pddl"),
        OPEN_SOURCE,
    ),
    **dict.fromkeys(
        ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma",
         "openrail", "openrail++", "creativeml-openrail-m", "bigscience-openrail-m",
         "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "deepfloyd-if-license",
         "apple-amlr", "h-research", "intel-research", "lgpl-lr", "c-uda", "etalab-2.0"),
        USE_POLICY,
    ),
    **dict.fromkeys(
        ("cc-by-nc-2.0", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0",
         "cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0",
         "apple-ascl", "fair-noncommercial-research-license"),
        NON_COMMERCIAL,
    ),
}  # fmt: skip


def licence_kind(licence_id: str) -> LicenceKind:
    """The kind of a Hub licence id ("apache-2.0" -> open source); unknown ids -> OTHER."""
    return KINDS[_BY_ID.get(licence_id.strip().lower(), OTHER)]
