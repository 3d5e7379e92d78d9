from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self):
        # A plan becomes "published" when its article goes live (articles.signals.article_published).
        from planning import receivers  # noqa: F401
