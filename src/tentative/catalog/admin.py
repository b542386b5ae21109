from django.contrib import admin

from tentative.catalog.models import Event, EventDate, TicketType

admin.site.register(Event)
admin.site.register(EventDate)
admin.site.register(TicketType)
