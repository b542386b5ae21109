from django.contrib.auth import views as auth_views
from django.urls import path

from tentative.backoffice import reserves, views

app_name = "backoffice"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="backoffice/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.bookings, name="bookings"),
    path("reserves/", reserves.reserves, name="reserves"),
    path("reserves/<int:reserve_id>/", reserves.reserve, name="reserve"),
    path("reserves/<int:reserve_id>/<slug:verb>/", reserves.reserve_action, name="reserve_action"),
    path("reserves/dates/<int:date_id>/", reserves.report, name="reserves_report"),
]
