"""What the notifications app gives the worker: every event fanned out into emails and
webhooks on each pass, a courier for each, and the deadline sweep with its reminders."""

from tentative.notifications import fanout, sweeps
from tentative.notifications.delivery import EmailCourier, WebhookCourier
from tentative.outbox.models import OutboxMessage
from tentative.worker import registry

registry.each_pass(fanout.fan_out)
registry.courier(OutboxMessage.Kind.EMAIL, EmailCourier)
registry.courier(OutboxMessage.Kind.WEBHOOK, WebhookCourier)
registry.periodic("deadlines")(sweeps.sweep)
