from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WorkerConfig(AppConfig):
    name = "tentative.worker"

    def ready(self) -> None:
        # Every installed app's `jobs.py` registers what it gives the worker (registry.py),
        # the way `admin.py` modules register with the admin site.
        autodiscover_modules("jobs")
