from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Article events become deliveries (webhooks/receivers.py).
        from webhooks import receivers  # noqa: F401
