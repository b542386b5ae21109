"""Conventions that keep the invariants true, checked rather than hoped for (STYLE.md)."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tentative"
ACTIONS = SRC / "bookings" / "actions"


def sources():  # type: ignore[no-untyped-def]
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_only_actions_change_a_bookings_state():
    assigns = re.compile(r"\.state\s*=[^=]|\.update\([^)]*\bstate=")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if ACTIONS not in path.parents
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if assigns.search(line)
    ]
    assert offenders == []


def test_every_row_lock_says_no_key():
    """FOR NO KEY UPDATE does not block inserts of rows that reference the locked one
    (audit entries, holds), which a plain FOR UPDATE would."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if "select_for_update(" in line and "no_key=" not in line
    ]
    assert offenders == []


def test_only_the_inventory_changes_what_pools_hold():
    """`taken` and `set_aside` move only in inventory/ (DESIGN §2.3)."""
    writes = re.compile(r"\b(taken|set_aside)\s*=\s*F\(|SET\s+taken|set_aside\s*=\s*set_aside")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if (SRC / "inventory") not in path.parents
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if writes.search(line)
    ]
    assert offenders == []
