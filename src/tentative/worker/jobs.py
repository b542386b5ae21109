"""The worker's own periodic job: forgetting what the outbox delivered long ago."""

from __future__ import annotations

from datetime import datetime, timedelta

from tentative.outbox.models import OutboxMessage
from tentative.worker.registry import periodic

KEEP_FOR = timedelta(days=90)


@periodic("purge", every=timedelta(hours=6))
def purge(now: datetime) -> int:
    """Forget what was delivered (or given up on) more than 90 days ago, in small batches.

    The outbox is a queue, not an archive: the audit trail lives in `AuditEntry`.
    """
    old = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.DEAD],
        created_at__lt=now - KEEP_FOR,
    )
    total = 0
    while ids := list(old.values_list("id", flat=True)[:2000]):
        OutboxMessage.objects.filter(fanned_out__in=ids).update(event=None)
        total += (
            OutboxMessage.objects.filter(id__in=ids).delete()[1].get(OutboxMessage._meta.label, 0)
        )
    return total
