from django.urls import path

from tentative.public import card, checkout, rooms, shop, views, waitlist, widget

app_name = "public"
urlpatterns = [
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/return/<str:reference>/", views.returned, name="returned"),
    path("simulated-card/<str:reference>/", card.card, name="card"),
    path("simulated-card/<str:reference>/decide/", card.decide, name="card_decide"),
    # The waiting list (issue 12 item 5): join a full date; the visitor's own page.
    path(
        "o/<slug:org_slug>/dates/<int:date_id>/waiting-list/",
        waitlist.join,
        name="waitlist_join",
    ),
    path("o/<slug:org_slug>/waiting-list/<str:token>/", waitlist.entry, name="waitlist_entry"),
    # An organisation's public booking pages (issue 12).
    path("o/<slug:org_slug>/", shop.organisation_page, name="organisation"),
    path("o/<slug:org_slug>/events/<int:event_id>/", shop.event_page, name="event"),
    path(
        "o/<slug:org_slug>/dates/<int:date_id>/availability/",
        shop.availability,
        name="availability",
    ),
    # A room's sessions (issue 14 item 8).
    path("o/<slug:org_slug>/rooms/<int:room_id>/", rooms.room_page, name="room"),
    path("o/<slug:org_slug>/dates/<int:date_id>/hold/", checkout.hold, name="hold"),
    path("o/<slug:org_slug>/checkout/<str:token>/", checkout.checkout, name="checkout"),
    path("o/<slug:org_slug>/checkout/<str:token>/more-time/", checkout.extend, name="extend"),
    path("o/<slug:org_slug>/done/<str:reference>/", checkout.done, name="done"),
    # The embeddable widget (issue 12 item 7, docs/widget.md).
    path("o/<slug:org_slug>/widget.js", widget.widget_js, name="widget_js"),
    path(
        "o/<slug:org_slug>/widget/events/<int:event_id>/",
        widget.widget_event,
        name="widget_event",
    ),
    path("o/<slug:org_slug>/widget/continue/", widget.widget_continue, name="widget_continue"),
]
