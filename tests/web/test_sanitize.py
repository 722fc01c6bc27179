"""Model-card HTML keeps its formatting and loses everything executable."""

from __future__ import annotations

import pytest

from catalog.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href="https://hf.co/x" onclick="y()">x</a>',
            '<a href="https://hf.co/x" rel="noopener noreferrer nofollow">x</a>',
        ),
        ("<iframe src='https://evil'></iframe>text", "text"),
        ("<style>body{display:none}</style><em>x</em>", "<em>x</em>"),
        ('<p style="color:red" class="x">t</p>', "<p>t</p>"),
        ("<!-- secret --><code>x = 1</code>", "<code>x = 1</code>"),
        ("", ""),
        ("a < b & c", "a &lt; b &amp; c"),
    ],
)
def test_sanitize_html_keeps_the_allowlist_and_drops_the_rest(raw: str, expected: str) -> None:
    assert sanitize_html(raw) == expected


def test_sanitize_html_is_idempotent() -> None:
    once = sanitize_html('<p onclick="x()">a <a href="https://x.org">b</a></p><script>1</script>')
    assert sanitize_html(once) == once


def test_sanitize_module_is_pure() -> None:
    import ast
    from pathlib import Path

    import catalog.sanitize as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "nh3"}
