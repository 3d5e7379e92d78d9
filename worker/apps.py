from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "worker"
    verbose_name = "Background tasks"

    def ready(self):
        from django.tasks.signals import task_finished
        from django.utils.module_loading import autodiscover_modules

        from worker import periodic, retry

        task_finished.connect(retry.after_task, dispatch_uid="worker-retry-after-task")
        task_finished.connect(periodic.after_task, dispatch_uid="worker-periodic-after-task")
        # Every app's tasks.py: their @retrying policies and @periodic schedules are known from the start.
        autodiscover_modules("tasks")
