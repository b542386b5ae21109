from django.urls import path

from tentative.public import card, views, waitlist

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
]
