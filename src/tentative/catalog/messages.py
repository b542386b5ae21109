"""What people are told when a date cannot be sold, worded once: the bookings (create,
approve, convert, reinstate) and the inventory (setting places aside) refuse with these."""

from django.utils.translation import gettext_lazy as _

STARTED = _("This date has already started or passed.")
NOT_ON_SALE_MESSAGE = _("This date has no capacity set, so it is not on sale.")
