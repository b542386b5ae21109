"""A waiting list's refusals (typed, translated; mapped to HTTP by the API, to a page by
the faces)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError


class PlacesAvailable(DomainError):
    code, status = "places_available", 409
    message = _("Places are available for this date: book them directly.")


class AlreadyWaiting(DomainError):
    code, status = "already_waiting", 409
    message = _("This email address is already on the waiting list for this date.")


class KeptForWaitingList(DomainError):
    """A booking refused because the places that are free go to the waiting list first."""

    code, status = "kept_for_waiting_list", 409
    message = _(
        "The places left are kept for the people on the waiting list. "
        "Join the waiting list to be offered places when some free up."
    )


class NotWaiting(DomainError):
    code, status = "not_waiting", 409
    message = _("This entry is no longer on the waiting list.")


class NoOpenOffer(DomainError):
    code, status = "no_open_offer", 409
    message = _("There is no open offer on this entry any more.")


class OfferLapsed(DomainError):
    code, status = "offer_lapsed", 409
    message = _("This offer has lapsed: its places went to the next person on the list.")


class NotEnoughPlaces(DomainError):
    code, status = "not_enough_places", 409
    message = _("Not enough places are free for this entry: %(free)s available.")


class DateStarted(DomainError):
    code, status = "date_started", 409
    message = _("This date has already started.")
