"""The staff calendar (issue 13 item 4) and its iCalendar feed (item 5), under
`/staff/calendar/`: one include line in tentative/urls.py."""

from django.urls import path

from tentative.backoffice import calendar, calendar_feed

app_name = "calendar"
urlpatterns = [
    path("", calendar.calendar, name="calendar"),
    path("events/", calendar.events, name="events"),
    path("appointments/<str:reference>/<slug:verb>/", calendar.act, name="act"),
    path("feed/reset/", calendar_feed.reset, name="feed_reset"),
    path("feed/<str:token>.ics", calendar_feed.feed, name="feed"),
]
