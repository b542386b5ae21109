"""A service's public booking page (issue 13 item 3): one include line in tentative/urls.py."""

from django.urls import path

from tentative.public import appointments

app_name = "appointments"
urlpatterns = [
    path("<int:service_id>/", appointments.service_page, name="service"),
]
