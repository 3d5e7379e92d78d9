"""
`manage.py check --deploy` is clean with the production settings of docs/security.md (run as a real
process, as an operator would), and the choices it would warn about are settings, not code changes.
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
    "ALLOWED_HOSTS": "cms.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def manage(tmp_path, *args, **env):
    environment = {
        name: value
        for name, value in os.environ.items()
        # Not a test run: nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, set for the rest of the session.
        if name
        not in {"PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path}/deploy.sqlite3", **PRODUCTION)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_the_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert "WARNING" not in result.stderr


def test_production_sends_hsts_with_subdomains_and_preload_and_redirects_to_https(tmp_path):
    shown = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )

    result = manage(tmp_path, "shell", "--no-imports", "-c", shown)

    assert result.stdout.split(maxsplit=6) == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ], result.stderr
    behind_nothing = manage(
        tmp_path, "shell", "--no-imports", "-c", shown, SECURE_PROXY_SSL_HEADER="", SECURE_HSTS_SECONDS="600"
    )
    assert behind_nothing.stdout.split()[0] == "600"
    assert behind_nothing.stdout.rstrip().endswith("None")


@pytest.mark.parametrize(
    "choice",
    ["SECURE_SSL_REDIRECT", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_SECONDS"],
)
def test_turning_a_protection_off_on_purpose_silences_only_its_warning(tmp_path, choice):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **{choice: "0"})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "(1 silenced)" in result.stdout


def test_the_check_still_catches_a_weak_secret_key(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short")

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout
