from django.contrib import admin

from tentative.catalog.models import Event, EventDate, Resource, Service, ServicePrice, TicketType
from tentative.shared.admin import ReadOnlyAdmin

# Events, dates and ticket types change through the catalogue pages' actions (audit entry,
# pools created with a date, capacity never below what is taken): read-only here.
admin.site.register([Event, EventDate, TicketType], ReadOnlyAdmin)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "archived_at"]
    list_filter = ["kind", "organisation"]


class ServicePriceInline(admin.TabularInline):
    model = ServicePrice
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "duration", "requires_approval"]
    list_filter = ["kind", "organisation"]
    filter_horizontal = ["resources"]
    inlines = [ServicePriceInline]
