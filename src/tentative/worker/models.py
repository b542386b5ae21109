"""The worker's one table: when each periodic job runs next."""

from django.db import models


class ScheduleRun(models.Model):
    """When a periodic job runs next; a worker claims a run with a conditional UPDATE."""

    name = models.CharField(max_length=40, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
