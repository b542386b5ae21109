from django.contrib import admin

from tentative.catalog.models import Event, EventDate, Resource, Service, ServicePrice, TicketType

admin.site.register(Event)
admin.site.register(EventDate)
admin.site.register(TicketType)


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
