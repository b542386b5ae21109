"""Conventions that keep the invariants true, checked rather than hoped for (STYLE.md)."""

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tentative"
ACTIONS = SRC / "bookings" / "actions"
PAYMENT_ACTIONS = SRC / "payments" / "actions"  # a payment request's own state
WAITLIST_ACTIONS = SRC / "waitlist" / "actions"  # a waiting list entry's own state
INVENTORY = SRC / "inventory"


def sources():  # type: ignore[no-untyped-def]
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_only_actions_change_a_bookings_state():
    assigns = re.compile(r"\.state\s*=[^=]|\.update\([^)]*\bstate=")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if ACTIONS not in path.parents
        and PAYMENT_ACTIONS not in path.parents
        and WAITLIST_ACTIONS not in path.parents
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


# Models other than TimeClaim that have an `active` field of their own: an `.update(active=…)`
# on a queryset that visibly starts from one of these is theirs, not a claim's.
OTHER_MODELS_WITH_ACTIVE = {"WebhookEndpoint"}
RAW_CLAIM_UPDATE = re.compile(r"UPDATE\s+\"?inventory_timeclaim|SET\s+\"?active\b", re.IGNORECASE)


def _root(node: ast.expr) -> str:
    """The name a chain like `TimeClaim.objects.filter(…).update` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _names(node: ast.AST) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Name | ast.Attribute)
    }


def _mentions_active(nodes: list[ast.expr]) -> bool:
    return any(
        isinstance(n, ast.Constant) and n.value == "active"
        for node in nodes
        for n in ast.walk(node)
    )


def claim_writes(source: str) -> list[int]:
    """Lines that may set a time claim's `active`: `.update(active=…)` on anything but
    another model that has the field, `TimeClaim(…, active=…)` or `.create(active=…)` on
    claims, a `.active` assignment (or `setattr`, `bulk_update`/`update_fields` naming it)
    in a module that knows TimeClaim or on something named like a claim, raw `UPDATE … SET
    active`. Deliberately wide: a false alarm is fixed by naming the other model."""
    knows_claims = "TimeClaim" in source
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            keywords = {k.arg for k in node.keywords}
            receiver = func.value if isinstance(func, ast.Attribute) else func
            claimish = knows_claims or any("claim" in n.lower() for n in _names(receiver))
            if (
                (
                    name == "update"
                    and "active" in keywords
                    and _root(receiver) not in OTHER_MODELS_WITH_ACTIVE
                )
                or (
                    name in ("TimeClaim", "create", "get_or_create", "update_or_create")
                    and "active" in keywords
                    and (name == "TimeClaim" or "TimeClaim" in _names(receiver) or claimish)
                )
                or (
                    name in ("setattr", "bulk_update", "save")
                    and claimish
                    and _mentions_active([*node.args, *(k.value for k in node.keywords)])
                )
            ):
                found.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if (
                        isinstance(t, ast.Attribute)
                        and t.attr == "active"
                        and (knows_claims or any("claim" in n.lower() for n in _names(t.value)))
                    ):
                        found.append(node.lineno)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RAW_CLAIM_UPDATE.search(node.value)
        ):
            found.append(node.lineno)
    return sorted(set(found))


def test_only_the_inventory_activates_or_releases_time_claims():
    """A claim's `active` follows its booking's `holds_capacity`, and only inventory/
    (`claims.activate`, `claims.release`, `reconcile`'s fix) moves it, as for the pools'
    `taken` and `set_aside` above: anywhere else could double-book or strand a slot."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sources()
        if INVENTORY not in path.parents
        for n in claim_writes(path.read_text())
    ]
    assert offenders == []
    # The scan still sees the inventory's own writes (activate, release, drift's fix): if
    # it stopped finding them, it would pass on anything.
    assert len(claim_writes((INVENTORY / "claims.py").read_text())) >= 3
