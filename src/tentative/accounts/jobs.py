"""What the accounts app gives the worker: the retention purge (issue 12 item 8).

Once a day, for each organisation with `retention_days`, the personal data of bookings whose
date passed more than that many days ago is erased: their attendees' names and addresses,
and the customer itself (anonymised, `anonymise_customer.erase`) once every one of its
bookings is that old and nothing keeps its data (`blocking_bookings`). One transaction per
customer, claimed under its row lock and re-checked, so two workers never erase twice and a
crash loses nothing but the rest of the run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Max

from tentative.accounts.actions.anonymise_customer import blocking_bookings, erase
from tentative.accounts.models import Customer, Organisation
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction
from tentative.worker import registry

ACTOR = Actor.system("retention")


@registry.periodic("retention", every=timedelta(days=1))
def purge_expired_personal_data(now: datetime) -> int:
    """How many customers were anonymised."""
    done = 0
    participant_model = apps.get_model("bookings", "Participant")
    line_model = apps.get_model("bookings", "BookingLine")
    for organisation in Organisation.objects.exclude(retention_days=None):
        cutoff = now - timedelta(days=organisation.retention_days or 0)
        old_bookings = (
            line_model.objects.filter(booking__organisation_id=organisation.id)
            .values("booking_id")
            .annotate(last_end=Max("ends_at"))
            .filter(last_end__lt=cutoff)
            .values("booking_id")
        )
        participant_model.objects.filter(line__booking_id__in=old_bookings).exclude(
            name="", email=""
        ).update(name="", email="")
        apps.get_model("bookings", "Booking").objects.filter(id__in=old_bookings).exclude(
            answers={}
        ).update(answers={})
        candidates = (
            Customer.objects.filter(organisation_id=organisation.id, anonymised_at=None)
            .annotate(last_end=Max("bookings__lines__ends_at"))
            .filter(last_end__lt=cutoff)
            .values_list("id", flat=True)
        )
        for customer_id in list(candidates):
            with action_transaction():
                customer = (
                    Customer.objects.select_for_update(no_key=True)
                    .filter(id=customer_id, anonymised_at=None)
                    .first()
                )
                if customer is None or blocking_bookings(customer, now=now):
                    continue
                erase(customer, actor=ACTOR, now=now)
                done += 1
    return done
