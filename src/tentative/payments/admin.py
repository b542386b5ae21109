from django.contrib import admin

from tentative.payments.models import (
    Payment,
    PaymentRequest,
    ProviderEvent,
    Refund,
    SimulatedCharge,
    SimulatedDelivery,
)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: money moves through the payment actions (locks, audit, outbox)."""

    list_display = ["reference", "booking", "provider", "state", "amount", "captured", "refunded"]
    list_filter = ["state", "provider", "organisation"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Refund)
admin.site.register(ProviderEvent)


@admin.register(PaymentRequest)
class PaymentRequestAdmin(admin.ModelAdmin):
    """Read-only: links are made, sent and withdrawn through the actions (staff page, API)."""

    list_display = ["id", "booking", "amount", "currency", "state", "expires_at", "sent_count"]
    list_filter = ["state", "organisation"]
    exclude = ["token"]  # whoever holds it can pay

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


admin.site.register(SimulatedCharge)
admin.site.register(SimulatedDelivery)
