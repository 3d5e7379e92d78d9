from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Content API"

    def ready(self):
        from api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
