from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tentative.api.app import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:dashboard", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("staff/notifications/", include("tentative.backoffice.notifications_urls")),
    path("staff/calendar/", include("tentative.backoffice.calendar_urls")),
    path("staff/services/", include("tentative.backoffice.services_urls")),
    path("staff/", include("tentative.backoffice.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/<slug:org_slug>/services/", include("tentative.public.service_urls")),
    path("o/<slug:org_slug>/me/", include("tentative.portal.urls")),
    path("", include("tentative.public.urls")),
]
