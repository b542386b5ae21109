from django.contrib.auth import views as auth_views
from django.urls import path

from tentative.backoffice import payments, reserves, views

app_name = "backoffice"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="backoffice/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.bookings, name="bookings"),
    path(
        "bookings/<str:reference>/payments/",
        payments.booking_payments,
        name="booking_payments",
    ),
    path(
        "bookings/<str:reference>/payments/request/",
        payments.request_payment,
        name="booking_request_payment",
    ),
    path(
        "bookings/<str:reference>/payments/requests/<int:request_id>/send/",
        payments.send_request,
        name="booking_send_request",
    ),
    path(
        "bookings/<str:reference>/payments/requests/<int:request_id>/withdraw/",
        payments.withdraw_request,
        name="booking_withdraw_request",
    ),
    path("bookings/<str:reference>/payments/record/", payments.record, name="booking_record"),
    path(
        "bookings/<str:reference>/payments/<str:payment>/refund/",
        payments.refund,
        name="booking_refund",
    ),
    path("reserves/", reserves.reserves, name="reserves"),
    path("reserves/<int:reserve_id>/", reserves.reserve, name="reserve"),
    path("reserves/<int:reserve_id>/<slug:verb>/", reserves.reserve_action, name="reserve_action"),
    path("reserves/dates/<int:date_id>/", reserves.report, name="reserves_report"),
]
