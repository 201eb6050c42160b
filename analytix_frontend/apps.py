from django.apps import AppConfig


class AnalytixConfig(AppConfig):
    name = "analytix_frontend"
    verbose_name = "analytix"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # Importing the package registers every system check.
        from analytix_frontend import checks  # noqa: F401
        from analytix_frontend.server.sweeper import watch_requests

        watch_requests()  # the sweep for calls left behind starts with a web process
