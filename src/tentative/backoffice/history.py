"""The audit trail as sentences staff read: "Approved by Ana", "Places set aside: 4 → 5,
Tarif plein, December 20", "Payment of 40,00 EUR captured (Card (online))".

Entries store codes and ids (`audit.trail`); this module turns them into words in the
reader's language, times in the active time zone (the organisation's: `access.staff_actor`)
and amounts in the reader's locale. One function per kind of entry, so a new audit action
shows as its plain label until it gets its sentence (a test lists every kind in `src/`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tentative.audit.models import AuditEntry
from tentative.bookings import labels as booking_labels
from tentative.bookings.models import BookingLine
from tentative.catalog.models import EventDate, Resource, TicketType
from tentative.core.money import minor_units
from tentative.payments.models import Payment

NO_ONE = gettext_lazy("someone")


@dataclass(frozen=True)
class Sentence:
    """`text` says what happened, `who` by whom ("by Ana", "automatically"), `change` the
    state before and after when it changed, `note` the reason or message given."""

    at: datetime
    text: str
    who: str
    change: tuple[str, str] | None = None
    note: str = ""

    def __str__(self) -> str:
        return f"{self.text} {self.who}".strip()


@dataclass
class _Names:
    """What the entries name by id, fetched once for all of them."""

    dates: dict[int, EventDate]
    ticket_types: dict[int, str]
    lines: dict[int, BookingLine]
    resources: dict[int, str]


def history_sentences(entries: Iterable[AuditEntry], *, currency: str = "") -> list[Sentence]:
    """`entries` in the order to show; `currency` for amounts whose entry does not name one
    (the booking's). At most four queries, whatever the number of entries."""
    entries = list(entries)
    names = _names(entries)
    return [_sentence(entry, names, currency) for entry in entries]


def _names(entries: list[AuditEntry]) -> _Names:
    dates: set[int] = set()
    types: set[int] = set()
    lines: set[int] = set()
    resources: set[int] = set()
    for entry in entries:
        data = entry.data or {}
        if isinstance(data.get("event_date"), int):
            dates.add(data["event_date"])
        if isinstance(data.get("ticket_type"), int):
            types.add(data["ticket_type"])
        if entry.action == "change_quantity" and isinstance(data.get("line"), int):
            lines.add(data["line"])
        if entry.action == "move":
            for where in [*(data.get("from") or []), *(data.get("to") or [])]:
                if isinstance(where, dict):
                    if isinstance(where.get("event_date"), int):
                        dates.add(where["event_date"])
                    if isinstance(where.get("resource"), int):
                        resources.add(where["resource"])
                    if isinstance(where.get("ticket_type"), int):
                        types.add(where["ticket_type"])
    return _Names(
        dates=EventDate.objects.in_bulk(dates) if dates else {},
        ticket_types=dict(TicketType.objects.filter(id__in=types).values_list("id", "name"))
        if types
        else {},
        lines=BookingLine.objects.select_related("ticket_type", "service_price").in_bulk(lines)
        if lines
        else {},
        resources=dict(Resource.objects.filter(id__in=resources).values_list("id", "name"))
        if resources
        else {},
    )


def _who(entry: AuditEntry) -> str:
    if entry.actor_kind == "customer":
        return _("by the customer")
    if entry.actor_kind == "system":
        if entry.actor_label == "deadline":
            return _("automatically, at the deadline")
        if entry.actor_label.startswith("provider:"):
            return _("by the payment provider")
        return _("automatically")
    user = entry.actor_user
    name = (user.get_full_name() if user is not None else "") or entry.actor_label or NO_ONE
    return _("by %(who)s") % {"who": name}


def _state(code: str) -> str:
    return booking_labels.label(booking_labels.STATES, code)


def _when(value: Any, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return "—"
    return formats.date_format(timezone.localtime(moment), fmt)


def _day(date: EventDate | None) -> str:
    return _when(date.starts_at, "MONTH_DAY_FORMAT") if date is not None else "—"


def _money(amount: Any, currency: str) -> str:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    if not currency:
        return formats.number_format(value, 2)
    return f"{formats.number_format(value, minor_units(currency))} {currency}"


def _method(code: Any) -> str:
    return str(dict(Payment.Method.choices).get(code, code or ""))


def _sentence(entry: AuditEntry, names: _Names, currency: str) -> Sentence:
    data: dict[str, Any] = entry.data if isinstance(entry.data, dict) else {}
    money_in = str(data.get("currency") or currency)
    write = _WRITERS.get(entry.action)
    if write is None and entry.action.startswith("payment."):
        write = _payment_state
    text = write(entry, data, names, money_in) if write else entry.action_label
    changed = entry.from_state and entry.to_state and entry.from_state != entry.to_state
    return Sentence(
        at=entry.at,
        text=text,
        who=_who(entry),
        change=(_state(entry.from_state), _state(entry.to_state)) if changed else None,
        note=entry.reason,
    )


Writer = Callable[[AuditEntry, dict[str, Any], _Names, str], str]


def _plain(text: Any) -> Writer:
    """A sentence that needs nothing from the entry."""
    return lambda entry, data, names, currency: str(text)


def _created(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Booked as %(state)s") % {"state": _state(entry.to_state).lower()}


def _checkout(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    mode = data.get("mode", "")
    if mode == "request":
        return str(_("Request sent from the public pages"))
    if mode == "reserve":
        return str(_("Reserved on the public pages"))
    return str(_("Bought on the public pages, awaiting payment"))


def _extended(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    if data.get("previous"):
        return _("Deadline moved from %(previous)s to %(until)s") % {
            "previous": _when(data["previous"]),
            "until": _when(data.get("until")),
        }
    return _("Deadline set to %(until)s") % {"until": _when(data.get("until"))}


def _where(where: dict[str, Any], names: _Names) -> str:
    text = _when(where.get("starts_at"))
    resource = names.resources.get(where.get("resource") or 0)
    ticket_type = names.ticket_types.get(where.get("ticket_type") or 0)
    if ticket_type:
        return f"{text} ({ticket_type})"
    return f"{text} ({resource})" if resource else text


def _moved(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    before = [w for w in data.get("from") or [] if isinstance(w, dict)]
    after = [w for w in data.get("to") or [] if isinstance(w, dict)]
    if not before or not after:
        return _("Moved")
    if len(before) == len(after):
        # Only the lines that moved: the others stayed where they were.
        pairs = [(b, a) for b, a in zip(before, after, strict=True) if b != a] or list(
            zip(before, after, strict=True)
        )
        before, after = [b for b, _a in pairs], [a for _b, a in pairs]
    text = _("Moved: %(from)s → %(to)s") % {
        "from": ", ".join(dict.fromkeys(_where(w, names) for w in before)),
        "to": ", ".join(dict.fromkeys(_where(w, names) for w in after)),
    }
    total = data.get("total")
    if isinstance(total, dict):
        text += "; " + _("total %(from)s → %(to)s") % {
            "from": _money(total.get("from"), currency),
            "to": _money(total.get("to"), currency),
        }
    return text


def _players(counts: Any) -> str:
    if not isinstance(counts, dict):
        return "—"
    return ", ".join(f"{n} × {name}" for name, n in counts.items())


def _quantity(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    if isinstance(data.get("players"), dict):  # a room session's players, every category
        return _("Players: %(from)s → %(to)s") % {
            "from": _players(data["players"]),
            "to": _players(data.get("to")),
        }
    line = names.lines.get(data.get("line") or 0)
    values = {"from": data.get("from"), "to": data.get("to")}
    if line is None:
        return _("Places: %(from)s → %(to)s") % values
    item = line.ticket_type.name if line.ticket_type_id else line.service_price.name
    when = _when(line.starts_at, "MONTH_DAY_FORMAT")
    return _("Places: %(from)s → %(to)s, %(item)s, %(date)s") % {
        **values,
        "item": item,
        "date": when,
    }


def _payment_state(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    state = entry.action.removeprefix("payment.")
    template = _PAYMENT_STATES.get(state)
    if template is None:
        return entry.action_label
    amount = data.get("captured") if state == "captured" and data.get("captured") else None
    return str(template) % {
        "amount": _money(amount or data.get("amount", 0), currency),
        "method": _method(data.get("method")),
    }


_PAYMENT_STATES = {
    "pending": gettext_lazy("Payment of %(amount)s pending (%(method)s)"),
    "authorised": gettext_lazy("Payment of %(amount)s authorised (%(method)s)"),
    "captured": gettext_lazy("Payment of %(amount)s captured (%(method)s)"),
    "failed": gettext_lazy("Payment of %(amount)s declined (%(method)s)"),
    "cancelled": gettext_lazy("Payment of %(amount)s voided (%(method)s)"),
    "expired": gettext_lazy("Payment of %(amount)s expired (%(method)s)"),
}


def _started(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    values = {"amount": _money(data.get("amount", 0), currency)}
    if data.get("capture_later"):
        return _("Card payment of %(amount)s opened, to be captured on approval") % values
    return _("Card payment of %(amount)s opened") % values


def _recorded(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Payment of %(amount)s recorded (%(method)s)") % {
        "amount": _money(data.get("amount", 0), currency),
        "method": _method(data.get("method")),
    }


def _link(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Payment link for %(amount)s created, valid until %(until)s") % {
        "amount": _money(data.get("amount", 0), currency),
        "until": _when(data.get("expires_at")),
    }


def _refund(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    values = {"amount": _money(data.get("amount", 0), currency)}
    if data.get("pay_back_yourself"):
        return _("%(amount)s refunded, to pay back by hand") % values
    return _("%(amount)s refunded") % values


def _voucher(template: Any) -> Writer:
    def write(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
        return str(template) % {
            "amount": _money(data.get("amount", 0), currency),
            "code": data.get("voucher", ""),
            "to": data.get("to", ""),
        }

    return write


def _reserve_places(template: Any) -> Writer:
    def write(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
        return str(template) % {
            "before": data.get("before"),
            "after": data.get("after"),
            "item": names.ticket_types.get(data.get("ticket_type") or 0, "—"),
            "date": _day(names.dates.get(data.get("event_date") or 0)),
        }

    return write


def _reserve_created(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Reserve “%(name)s” created") % {"name": data.get("name", "")}


def _renamed(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Renamed: %(previous)s → %(name)s") % {
        "previous": data.get("previous", ""),
        "name": data.get("name", ""),
    }


def _scheduled(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    day = _day(names.dates.get(data.get("event_date") or 0))
    if data.get("release_at"):
        return _("Release of %(date)s scheduled for %(when)s") % {
            "date": day,
            "when": _when(data["release_at"]),
        }
    return _("Scheduled release of %(date)s removed") % {"date": day}


def _released_due(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Scheduled release done: %(released)s places back to general sale, %(date)s") % {
        "released": data.get("released", 0),
        "date": _day(names.dates.get(data.get("event_date") or 0)),
    }


def _checked_in(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Ticket %(ticket)s checked in") % {"ticket": data.get("ticket", "")}


def _capacity(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Capacity of %(date)s: %(before)s → %(after)s") % {
        "date": _day(names.dates.get(data.get("event_date") or 0)),
        "before": data.get("before"),
        "after": data.get("after"),
    }


def _quota(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _("Places per date for %(item)s: %(before)s → %(after)s") % {
        "item": data.get("name", ""),
        "before": data.get("before") if data.get("before") is not None else "—",
        "after": data.get("after") if data.get("after") is not None else "—",
    }


def _dates_added(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    count = len(data.get("dates") or [])
    return ngettext(
        "%(count)s date added to %(name)s", "%(count)s dates added to %(name)s", count
    ) % {"count": count, "name": data.get("name", "")}


def _place_dates(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    return _(
        "Sessions on sale for %(name)s brought up to date: %(added)s added, %(removed)s "
        "removed, %(resized)s changed"
    ) % {
        "name": data.get("name", ""),
        "added": data.get("added", 0),
        "removed": data.get("removed", 0),
        "resized": data.get("resized", 0),
    }


def _waitlist(text: Any) -> Writer:
    """A waiting list entry's step: places wanted and offered, the date."""

    def write(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
        return str(text) % {
            "wanted": data.get("quantity", "—"),
            "offered": data.get("offered", "—"),
            "date": _day(names.dates.get(data.get("event_date") or 0)),
        }

    return write


def _photos_added(entry: AuditEntry, data: dict[str, Any], names: _Names, currency: str) -> str:
    count = data.get("count") if isinstance(data.get("count"), int) else 1
    return ngettext("%(count)s photo added", "%(count)s photos added", count) % {"count": count}


_WRITERS: dict[str, Writer] = {
    # A booking's moves (bookings/actions/_step.py, create.py, _lapsed.py).
    "create": _created,
    "convert": _plain(gettext_lazy("Quote converted")),
    "approve": _plain(gettext_lazy("Approved")),
    "decline": _plain(gettext_lazy("Declined")),
    "confirm": _plain(gettext_lazy("Confirmed")),
    "extend": _extended,
    "expire": _plain(gettext_lazy("Expired")),
    "cancel": _plain(gettext_lazy("Cancelled")),
    "reinstate": _plain(gettext_lazy("Reinstated")),
    "move": _moved,
    "change_quantity": _quantity,
    "players_named": _plain(gettext_lazy("Players' names changed")),
    # Session photos (bookings/actions/add_session_photo.py, archive_photos.py, restore_…).
    "photo.add": _photos_added,
    "photo.archive": _plain(gettext_lazy("Photo archived (added more than 60 days ago)")),
    "photo.restore": _plain(gettext_lazy("Archived photo restored")),
    # Money (payments/actions/).
    "checkout.submit": _checkout,
    "checkout.extend": _plain(gettext_lazy("More time asked on the checkout page")),
    "payment.start": _started,
    "payment.record": _recorded,
    "payment.request": _link,
    "payment.request_sent": _plain(gettext_lazy("Payment link emailed to the customer")),
    "payment.request_cancelled": _plain(gettext_lazy("Payment link withdrawn")),
    "refund": _refund,
    "voucher.issue": _voucher(gettext_lazy("Coupon %(code)s issued for %(amount)s")),
    "voucher.redeem": _voucher(gettext_lazy("%(amount)s paid with the code %(code)s")),
    "voucher.recredit": _voucher(gettext_lazy("%(amount)s put back on the code %(code)s")),
    "voucher.send": _voucher(gettext_lazy("Coupon %(code)s emailed to %(to)s")),
    # Reserves (inventory/actions/): no booking, shown on the reserve's page.
    "reserve.create": _reserve_created,
    "reserve.rename": _renamed,
    "reserve.configure": _plain(gettext_lazy("Settings changed")),
    "reserve.restrict": _plain(gettext_lazy("Who may use it changed")),
    "reserve.allocate": _reserve_places(
        gettext_lazy("Places set aside: %(before)s → %(after)s, %(item)s, %(date)s")
    ),
    "reserve.release": _reserve_places(
        gettext_lazy("Places released to general sale: %(before)s → %(after)s, %(item)s, %(date)s")
    ),
    "reserve.release_due": _released_due,
    "reserve.schedule": _scheduled,
    "reserve.archive": _plain(gettext_lazy("Archived")),
    # The catalogue's capacities (inventory/actions/), the organisation's settings
    # (accounts/actions/), a ticket at the door (checkin/actions/).
    "reserve.capacity_set": _capacity,
    "reserve.quota_set": _quota,
    "reserve.dates_added": _dates_added,
    # A room that sells places: its dates made from its rules (sync_place_dates).
    "reserve.place_dates_synced": _place_dates,
    "staff.settings_changed": _plain(gettext_lazy("Deadline settings changed")),
    "check_in": _checked_in,
    # Waiting lists (waitlist/actions/): on the offer's booking once there is one.
    "waitlist.join": _waitlist(
        gettext_lazy("Joined the waiting list of %(date)s for %(wanted)s places")
    ),
    "waitlist.leave": _plain(gettext_lazy("Left the waiting list")),
    "waitlist.offer": _waitlist(
        gettext_lazy("%(offered)s of %(wanted)s places offered from the waiting list")
    ),
    "waitlist.accept": _plain(gettext_lazy("Waiting list offer accepted")),
    "waitlist.decline": _plain(gettext_lazy("Waiting list offer declined")),
    "waitlist.lapse": _plain(gettext_lazy("Waiting list offer lapsed; passed to the next person")),
    "waitlist.remove": _plain(gettext_lazy("Removed from the waiting list")),
    # The personal space (accounts/actions/, issue 12): on the customer's page.
    "customer.erasure_request": _plain(
        gettext_lazy("Customer asked for their personal data to be erased")
    ),
    "customer.anonymise": _plain(gettext_lazy("Customer's personal data erased (anonymised)")),
    "customer.password": _plain(gettext_lazy("Customer set a password for their personal space")),
    "customer.sign_in": _plain(
        gettext_lazy("Customer signed in to their personal space with an emailed link")
    ),
}

# Every kind of audit entry written in src/ (held equal to a scan of the code by a test).
KINDS = frozenset(_WRITERS) | {f"payment.{state}" for state in _PAYMENT_STATES}

__all__ = ["KINDS", "Sentence", "history_sentences"]
