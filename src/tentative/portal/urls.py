"""The personal space: `/o/<org_slug>/me/…` (issue 12 items 4 and 8).

URL names others link to (keep them): `sign_in`, `home` (the dashboard), `booking`,
`ticket`, `receipt`.
"""

from django.urls import path

from tentative.portal import players, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("link/", views.link, name="link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("bookings/<str:reference>/", views.booking, name="booking"),
    path("bookings/<str:reference>/pay/", views.pay, name="pay"),
    path("bookings/<str:reference>/paid/<str:payment>/", views.paid, name="paid"),
    path("bookings/<str:reference>/cancel/", views.cancel, name="cancel"),
    path("bookings/<str:reference>/players/", players.players, name="players"),
    path("bookings/<str:reference>/tickets/", views.tickets, name="ticket"),
    path("bookings/<str:reference>/receipt.pdf", views.receipt, name="receipt"),
    path("password/", views.password, name="password"),
    path("data/", views.data, name="data"),
    path("data/export.json", views.export, name="export"),
    path("data/erase/", views.erase, name="erase"),
]
