from django.contrib import admin

from tentative.accounts.models import ApiToken, Contact, Customer, Organisation, StaffMembership

admin.site.register(Organisation)
admin.site.register(StaffMembership)
admin.site.register(Customer)
admin.site.register(Contact)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    exclude = ["digest"]  # only the hash is stored; it is useless to show
