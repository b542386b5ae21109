from django.urls import path

from tentative.public import card, checkout, shop, views

app_name = "public"
urlpatterns = [
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/return/<str:reference>/", views.returned, name="returned"),
    path("simulated-card/<str:reference>/", card.card, name="card"),
    path("simulated-card/<str:reference>/decide/", card.decide, name="card_decide"),
    # An organisation's public booking pages (issue 12).
    path("o/<slug:org_slug>/", shop.organisation_page, name="organisation"),
    path("o/<slug:org_slug>/events/<int:event_id>/", shop.event_page, name="event"),
    path(
        "o/<slug:org_slug>/dates/<int:date_id>/availability/",
        shop.availability,
        name="availability",
    ),
    path("o/<slug:org_slug>/dates/<int:date_id>/hold/", checkout.hold, name="hold"),
    path("o/<slug:org_slug>/checkout/<str:token>/", checkout.checkout, name="checkout"),
    path("o/<slug:org_slug>/checkout/<str:token>/more-time/", checkout.extend, name="extend"),
    path("o/<slug:org_slug>/done/<str:reference>/", checkout.done, name="done"),
]
