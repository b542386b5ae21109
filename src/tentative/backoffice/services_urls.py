"""Appointment services and staff members' hours (issue 13 items 1-2), under
`/staff/services/`: one include line in tentative/urls.py."""

from django.urls import path

from tentative.backoffice import services

app_name = "services"
urlpatterns = [
    path("", services.services, name="services"),
    path("new/", services.new_service, name="new"),
    path("<int:service_id>/", services.service, name="service"),
    path("<int:service_id>/fields/", services.add_question, name="add_question"),
    path(
        "<int:service_id>/fields/<int:question_id>/remove/",
        services.remove_question,
        name="remove_question",
    ),
    path("staff/<int:resource_id>/", services.hours, name="hours"),
    path("staff/<int:resource_id>/exceptions/", services.add_exception, name="add_exception"),
    path(
        "staff/<int:resource_id>/exceptions/<int:exception_id>/remove/",
        services.remove_exception,
        name="remove_exception",
    ),
]
