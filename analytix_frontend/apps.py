from django.apps import AppConfig


class AnalytixConfig(AppConfig):
    name = "analytix_frontend"
    verbose_name = "analytix"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # Importing these registers their system checks.
        from analytix_frontend import cache_checks, checks, privacy_checks  # noqa: F401
        from analytix_frontend.server import checks as server_checks  # noqa: F401
