from django.contrib import admin

from tentative.worker.models import ScheduleRun

admin.site.register(ScheduleRun)
