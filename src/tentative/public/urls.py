from django.urls import path

from tentative.public import card, views

app_name = "public"
urlpatterns = [
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/return/<str:reference>/", views.returned, name="returned"),
    path("simulated-card/<str:reference>/", card.card, name="card"),
    path("simulated-card/<str:reference>/decide/", card.decide, name="card_decide"),
]
