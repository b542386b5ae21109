"""Why a reserve change or a draw from a reserve is refused, in words staff understand."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, Forbidden


class ReservesManagersOnly(Forbidden):
    code = "reserves_managers_only"
    message = _("Only the account owner and managers can change capacity reserves.")


class ReserveWithoutAccess(Forbidden):
    code = "reserve_without_access"
    message = _(
        "“%(name)s” is a reserve without access: its places are only put aside. "
        "Release them to general sale before booking them."
    )


class ReserveNotYours(Forbidden):
    code = "reserve_no_access"
    message = _(
        "You do not have access to the reserve “%(name)s”. Ask the account owner to add you."
    )


class CustomersCannotDraw(Forbidden):
    code = "reserve_staff_only"
    message = _("Only staff can book places from a capacity reserve.")


class ReserveArchived(DomainError):
    code, status = "reserve_archived", 409
    message = _("The reserve “%(name)s” is archived.")


class ReserveEmpty(DomainError):
    code, status = "reserve_empty", 409
    message = _("This reserve holds no places for this date and ticket type.")


class NotEnoughFree(DomainError):
    code, status = "not_enough_free", 409
    message = _(
        "Only %(free)s places are free on this date: a reserve can only set aside places "
        "that are not sold, held or in another reserve."
    )


class BelowDrawn(DomainError):
    code, status = "below_drawn", 409
    message = _(
        "%(drawn)s places have already been booked from this reserve on this date; "
        "it cannot hold fewer."
    )


class DuplicateReserveName(DomainError):
    code, status = "reserve_name_taken", 422
    message = _("A reserve named “%(name)s” already exists.")


class ReleaseTooMany(DomainError):
    code, status = "release_too_many", 409
    message = _("Only %(left)s places of this reserve are not booked on this date.")


class CapacityBelowTaken(DomainError):
    code, status = "capacity_below_taken", 409
    message = _(
        "%(taken)s places are already booked or set aside on %(date)s: the capacity cannot "
        "go below that."
    )


class QuotaInUse(DomainError):
    code, status = "quota_in_use", 409
    message = _(
        "Bookings or reserves hold places of this ticket type's quota: set a larger quota "
        "rather than removing it."
    )


class TooManyDates(DomainError):
    code, status = "too_many_dates", 422
    message = _("At most %(max)s dates at once, and at least one.")


class DateInThePast(DomainError):
    code, status = "date_in_the_past", 422
    message = _("A new date must start in the future.")
