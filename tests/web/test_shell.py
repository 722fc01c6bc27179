"""The site's shell on every page: header (menu button, search, theme toggle), favicon,
the scripts the CSP allows, footer links; the home page's task tiles."""

from __future__ import annotations

import re

import pytest

from tests.web.builders import make_demo_catalog, make_model, make_task

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_at_the_root_with_a_long_cache(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response["Cache-Control"] == "public, max-age=604800"
    body = response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # ICONDIR: reserved 0, type 1 (icon)
    assert int.from_bytes(body[4:6], "little") == 3  # 16, 32 and 48 px


def test_every_page_links_the_svg_favicon_and_the_theme_script_before_the_styles(client) -> None:
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    head = html.split("</head>")[0]
    # theme.js runs before the first paint so a stored dark theme never flashes light
    assert head.index("js/theme.js") < head.index("css/atlas.css")
    assert 'src="/static/js/theme.js"></script>' in head  # not deferred
    assert 'src="/static/js/site.js" defer' in head
    assert "<script>" not in html  # CSP: no inline scripts


def test_header_has_a_menu_button_for_the_nav_a_search_with_a_shortcut_and_a_theme_toggle(
    client,
) -> None:
    html = client.get("/").content.decode()
    assert re.search(r'<button class="icon-btn nav-toggle"[^>]*aria-controls="site-nav"', html)
    assert 'aria-expanded="false"' in html
    assert '<nav id="site-nav" class="site-nav" aria-label="Main">' in html
    assert 'id="header-q"' in html
    assert 'aria-keyshortcuts="/"' in html
    assert re.search(r'<button class="icon-btn theme-toggle"[^>]*aria-pressed="false"', html)


def test_nav_marks_the_current_section_and_the_footer_links_feeds_and_api_docs(client) -> None:
    html = client.get("/compare/").content.decode()
    assert '<a href="/compare/" aria-current="page">Compare</a>' in html
    footer = html.split('<footer class="site-footer">')[1]
    assert 'href="/feeds/"' in footer
    assert 'href="/api/docs/"' in footer


def test_home_hides_task_tiles_with_no_models_but_keeps_search_tiles(client) -> None:
    make_model("acme/writer", task=make_task("text-generation", "Text generation"))
    html = client.get("/").content.decode()
    assert 'href="/models/?task=text-generation"' in html
    assert 'href="/models/?task=chat"' not in html  # no chat model: the tile would lead to 0
    assert 'href="/models/?q=code"' in html


def test_compare_and_plan_pages_carry_a_copy_link_button(client) -> None:
    make_demo_catalog()
    html = client.get("/compare/?models=meta-llama/Llama-3.1-8B,qwen/Qwen3-30B-A3B").content
    assert b'data-copy-link=""' in html  # copies the canonical ?models= address
    assert b"data-copy-status" in html
    assert b"data-copy-link" not in client.get("/compare/").content  # nothing to share yet
