"""Model-card HTML sanitizing (pure: no Django imports).

Hub model cards are untrusted markup. Ingest runs them through `sanitize_html` once and
stores the result in `Model.description`; templates may then mark that field safe. Raw
feed data is never marked safe.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
        "s", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
        "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align", "scope"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})


def sanitize_html(text: str) -> str:
    """Return `text` with every tag, attribute and URL scheme outside the allowlist removed.

    Scripts, styles, event handlers (`onerror=`), iframes and `javascript:` URLs go;
    links get `rel="noopener noreferrer nofollow"`. Idempotent: sanitizing twice gives
    the same string.
    """
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
