from django.contrib.auth import views as auth_views
from django.urls import path

from tentative.backoffice import (
    attendees,
    box_office,
    check_in,
    customers,
    dashboard,
    payments,
    reserves,
    style,
    views,
    vouchers,
)

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
    # The desk (issue 11 items 6, 7, 8): attendees, customers, box office, check-in.
    path("dates/<int:date_id>/attendees/", attendees.attendees, name="attendees"),
    path("dates/<int:date_id>/attendees/csv/", attendees.attendees_csv, name="attendees_csv"),
    path("customers/", customers.customers, name="customers"),
    path("customers/new/", customers.new_customer, name="customer_new"),
    path("customers/<int:customer_id>/", customers.customer, name="customer"),
    path("box-office/", box_office.box_office, name="box_office"),
    path("check-in/", check_in.check_in, name="check_in"),
]
