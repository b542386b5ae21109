from django.contrib.auth import views as auth_views
from django.urls import path

from tentative.backoffice import booking, dashboard, payments, reserves, style, views, vouchers

app_name = "backoffice"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="backoffice/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # design: the dashboard, the bookings list, the style guide.
    path("", dashboard.dashboard, name="dashboard"),
    path("bookings/", views.bookings, name="bookings"),
    path("style/", style.style_guide, name="style"),
    # booking: the booking page and its actions (issue 11 item 3).
    path("bookings/<str:reference>/", booking.booking_page, name="booking"),
    path("bookings/<str:reference>/do/<slug:verb>/", booking.booking_action, name="booking_action"),
    path(
        "bookings/<str:reference>/emails/<int:message_id>/resend/",
        booking.booking_resend,
        name="booking_resend",
    ),
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
    path("vouchers/", vouchers.vouchers, name="vouchers"),
    path("vouchers/<str:code>/", vouchers.voucher, name="voucher"),
    path("vouchers/<str:code>/send/", vouchers.send, name="voucher_send"),
    path("bookings/<str:reference>/money/", vouchers.booking_money, name="booking_money"),
    path("bookings/<str:reference>/money/redeem/", vouchers.booking_redeem, name="booking_redeem"),
    path("bookings/<str:reference>/money/coupon/", vouchers.booking_coupon, name="booking_coupon"),
    path("bookings/<str:reference>/money/cancel/", vouchers.booking_cancel, name="booking_cancel"),
]
