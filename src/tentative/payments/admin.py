from django.contrib import admin

from tentative.payments.models import (
    Payment,
    PaymentRequest,
    ProviderEvent,
    Refund,
    SimulatedCharge,
    SimulatedDelivery,
)
from tentative.shared.admin import ReadOnlyAdmin


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Read-only: money moves through the payment actions (locks, audit, outbox)."""

    list_display = ["reference", "booking", "provider", "state", "amount", "captured", "refunded"]
    list_filter = ["state", "provider", "organisation"]


admin.site.register(Refund, ReadOnlyAdmin)
admin.site.register(ProviderEvent)


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    """Read-only: links are made, sent and withdrawn through the actions (staff page, API)."""

    list_display = ["id", "booking", "amount", "currency", "state", "expires_at", "sent_count"]
    list_filter = ["state", "organisation"]
    exclude = ["token"]  # whoever holds it can pay


admin.site.register(SimulatedCharge)
admin.site.register(SimulatedDelivery)
