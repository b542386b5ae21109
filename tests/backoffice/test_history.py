"""A booking's (and a reserve's) history as sentences: one case per kind of audit entry
written in src/, in English, French and Spanish, in the organisation's time zone."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

import tentative
from tentative.audit.models import AuditEntry
from tentative.backoffice.history import KINDS, history_sentences
from tentative.bookings.models import BookingLine
from tentative.core.payments import PaymentState
from tentative.core.states import Action
from tentative.payments.models import VoucherEntry
from tentative.shared.actor import Actor
from tests.factories import MembershipFactory, UserFactory, book, on_sale, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2031, 12, 1, 9, 30, tzinfo=PARIS)
SRC = Path(tentative.__file__).resolve().parent


def test_every_kind_of_audit_entry_written_in_src_has_a_sentence():
    """A scan of the code: the literal actions, the reserve verbs, the voucher kinds, the
    booking actions and the payment states a notification can report."""
    written = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'action="([a-z_.]+)"', text))
        if "inventory/actions" in str(path):
            written |= {f"reserve.{v}" for v in re.findall(r'verb="([a-z_]+)"', text)}
        written |= set(re.findall(r'trail\(\s*voucher,\s*"([a-z_.]+)"', text))
    written |= {f"voucher.{kind.value}" for kind in VoucherEntry.Kind}
    written |= {action.value for action in Action}
    # A notification only moves a payment forward: never back to "created".
    written |= {f"payment.{s.value}" for s in PaymentState if s != PaymentState.CREATED}
    written = {kind for kind in written if not kind.startswith("store_")}  # argparse
    assert written - KINDS == set()
    assert {"reserve.allocate", "reserve.release_due", "payment.record", "refund"} <= written


@pytest.fixture
def world(org):
    user = UserFactory(first_name="Ana", last_name="Ruiz")
    membership = MembershipFactory(organisation=org, user=user)
    owner = Actor.staff(membership)
    evening = datetime(2031, 12, 20, 20, 30, tzinfo=PARIS)
    date, ticket = on_sale(org, starts_at=evening, name="Tarif plein")
    booking = book(owner, date, ticket, quantity=5, now=AT)
    line = BookingLine.objects.get(booking=booking)
    return {
        "org": org,
        "owner": owner,
        "booking": booking,
        "line": line,
        "date": date,
        "ticket": ticket,
        "alice": staff_member(org, "Alice"),
        "bob": staff_member(org, "Bob"),
    }


def _entry(world, action, *, data=None, actor=None, from_state="", to_state="", reason=""):
    actor = actor or world["owner"]
    return AuditEntry(
        organisation=world["org"],
        booking=world["booking"],
        at=AT,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def _say(world, entry, language):
    entry.save()
    fresh = AuditEntry.objects.select_related("actor_user").get(id=entry.id)
    with translation.override(language), timezone.override(PARIS):
        (sentence,) = history_sentences([fresh], currency="EUR")
        return sentence


# (kind, entry, {language: sentence}) ------------------------------------------------------
CASES = {
    "create": (
        lambda w: _entry(w, "create", to_state="option"),
        {
            "en": "Booked as option by Ana Ruiz",
            "fr": "Enregistrée comme option par Ana Ruiz",
            "es": "Reservada como opción por Ana Ruiz",
        },
    ),
    "convert": (
        lambda w: _entry(w, "convert", from_state="quote", to_state="option"),
        {
            "en": "Quote converted by Ana Ruiz",
            "fr": "Devis converti par Ana Ruiz",
            "es": "Presupuesto convertido por Ana Ruiz",
        },
    ),
    "approve": (
        lambda w: _entry(w, "approve", from_state="request", to_state="confirmed"),
        {
            "en": "Approved by Ana Ruiz",
            "fr": "Acceptée par Ana Ruiz",
            "es": "Aceptada por Ana Ruiz",
        },
    ),
    "decline": (
        lambda w: _entry(w, "decline", from_state="request", to_state="declined"),
        {
            "en": "Declined by Ana Ruiz",
            "fr": "Refusée par Ana Ruiz",
            "es": "Rechazada por Ana Ruiz",
        },
    ),
    "confirm": (
        lambda w: _entry(w, "confirm", from_state="option", to_state="confirmed"),
        {
            "en": "Confirmed by Ana Ruiz",
            "fr": "Confirmée par Ana Ruiz",
            "es": "Confirmada por Ana Ruiz",
        },
    ),
    "extend": (
        lambda w: _entry(
            w,
            "extend",
            data={"previous": "2031-12-05T09:30:00+00:00", "until": "2031-12-10T17:00:00+00:00"},
        ),
        {
            "en": "Deadline moved from 12/05/2031 10:30 a.m. to 12/10/2031 6 p.m. by Ana Ruiz",
            "fr": "Échéance déplacée du 05/12/2031 10:30 au 10/12/2031 18:00 par Ana Ruiz",
            "es": "Plazo cambiado del 05/12/2031 10:30 al 10/12/2031 18:00 por Ana Ruiz",
        },
    ),
    "expire": (
        lambda w: _entry(
            w, "expire", actor=Actor.system("deadline"), from_state="option", to_state="expired"
        ),
        {
            "en": "Expired automatically, at the deadline",
            "fr": "Expirée automatiquement, à l’échéance",
            "es": "Caducada automáticamente, al vencer el plazo",
        },
    ),
    "cancel": (
        lambda w: _entry(
            w,
            "cancel",
            actor=Actor.customer(_customer(w)),
            from_state="option",
            to_state="cancelled",
        ),
        {
            "en": "Cancelled by the customer",
            "fr": "Annulée par le client",
            "es": "Anulada por el cliente",
        },
    ),
    "reinstate": (
        lambda w: _entry(w, "reinstate", from_state="expired", to_state="option"),
        {
            "en": "Reinstated by Ana Ruiz",
            "fr": "Rétablie par Ana Ruiz",
            "es": "Restablecida por Ana Ruiz",
        },
    ),
    "move": (
        lambda w: _entry(
            w,
            "move",
            data={
                "from": [
                    {
                        "line": 1,
                        "event_date": None,
                        "resource": w["alice"].id,
                        "starts_at": "2031-12-20T08:00:00+00:00",
                    }
                ],
                "to": [
                    {
                        "line": 1,
                        "event_date": None,
                        "resource": w["bob"].id,
                        "starts_at": "2031-12-21T09:00:00+00:00",
                    }
                ],
            },
        ),
        {
            "en": "Moved: 12/20/2031 9 a.m. (Alice) → 12/21/2031 10 a.m. (Bob) by Ana Ruiz",
            "fr": "Déplacée : 20/12/2031 09:00 (Alice) → 21/12/2031 10:00 (Bob) par Ana Ruiz",
            "es": "Movida: 20/12/2031 09:00 (Alice) → 21/12/2031 10:00 (Bob) por Ana Ruiz",
        },
    ),
    "change_quantity": (
        lambda w: _entry(w, "change_quantity", data={"line": w["line"].id, "from": 4, "to": 5}),
        {
            "en": "Places: 4 → 5, Tarif plein, December 20 by Ana Ruiz",
            "fr": "Places : 4 → 5, Tarif plein, 20 décembre par Ana Ruiz",
            "es": "Plazas: 4 → 5, Tarif plein, 20 de diciembre by Ana Ruiz".replace(
                " by ", " por "
            ),
        },
    ),
    "payment.start": (
        lambda w: _entry(
            w,
            "payment.start",
            data={"payment": "p", "amount": "40.00", "method": "card", "capture_later": True},
        ),
        {
            "en": "Card payment of 40.00 EUR opened, to be captured on approval by Ana Ruiz",
            "fr": "Paiement par carte de 40,00 EUR ouvert, encaissé à l’acceptation par Ana Ruiz",
            "es": "Pago con tarjeta de 40,00 EUR abierto, se cobra al aceptar por Ana Ruiz",
        },
    ),
    "payment.record": (
        lambda w: _entry(
            w, "payment.record", data={"payment": "p", "amount": "40.00", "method": "cash"}
        ),
        {
            "en": "Payment of 40.00 EUR recorded (Cash) by Ana Ruiz",
            "fr": "Paiement de 40,00 EUR enregistré (Espèces) par Ana Ruiz",
            "es": "Pago de 40,00 EUR registrado (Efectivo) por Ana Ruiz",
        },
    ),
    "payment.request": (
        lambda w: _entry(
            w,
            "payment.request",
            data={"request": 1, "amount": "15.50", "expires_at": "2031-12-08T22:59:00+00:00"},
        ),
        {
            "en": (
                "Payment link for 15.50 EUR created, valid until 12/08/2031 11:59 p.m. by Ana Ruiz"
            ),
            "fr": (
                "Lien de paiement de 15,50 EUR créé, valable jusqu’au 08/12/2031 23:59 par Ana Ruiz"
            ),
            "es": (
                "Enlace de pago de 15,50 EUR creado, válido hasta el 08/12/2031 23:59 por Ana Ruiz"
            ),
        },
    ),
    "players_named": (
        lambda w: _entry(w, "players_named", data={"named": 2}),
        {
            "en": "Players' names changed by Ana Ruiz",
            "fr": "Noms des joueurs modifiés par Ana Ruiz",
            "es": "Nombres de los jugadores cambiados por Ana Ruiz",
        },
    ),
    "photo.add": (
        lambda w: _entry(w, "photo.add", data={"photos": [1, 2], "count": 2}),
        {
            "en": "2 photos added by Ana Ruiz",
            "fr": "2 photos ajoutées par Ana Ruiz",
            "es": "2 fotos añadidas por Ana Ruiz",
        },
    ),
    "photo.archive": (
        lambda w: _entry(w, "photo.archive", actor=Actor.system("worker"), data={"photo": 1}),
        None,
    ),
    "photo.restore": (
        lambda w: _entry(w, "photo.restore", data={"photo": 1}),
        {
            "en": "Archived photo restored by Ana Ruiz",
            "fr": "Photo archivée restaurée par Ana Ruiz",
            "es": "Foto archivada restaurada por Ana Ruiz",
        },
    ),
    "payment.request_sent": (
        lambda w: _entry(w, "payment.request_sent", data={"request": 1, "sent_count": 1}),
        {
            "en": "Payment link emailed to the customer by Ana Ruiz",
            "fr": "Lien de paiement envoyé au client par e-mail par Ana Ruiz",
            "es": "Enlace de pago enviado al cliente por correo por Ana Ruiz",
        },
    ),
    "payment.request_cancelled": (
        lambda w: _entry(w, "payment.request_cancelled", data={"request": 1}),
        {
            "en": "Payment link withdrawn by Ana Ruiz",
            "fr": "Lien de paiement retiré par Ana Ruiz",
            "es": "Enlace de pago retirado por Ana Ruiz",
        },
    ),
    "refund": (
        lambda w: _entry(
            w,
            "refund",
            data={"payment": "p", "amount": "12.00", "currency": "EUR", "pay_back_yourself": True},
        ),
        {
            "en": "12.00 EUR refunded, to pay back by hand by Ana Ruiz",
            "fr": "12,00 EUR remboursés, à rendre soi-même par Ana Ruiz",
            "es": "12,00 EUR reembolsados, a devolver en mano por Ana Ruiz",
        },
    ),
    "voucher.issue": (
        lambda w: _entry(
            w, "voucher.issue", data={"voucher": "ABCD-EFGH", "amount": "10.00", "currency": "EUR"}
        ),
        {
            "en": "Coupon ABCD-EFGH issued for 10.00 EUR by Ana Ruiz",
            "fr": "Avoir ABCD-EFGH émis pour 10,00 EUR par Ana Ruiz",
            "es": "Vale ABCD-EFGH emitido por 10,00 EUR por Ana Ruiz",
        },
    ),
    "voucher.redeem": (
        lambda w: _entry(
            w, "voucher.redeem", data={"voucher": "ABCD-EFGH", "amount": "10.00", "currency": "EUR"}
        ),
        {
            "en": "10.00 EUR paid with the code ABCD-EFGH by Ana Ruiz",
            "fr": "10,00 EUR payés avec le code ABCD-EFGH par Ana Ruiz",
            "es": "10,00 EUR pagados con el código ABCD-EFGH por Ana Ruiz",
        },
    ),
    "voucher.recredit": (
        lambda w: _entry(
            w,
            "voucher.recredit",
            data={"voucher": "ABCD-EFGH", "amount": "10.00", "currency": "EUR"},
        ),
        {
            "en": "10.00 EUR put back on the code ABCD-EFGH by Ana Ruiz",
            "fr": "10,00 EUR recrédités sur le code ABCD-EFGH par Ana Ruiz",
            "es": "10,00 EUR devueltos al código ABCD-EFGH por Ana Ruiz",
        },
    ),
    "voucher.send": (
        lambda w: _entry(
            w,
            "voucher.send",
            data={
                "voucher": "ABCD-EFGH",
                "amount": "10.00",
                "currency": "EUR",
                "to": "zoe@example.org",
            },
        ),
        {
            "en": "Coupon ABCD-EFGH emailed to zoe@example.org by Ana Ruiz",
            "fr": "Avoir ABCD-EFGH envoyé par e-mail à zoe@example.org par Ana Ruiz",
            "es": "Vale ABCD-EFGH enviado por correo a zoe@example.org por Ana Ruiz",
        },
    ),
    "reserve.create": (
        lambda w: _entry(w, "reserve.create", data={"reserve": 1, "name": "Staff"}),
        {
            "en": "Reserve “Staff” created by Ana Ruiz",
            "fr": "Réserve «\xa0Staff\xa0» créée par Ana Ruiz",
            "es": "Reserva de cupo «Staff» creada por Ana Ruiz",
        },
    ),
    "reserve.rename": (
        lambda w: _entry(
            w, "reserve.rename", data={"reserve": 1, "name": "Crew", "previous": "Staff"}
        ),
        {
            "en": "Renamed: Staff → Crew by Ana Ruiz",
            "fr": "Renommée : Staff → Crew par Ana Ruiz",
            "es": "Renombrada: Staff → Crew por Ana Ruiz",
        },
    ),
    "reserve.configure": (
        lambda w: _entry(w, "reserve.configure", data={"reserve": 1, "name": "Staff"}),
        {
            "en": "Settings changed by Ana Ruiz",
            "fr": "Paramètres modifiés par Ana Ruiz",
            "es": "Ajustes cambiados por Ana Ruiz",
        },
    ),
    "reserve.restrict": (
        lambda w: _entry(w, "reserve.restrict", data={"reserve": 1, "name": "Staff"}),
        {
            "en": "Who may use it changed by Ana Ruiz",
            "fr": "Accès modifié par Ana Ruiz",
            "es": "Acceso modificado por Ana Ruiz",
        },
    ),
    "reserve.allocate": (
        lambda w: _entry(
            w,
            "reserve.allocate",
            data={
                "reserve": 1,
                "name": "Staff",
                "event_date": w["date"].id,
                "ticket_type": w["ticket"].id,
                "before": 4,
                "after": 5,
                "drawn": 0,
            },
        ),
        {
            "en": "Places set aside: 4 → 5, Tarif plein, December 20 by Ana Ruiz",
            "fr": "Places mises de côté : 4 → 5, Tarif plein, 20 décembre par Ana Ruiz",
            "es": "Plazas apartadas: 4 → 5, Tarif plein, 20 de diciembre por Ana Ruiz",
        },
    ),
    "reserve.release": (
        lambda w: _entry(
            w,
            "reserve.release",
            data={
                "reserve": 1,
                "name": "Staff",
                "event_date": w["date"].id,
                "ticket_type": w["ticket"].id,
                "before": 5,
                "after": 2,
                "released": 3,
            },
        ),
        {
            "en": "Places released to general sale: 5 → 2, Tarif plein, December 20 by Ana Ruiz",
            "fr": "Places rendues à la vente : 5 → 2, Tarif plein, 20 décembre par Ana Ruiz",
            "es": "Plazas devueltas a la venta: 5 → 2, Tarif plein, 20 de diciembre por Ana Ruiz",
        },
    ),
    "reserve.release_due": (
        lambda w: _entry(
            w,
            "reserve.release_due",
            actor=Actor.system("worker"),
            data={
                "reserve": 1,
                "name": "Staff",
                "event_date": w["date"].id,
                "release_at": None,
                "released": 3,
            },
        ),
        {
            "en": (
                "Scheduled release done: 3 places back to general sale, December 20 automatically"
            ),
            "fr": (
                "Libération programmée effectuée : 3 places rendues à"
                " la vente, 20 décembre automatiquement"
            ),
            "es": (
                "Liberación programada hecha: 3 plazas vuelven a la"
                " venta, 20 de diciembre automáticamente"
            ),
        },
    ),
    "reserve.schedule": (
        lambda w: _entry(
            w,
            "reserve.schedule",
            data={
                "reserve": 1,
                "name": "Staff",
                "event_date": w["date"].id,
                "release_at": "2031-12-19T19:30:00+00:00",
                "previous": None,
            },
        ),
        {
            "en": "Release of December 20 scheduled for 12/19/2031 8:30 p.m. by Ana Ruiz",
            "fr": "Libération du 20 décembre programmée le 19/12/2031 20:30 par Ana Ruiz",
            "es": "Liberación del 20 de diciembre programada para el 19/12/2031 20:30 por Ana Ruiz",
        },
    ),
    "reserve.archive": (
        lambda w: _entry(
            w, "reserve.archive", data={"reserve": 1, "name": "Staff", "released": {}}
        ),
        {
            "en": "Archived by Ana Ruiz",
            "fr": "Archivée par Ana Ruiz",
            "es": "Archivado por Ana Ruiz",
        },
    ),
    "reserve.capacity_set": (
        lambda w: _entry(
            w,
            "reserve.capacity_set",
            data={"event": 1, "event_date": w["date"].id, "before": 100, "after": 120},
        ),
        {
            "en": "Capacity of December 20: 100 → 120 by Ana Ruiz",
            "fr": "Capacité du 20 décembre\u00a0: 100 → 120 par Ana Ruiz",
            "es": "Aforo del 20 de diciembre: 100 → 120 por Ana Ruiz",
        },
    ),
    "reserve.quota_set": (
        lambda w: _entry(
            w,
            "reserve.quota_set",
            data={"event": 1, "ticket_type": 1, "name": "Tarif plein", "before": None, "after": 40},
        ),
        {
            "en": "Places per date for Tarif plein: — → 40 by Ana Ruiz",
            "fr": "Places par date pour Tarif plein\u00a0: — → 40 par Ana Ruiz",
            "es": "Plazas por fecha para Tarif plein: — → 40 por Ana Ruiz",
        },
    ),
    "reserve.dates_added": (
        lambda w: _entry(
            w, "reserve.dates_added", data={"event": 1, "name": "Concert", "dates": [1, 2]}
        ),
        {
            "en": "2 dates added to Concert by Ana Ruiz",
            "fr": "2 dates ajoutées à Concert par Ana Ruiz",
            "es": "2 fechas añadidas a Concert por Ana Ruiz",
        },
    ),
    "reserve.place_dates_synced": (
        lambda w: _entry(
            w,
            "reserve.place_dates_synced",
            data={"name": "Stargazers", "added": 12, "removed": 1, "resized": 0},
        ),
        {
            "en": "Sessions on sale for Stargazers brought up to date: 12 added, 1 removed, "
            "0 changed by Ana Ruiz",
            "fr": "Sessions en vente de Stargazers mises à jour (ajoutées\u00a0: 12, "
            "retirées\u00a0: 1, modifiées\u00a0: 0) par Ana Ruiz",
            "es": "Sesiones a la venta de Stargazers actualizadas (añadidas: 12, quitadas: 1, "
            "cambiadas: 0) por Ana Ruiz",
        },
    ),
    "staff.settings_changed": (
        lambda w: _entry(w, "staff.settings_changed", data={"changed": {"grace": "1 day"}}),
        {
            "en": "Deadline settings changed by Ana Ruiz",
            "fr": "Réglages des échéances modifiés par Ana Ruiz",
            "es": "Ajustes de plazos cambiados por Ana Ruiz",
        },
    ),
    "checkout.submit": (
        lambda w: _entry(w, "checkout.submit", data={"mode": "reserve"}, from_state="option"),
        {
            "en": "Reserved on the public pages by Ana Ruiz",
            "fr": "Réservée sur les pages publiques par Ana Ruiz",
            "es": "Reservada en las páginas públicas por Ana Ruiz",
        },
    ),
    "checkout.extend": (
        lambda w: _entry(w, "checkout.extend", data={"until": "2031-12-05T09:30:00+00:00"}),
        {
            "en": "More time asked on the checkout page by Ana Ruiz",
            "fr": "Plus de temps demandé sur la page de commande par Ana Ruiz",
            "es": "Más tiempo pedido en la página de compra por Ana Ruiz",
        },
    ),
    "check_in": (
        lambda w: _entry(w, "check_in", data={"ticket": "ABCD1234-1-1", "line": 1}),
        {
            "en": "Ticket ABCD1234-1-1 checked in by Ana Ruiz",
            "fr": "Billet ABCD1234-1-1 contrôlé par Ana Ruiz",
            "es": "Entrada ABCD1234-1-1 validada por Ana Ruiz",
        },
    ),
    # The waiting list (waitlist/actions/).
    "waitlist.join": (
        lambda w: _entry(
            w,
            "waitlist.join",
            actor=Actor.customer(_customer(w)),
            data={"entry": 1, "event_date": w["date"].id, "quantity": 2, "offered": 0},
        ),
        {
            "en": "Joined the waiting list of December 20 for 2 places by the customer",
            "fr": "Inscription sur la liste d'attente du 20 décembre pour 2 places par le client",
            "es": (
                "Inscripción en la lista de espera del 20 de diciembre para 2 plazas por el cliente"
            ),
        },
    ),
    "waitlist.offer": (
        lambda w: _entry(
            w,
            "waitlist.offer",
            actor=Actor.system("waiting list"),
            data={"entry": 1, "event_date": w["date"].id, "quantity": 3, "offered": 2},
        ),
        {
            "en": "2 of 3 places offered from the waiting list automatically",
            "fr": "2 places sur 3 proposées depuis la liste d'attente automatiquement",
            "es": "2 de 3 plazas ofrecidas desde la lista de espera automáticamente",
        },
    ),
    "waitlist.leave": (
        lambda w: _entry(w, "waitlist.leave", actor=Actor.customer(_customer(w))),
        {
            "en": "Left the waiting list by the customer",
            "fr": "A quitté la liste d'attente par le client",
            "es": "Salió de la lista de espera por el cliente",
        },
    ),
    "waitlist.accept": (
        lambda w: _entry(w, "waitlist.accept", actor=Actor.customer(_customer(w))),
        {
            "en": "Waiting list offer accepted by the customer",
            "fr": "Offre de la liste d'attente acceptée par le client",
            "es": "Oferta de la lista de espera aceptada por el cliente",
        },
    ),
    "waitlist.decline": (
        lambda w: _entry(w, "waitlist.decline", actor=Actor.customer(_customer(w))),
        {
            "en": "Waiting list offer declined by the customer",
            "fr": "Offre de la liste d'attente refusée par le client",
            "es": "Oferta de la lista de espera rechazada por el cliente",
        },
    ),
    "waitlist.lapse": (
        lambda w: _entry(w, "waitlist.lapse", actor=Actor.system("waiting list")),
        {
            "en": "Waiting list offer lapsed; passed to the next person automatically",
            "fr": (
                "Offre de la liste d'attente expirée\u00a0; passée à la personne suivante"
                " automatiquement"
            ),
            "es": (
                "Oferta de la lista de espera caducada; pasa a la siguiente persona automáticamente"
            ),
        },
    ),
    "waitlist.remove": (
        lambda w: _entry(w, "waitlist.remove"),
        {
            "en": "Removed from the waiting list by Ana Ruiz",
            "fr": "Retiré de la liste d'attente par Ana Ruiz",
            "es": "Retirado de la lista de espera por Ana Ruiz",
        },
    ),
    "customer.erasure_request": (
        lambda w: _entry(w, "customer.erasure_request", data={"customer": 1}),
        {
            "en": "Customer asked for their personal data to be erased by Ana Ruiz",
            "fr": "Le client a demandé l'effacement de ses données personnelles par Ana Ruiz",
            "es": "El cliente pidió que se borren sus datos personales por Ana Ruiz",
        },
    ),
    "customer.anonymise": (
        lambda w: _entry(w, "customer.anonymise", data={"customer": 1}),
        {
            "en": "Customer's personal data erased (anonymised) by Ana Ruiz",
            "fr": "Données personnelles du client effacées (anonymisées) par Ana Ruiz",
            "es": "Datos personales del cliente borrados (anonimizados) por Ana Ruiz",
        },
    ),
    "customer.password": (
        lambda w: _entry(w, "customer.password", data={"customer": 1}),
        {
            "en": "Customer set a password for their personal space by Ana Ruiz",
            "fr": "Le client a défini un mot de passe pour son espace personnel par Ana Ruiz",
            "es": "El cliente estableció una contraseña para su espacio personal por Ana Ruiz",
        },
    ),
    "customer.sign_in": (
        lambda w: _entry(w, "customer.sign_in", data={"customer": 1}),
        {
            "en": "Customer signed in to their personal space with an emailed link by Ana Ruiz",
            "fr": "Le client s'est connecté à son espace personnel avec un lien reçu par e-mail"
            " par Ana Ruiz",
            "es": "El cliente accedió a su espacio personal con un enlace recibido por correo"
            " por Ana Ruiz",
        },
    ),
}
for _state in ("pending", "authorised", "captured", "failed", "cancelled", "expired"):
    CASES[f"payment.{_state}"] = (
        lambda w, s=_state: _entry(
            w,
            f"payment.{s}",
            actor=Actor.system("provider:simulated"),
            data={
                "payment": "p",
                "amount": "40.00",
                "captured": "40.00" if s == "captured" else "0.00",
                "currency": "EUR",
                "method": "card",
            },
        ),
        None,
    )


def _customer(world):
    from tests.factories import CustomerFactory

    return CustomerFactory(organisation=world["org"])


def test_every_kind_has_a_case():
    assert set(CASES) == KINDS


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("kind", sorted(k for k, (_, said) in CASES.items() if said))
def test_the_sentence_of_each_kind(world, kind, language):
    build, said = CASES[kind]
    assert str(_say(world, build(world), language)) == said[language]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Payment of 40.00 EUR captured (Card (online)) by the payment provider"),
        ("fr", "Paiement de 40,00 EUR encaissé (Carte (en ligne)) par le prestataire de paiement"),
        ("es", "Pago de 40,00 EUR cobrado (Tarjeta (en línea)) por el proveedor de pagos"),
    ],
)
def test_a_payment_captured(world, language, said):
    build, _ = CASES["payment.captured"]
    assert str(_say(world, build(world), language)) == said


@pytest.mark.parametrize("state", ["pending", "authorised", "failed", "cancelled", "expired"])
def test_every_payment_state_has_its_own_sentence(world, state):
    build, _ = CASES[f"payment.{state}"]
    sentence = str(_say(world, build(world), "en"))
    assert sentence.startswith("Payment of 40.00 EUR ") and "(Card (online))" in sentence
    assert "payment." not in sentence


def test_a_state_change_and_its_reason_are_kept_beside_the_sentence(world):
    entry = _entry(world, "decline", from_state="request", to_state="declined", reason="Full")
    with translation.override("fr"):
        sentence = _say(world, entry, "fr")
    assert sentence.change == ("Demande", "Refusée") and sentence.note == "Full"
    assert sentence.at == AT


def test_an_unknown_kind_shows_its_label_not_raw_data(world):
    entry = _entry(world, "something.new", data={"secret": 1})
    assert str(_say(world, entry, "en")) == "something.new by Ana Ruiz"


def test_sentences_from_real_actions_in_a_few_queries(world, django_assert_max_num_queries):
    from tentative.bookings import actions

    owner, booking, line = world["owner"], world["booking"], world["line"]
    actions.change_quantity(booking.id, actor=owner, line_id=line.id, quantity=4)
    actions.confirm_booking(booking.id, actor=owner, reason="Paid")
    entries = list(
        AuditEntry.objects.filter(booking=booking).select_related("actor_user").order_by("id")
    )
    with django_assert_max_num_queries(4), translation.override("en"), timezone.override(PARIS):
        said = [str(s) for s in history_sentences(entries, currency="EUR")]
    assert said == [
        "Booked as option by Ana Ruiz",
        "Places: 5 → 4, Tarif plein, December 20 by Ana Ruiz",
        "Confirmed by Ana Ruiz",
    ]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Players: 2 × Adult, 1 × Child → 3 × Adult by Ana Ruiz"),
        ("fr", "Joueurs\u00a0: 2 × Adult, 1 × Child → 3 × Adult par Ana Ruiz"),
        ("es", "Jugadores: 2 × Adult, 1 × Child → 3 × Adult por Ana Ruiz"),
    ],
)
def test_a_room_sessions_players_changed(world, language, said):
    entry = _entry(
        world,
        "change_quantity",
        data={"players": {"Adult": 2, "Child": 1}, "to": {"Adult": 3}},
    )
    assert str(_say(world, entry, language)) == said
