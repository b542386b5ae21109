"""The design system's rules that a scan can check (docs/design.md): staff and customer
templates carry no inline style or script, every staff page extends base.html, and flash
messages are rendered only by base.html."""

from __future__ import annotations

import re
from pathlib import Path

import tentative

SOURCE = Path(tentative.__file__).resolve().parent
TEMPLATES = sorted(
    [*SOURCE.glob("backoffice/templates/**/*.html"), *SOURCE.glob("public/templates/**/*.html")]
)
INLINE = re.compile(r'\sstyle="|<script(?![^>]*\ssrc=)|\son[a-z]+="', re.IGNORECASE)


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 20


def test_no_inline_style_or_script():
    found = [
        f"{path.relative_to(SOURCE)}: {match.group(0)!r}"
        for path in TEMPLATES
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def test_flash_messages_are_rendered_once_by_base():
    renders = [
        path.name
        for path in TEMPLATES
        if re.search(r"{%\s*for \w+ in messages\s*%}", path.read_text())
    ]
    assert renders == ["base.html"]


def test_every_staff_page_extends_the_staff_base():
    pages = [
        p
        for p in SOURCE.glob("backoffice/templates/backoffice/**/*.html")
        if "components" not in p.parts and not p.name.startswith("_") and p.name != "base.html"
    ]
    partials = {"payment_field.html", "reserves_messages.html"}
    wrong = [
        p.name
        for p in pages
        if p.name not in partials and '{% extends "backoffice/base.html" %}' not in p.read_text()
    ]
    assert wrong == []
