from django.contrib.auth import views as auth_views
from django.urls import path

from tentative.backoffice import (
    attendees,
    booking,
    box_office,
    catalogue,
    check_in,
    customers,
    dashboard,
    options,
    payments,
    pending,
    photos,
    planning,
    questions,
    reserves,
    rooms,
    sales,
    session_cancel,
    staff,
    style,
    views,
    vouchers,
    waitlist,
)

app_name = "backoffice"
urlpatterns = [
    path("login/", staff.LoginView.as_view(), name="login"),
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
    # Issue 11 items 4 and 5 (pending orders, release of options).
    path("pending/", pending.pending, name="pending"),
    path("options/", options.options, name="options"),
    path("options/policy/", options.policy, name="options_policy"),
    path("reserves/", reserves.reserves, name="reserves"),
    path("reserves/<int:reserve_id>/", reserves.reserve, name="reserve"),
    path("reserves/<int:reserve_id>/<slug:verb>/", reserves.reserve_action, name="reserve_action"),
    path("reserves/dates/<int:date_id>/", reserves.report, name="reserves_report"),
    # Channels, audiences and sales profiles (issue 12 item 2).
    path("audiences/", sales.audiences, name="audiences"),
    path("audiences/<int:audience_id>/", sales.audience, name="audience"),
    path("audiences/<int:audience_id>/delete/", sales.audience_delete, name="audience_delete"),
    path("audiences/<int:audience_id>/customers/", sales.audience_member, name="audience_member"),
    path("sales-profiles/", sales.profiles, name="sales_profiles"),
    path("widget/", sales.widget, name="widget"),
    path("sales-profiles/<int:profile_id>/", sales.profile, name="sales_profile"),
    path(
        "sales-profiles/<int:profile_id>/delete/", sales.profile_delete, name="sales_profile_delete"
    ),
    path(
        "sales-profiles/<int:profile_id>/items/<int:item_id>/remove/",
        sales.profile_item_remove,
        name="sales_profile_item_remove",
    ),
    path("vouchers/", vouchers.vouchers, name="vouchers"),
    path("vouchers/<str:code>/", vouchers.voucher, name="voucher"),
    path("vouchers/<str:code>/send/", vouchers.send, name="voucher_send"),
    path("bookings/<str:reference>/money/", vouchers.booking_money, name="booking_money"),
    path("bookings/<str:reference>/money/redeem/", vouchers.booking_redeem, name="booking_redeem"),
    path("bookings/<str:reference>/money/coupon/", vouchers.booking_coupon, name="booking_coupon"),
    path("bookings/<str:reference>/money/cancel/", vouchers.booking_cancel, name="booking_cancel"),
    # Catalogue, settings and staff accounts (issue 11 items 2 and 9).
    path("catalogue/", catalogue.events, name="catalogue"),
    path("catalogue/events/<int:event_id>/", catalogue.event, name="catalogue_event"),
    path("catalogue/events/<int:event_id>/dates/", catalogue.add_dates, name="catalogue_dates"),
    path(
        "catalogue/events/<int:event_id>/types/new/",
        catalogue.new_ticket_type,
        name="catalogue_new_type",
    ),
    path(
        "catalogue/dates/<int:date_id>/capacity/", catalogue.set_capacity, name="catalogue_capacity"
    ),
    path("catalogue/types/<int:type_id>/", catalogue.ticket_type, name="catalogue_type"),
    path("catalogue/types/<int:type_id>/quota/", catalogue.set_quota, name="catalogue_quota"),
    path("catalogue/rule-preview/", catalogue.rule_preview, name="catalogue_rule_preview"),
    # The public booking form's questions of an event (issue 12).
    path(
        "catalogue/events/<int:event_id>/questions/",
        questions.questions,
        name="catalogue_questions",
    ),
    path(
        "catalogue/events/<int:event_id>/questions/<int:question_id>/remove/",
        questions.remove,
        name="catalogue_question_remove",
    ),
    path("catalogue/events/<int:event_id>/names/", questions.names, name="catalogue_names"),
    path("settings/", staff.organisation_settings, name="settings"),
    path("staff/", staff.staff, name="staff"),
    path("staff/<int:membership_id>/<slug:verb>/", staff.member, name="staff_member"),
    path("password/forgot/", staff.forgot_password, name="forgot_password"),
    path("password/set/<uidb64>/<token>/", staff.SetPasswordView.as_view(), name="set_password"),
    # The desk (issue 11 items 6, 7, 8): attendees, customers, box office, check-in.
    path("dates/<int:date_id>/attendees/", attendees.attendees, name="attendees"),
    path("dates/<int:date_id>/attendees/csv/", attendees.attendees_csv, name="attendees_csv"),
    # The waiting list of a date (issue 12 item 5).
    path("dates/<int:date_id>/waiting-list/", waitlist.waiting_list, name="waitlist"),
    path(
        "dates/<int:date_id>/waiting-list/<int:entry_id>/<str:step>/",
        waitlist.entry_step,
        name="waitlist_step",
    ),
    path("customers/", customers.customers, name="customers"),
    path("customers/new/", customers.new_customer, name="customer_new"),
    path("customers/<int:customer_id>/", customers.customer, name="customer"),
    path(
        "customers/<int:customer_id>/anonymise/",
        customers.anonymise,
        name="customer_anonymise",
    ),
    path("box-office/", box_office.box_office, name="box_office"),
    path("check-in/", check_in.check_in, name="check_in"),
    # Room sessions (issue 14): the planning, booking a session, players, moves.
    path("planning/", planning.planning, name="planning"),
    path("planning/book/", planning.book, name="planning_book"),
    path("bookings/<str:reference>/players/", planning.players, name="session_players"),
    path(
        "bookings/<str:reference>/players/names/",
        planning.name_players,
        name="session_player_names",
    ),
    path("bookings/<str:reference>/session/move/", planning.move, name="session_move"),
    path("bookings/<str:reference>/session/cancel/", session_cancel.cancel, name="session_cancel"),
    path("rooms/", rooms.rooms, name="rooms"),
    path("rooms/<int:room_id>/", rooms.room, name="room"),
    path("rooms/<int:room_id>/closed-days/", rooms.room_closed_day, name="room_closed_day"),
    path("rooms/<int:room_id>/prices/", rooms.room_prices, name="room_prices"),
    # Session photos (issue 14): a booking's, a day's, the zip, the bytes, restore.
    path("bookings/<str:reference>/photos/", photos.booking_photos, name="session_photos"),
    path("planning/photos/", photos.day_photos, name="planning_photos"),
    path("planning/photos/zip/", photos.day_photos_zip, name="planning_photos_zip"),
    path("photos/<int:photo_id>/", photos.photo_file, name="photo_file"),
    path("photos/<int:photo_id>/restore/", photos.restore_photo, name="photo_restore"),
]
