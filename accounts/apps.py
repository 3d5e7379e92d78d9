from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import audit, sessions

        audit.register_models()
        user_logged_in.connect(sessions.record_login, dispatch_uid="accounts.sessions.record_login")
