"""Rooms for staff (seed 004): `/staff/rooms/` (the rooms, and a form to add one) and
`/staff/rooms/<id>/` (edit the room, its game, its weekly session times and whether it
sells places; its price categories; close or reopen a day). Views parse, call the
catalogue's actions (`create_room`, `update_room`, `set_room_prices`, `close_room_day`:
rights are theirs, catalogue managers only) and then the inventory's `sync_place_dates`
(a room that sells places has its dates made at once), render; a refusal comes back next
to its field with what was typed kept. A room may have up to `RULES` weekly rules
here (weekdays at some times, between two optional dates)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from tentative.backoffice.access import staff_actor
from tentative.backoffice.catalogue import WEEKDAYS
from tentative.catalog import actions as catalog
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import ClosedDay, Resource, Service, ServicePrice, SessionRule
from tentative.core.sessions import parse_times
from tentative.inventory import actions as inventory
from tentative.shared.errors import DomainError, NotFound

RULES = 3
INVALID = _("Please correct the form.")
PLACES_NEEDED = _("Say how many places each session sells.")


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Room"), max_length=200)
    game = forms.CharField(label=_("Game"), max_length=200, required=False)
    duration = forms.IntegerField(label=_("Session length (minutes)"), min_value=1, max_value=1440)
    reset = forms.IntegerField(label=_("Reset time (minutes)"), min_value=0, max_value=1440)
    min_players = forms.IntegerField(label=_("Fewest players"), min_value=1, max_value=1000)
    max_players = forms.IntegerField(label=_("Most players"), min_value=1, max_value=1000)
    option_days = forms.IntegerField(
        label=_("An option holds for (days)"), min_value=0, max_value=365
    )

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:  # a room sells places once it exists (the dates need its rules)
            self.fields["sells_places"] = forms.BooleanField(
                label=_("Sell places (several groups share a session)"),
                required=False,
                help_text=_("Off: each session is booked whole by one group."),
            )
            self.fields["places"] = forms.IntegerField(
                label=_("Places per session"), min_value=1, max_value=1000, required=False
            )
        if new:
            self.fields["category"] = forms.CharField(
                label=_("Price category"), max_length=200, initial=_("Adult")
            )
            self.fields["price"] = forms.DecimalField(
                label=_("Price per player"), min_value=Decimal(0), max_digits=10, decimal_places=2
            )
        for i in range(RULES):
            self.fields[f"days_{i}"] = forms.TypedMultipleChoiceField(
                label=_("Days"),
                choices=WEEKDAYS,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"times_{i}"] = forms.CharField(
                label=_("Start times"),
                required=False,
                max_length=400,
                help_text=_("HH:MM separated by spaces, for example 10:00 11:30 14:00.")
                if i == 0
                else "",
            )

    def rule_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"days_{i}"], self[f"times_{i}"]) for i in range(RULES)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sells_places") and not data.get("places") and "places" not in self.errors:
            self.add_error("places", PLACES_NEEDED)
        return data

    def schedules(self) -> tuple[catalog.Schedule, ...]:
        data = self.cleaned_data
        return tuple(
            catalog.Schedule(frozenset(data[f"days_{i}"]), data[f"times_{i}"])
            for i in range(RULES)
            if data.get(f"days_{i}") or data.get(f"times_{i}")
        )


def _refused(form: RoomForm, error: DomainError) -> None:
    """Rule errors go next to the rule that has them: the action checks rules in order, so
    the first one filled is tried alone to find it."""
    if not isinstance(error, InvalidTerms):
        form.add_error(None, error.text)
        return
    rows = [
        i
        for i in range(RULES)
        if form.cleaned_data.get(f"days_{i}") or form.cleaned_data.get(f"times_{i}")
    ]
    for name, texts in error.fields.items():
        for text in texts:
            if name in ("weekdays", "times", "ends_on"):
                row = _failing_row(form, rows)
                field = f"{'days' if name == 'weekdays' else 'times'}_{row}"
                form.add_error(field, text)
            elif name in form.fields:
                form.add_error(name, text)
            else:
                form.add_error(None, text)


def _failing_row(form: RoomForm, rows: list[int]) -> int:

    length = (form.cleaned_data["duration"] or 0) + (form.cleaned_data["reset"] or 0)
    for i in rows:
        days, text = form.cleaned_data.get(f"days_{i}"), form.cleaned_data.get(f"times_{i}", "")
        try:
            times = parse_times(text)
        except ValueError:
            return i
        minutes = [t.hour * 60 + t.minute for t in times]
        if not days or not times or any(b - a < length for a, b in itertools.pairwise(minutes)):
            return i
    return rows[0] if rows else 0


def _changes(form: RoomForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "name": d["name"],
        "game": d["game"],
        "duration": timedelta(minutes=d["duration"]),
        "reset": timedelta(minutes=d["reset"]),
        "min_players": d["min_players"],
        "max_players": d["max_players"],
        "option_days": d["option_days"],
        "schedules": form.schedules(),
    }


def _places(form: RoomForm) -> int | None:
    return form.cleaned_data["places"] if form.cleaned_data.get("sells_places") else None


@login_required
def rooms(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = RoomForm(
        request.POST or None,
        new=True,
        initial={
            "duration": 60,
            "reset": 15,
            "min_players": 2,
            "max_players": 6,
            "option_days": 3,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                room = catalog.create_room(
                    actor.organisation_id,  # type: ignore[arg-type]
                    actor=actor,
                    spec=catalog.RoomSpec(
                        **_changes(form),
                        categories=(
                            catalog.Category(
                                form.cleaned_data["category"], form.cleaned_data["price"]
                            ),
                        ),
                    ),
                )
            except DomainError as error:
                _refused(form, error)
                status = error.status
            else:
                messages.success(request, _("Room created."))
                return redirect("backoffice:room", room.id)
        else:
            status = 422
        if status != 200:
            messages.error(request, INVALID)
    rows = (
        Resource.objects.filter(organisation_id=actor.organisation_id, kind=Resource.Kind.ROOM)
        .order_by("name")
        .prefetch_related("session_rules", "services")
    )
    return render(request, "backoffice/rooms.html", {"rooms": rows, "form": form}, status=status)


class ClosedDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


def _room(actor: Any, room_id: int) -> tuple[Resource, Service]:
    room = Resource.objects.filter(
        id=room_id, organisation_id=actor.organisation_id, kind=Resource.Kind.ROOM
    ).first()
    game = room.services.filter(kind=Service.Kind.ROOM_SESSION).first() if room else None
    if room is None or game is None:
        raise Http404
    return room, game


def _initial(room: Resource, game: Service) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": room.name,
        "game": game.name,
        "duration": int(game.duration.total_seconds() // 60),
        "reset": int(game.buffer_after.total_seconds() // 60),
        "min_players": game.min_participants,
        "max_players": game.max_participants,
        "option_days": game.deadline_days_after_booking,
        "sells_places": game.places_per_session is not None,
        "places": game.places_per_session,
    }
    for i, rule in enumerate(SessionRule.objects.filter(room=room)[:RULES]):
        initial[f"days_{i}"] = [int(d) for d in rule.weekdays]
        initial[f"times_{i}"] = rule.times
    return initial


@login_required
def room(request: HttpRequest, room_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found, game = _room(actor, room_id)
    form = RoomForm(request.POST or None, initial=_initial(found, game))
    closed_form = ClosedDayForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                catalog.update_room(
                    found.id,
                    actor=actor,
                    changes=catalog.RoomChanges(**_changes(form), places=_places(form)),
                )
                inventory.sync_place_dates(game.id, actor=actor)
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                _refused(form, error)
                status = error.status
            else:
                messages.success(request, _("Room saved."))
                return redirect("backoffice:room", found.id)
        else:
            status = 422
        messages.error(request, INVALID)
    return _room_page(request, found, game, form, closed_form, status)


class PricesForm(forms.Form):
    """The room's price categories as rows (one per category and a blank one to add):
    `name_<i>`, `price_<i>`, `per_group_<i>`, `remove_<i>`, and the category's `id_<i>`.
    `set_room_prices` names the row of each refusal the same way."""

    def __init__(self, *args: Any, prices: list[ServicePrice], **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        for i, price in enumerate(prices):
            initial.update(
                {
                    f"id_{i}": price.id,
                    f"name_{i}": price.name,
                    f"price_{i}": price.price,
                    f"per_group_{i}": price.per_group,
                }
            )
        super().__init__(*args, initial=initial, **kwargs)
        posted = self.data.get("rows", "") if self.is_bound else ""
        self.count = int(posted) if str(posted).isdigit() and int(posted) <= 50 else len(prices) + 1
        for i in range(self.count):
            self.fields[f"id_{i}"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Category"), max_length=100, required=False
            )
            self.fields[f"price_{i}"] = forms.DecimalField(
                label=_("Price"),
                min_value=Decimal(0),
                max_digits=9,
                decimal_places=2,
                required=False,
            )
            self.fields[f"per_group_{i}"] = forms.BooleanField(label=_("Per group"), required=False)
            self.fields[f"remove_{i}"] = forms.BooleanField(label=_("Remove"), required=False)

    def rows(self) -> list[dict[str, forms.BoundField]]:
        return [
            {k: self[f"{k}_{i}"] for k in ("id", "name", "price", "per_group", "remove")}
            for i in range(self.count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.count):
            named = (data.get(f"name_{i}") or "").strip()
            if data.get(f"remove_{i}") or (not named and data.get(f"id_{i}") is None):
                continue
            if data.get(f"price_{i}") is None and f"price_{i}" not in self.errors:
                self.add_error(f"price_{i}", _("Give a price (0 for free)."))
        return data

    def price_rows(self) -> tuple[list[int], tuple[catalog.PriceRow, ...]]:
        """The rows kept (their form index, to put a refusal back on the right one)."""
        data, kept, rows = self.cleaned_data, [], []
        for i in range(self.count):
            named = (data.get(f"name_{i}") or "").strip()
            if data.get(f"remove_{i}") or (not named and data.get(f"id_{i}") is None):
                continue
            kept.append(i)
            rows.append(
                catalog.PriceRow(
                    name=named,
                    price=data[f"price_{i}"],
                    per_group=bool(data.get(f"per_group_{i}")),
                    id=data.get(f"id_{i}"),
                )
            )
        return kept, tuple(rows)


@login_required
def room_prices(request: HttpRequest, room_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found, game = _room(actor, room_id)
    if request.method != "POST":
        return redirect("backoffice:room", found.id)
    prices_form = PricesForm(request.POST, prices=list(game.prices.order_by("id")))
    status = 422
    if prices_form.is_valid():
        kept, rows = prices_form.price_rows()
        try:
            catalog.set_room_prices(found.id, actor=actor, rows=rows)
            inventory.sync_place_dates(game.id, actor=actor)
        except NotFound:
            raise Http404 from None
        except InvalidTerms as error:
            for name, texts in error.fields.items():
                field, _sep, index = name.rpartition("_")
                target = f"{field}_{kept[int(index)]}" if index.isdigit() else None
                for text in texts:
                    prices_form.add_error(target, text)
            status = error.status
        except DomainError as error:
            prices_form.add_error(None, error.text)
            status = error.status
        else:
            messages.success(request, _("Price categories saved."))
            return redirect("backoffice:room", found.id)
    messages.error(request, INVALID)
    return _room_page(
        request,
        found,
        game,
        RoomForm(initial=_initial(found, game)),
        ClosedDayForm(),
        status,
        prices_form=prices_form,
    )


def _room_page(
    request: HttpRequest,
    found: Resource,
    game: Service,
    form: RoomForm,
    closed_form: ClosedDayForm,
    status: int,
    prices_form: PricesForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "backoffice/room.html",
        {
            "room": found,
            "game": game,
            "form": form,
            "closed_form": closed_form,
            "closed_days": ClosedDay.objects.filter(room=found).order_by("day"),
            "prices_form": prices_form or PricesForm(prices=list(game.prices.order_by("id"))),
        },
        status=status,
    )


@login_required
def room_closed_day(request: HttpRequest, room_id: int) -> HttpResponse:
    actor = staff_actor(request)
    found, game = _room(actor, room_id)
    if request.method != "POST":
        return redirect("backoffice:room", found.id)
    closed_form = ClosedDayForm(request.POST)
    reopen = request.POST.get("reopen") == "1"
    if closed_form.is_valid():
        try:
            catalog.close_room_day(
                found.id,
                closed_form.cleaned_data["day"],
                actor=actor,
                note=closed_form.cleaned_data["note"],
                reopen=reopen,
            )
            inventory.sync_place_dates(game.id, actor=actor)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            closed_form.add_error("day", error.text)
            return _room_page(
                request,
                found,
                game,
                RoomForm(initial=_initial(found, game)),
                closed_form,
                error.status,
            )
        messages.success(request, _("Day reopened.") if reopen else _("Day closed."))
        return redirect("backoffice:room", found.id)
    return _room_page(
        request, found, game, RoomForm(initial=_initial(found, game)), closed_form, 422
    )


__all__ = ["room", "room_closed_day", "room_prices", "rooms"]
