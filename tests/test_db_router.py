"""Read replicas serve anonymous readers' GET and HEAD requests; everything else reads from the primary."""

import pytest
from django.conf import settings
from django.db import router
from django.test import RequestFactory

from articles.models import Article
from newsroom.db_router import ReplicaReadsMiddleware


@pytest.fixture
def replicas(monkeypatch):
    # Only the aliases matter here: the router picks one, and nothing below runs a query.
    for alias in ("replica1", "replica2"):
        monkeypatch.setitem(settings.DATABASES, alias, {**settings.DATABASES["default"]})
    return {"replica1", "replica2"}


def alias_read_during(request):
    """The alias the router gives an Article read while `request` is being handled."""
    seen = []

    def view(request):
        seen.append(router.db_for_read(Article))
        return "response"

    assert ReplicaReadsMiddleware(view)(request) == "response"
    return seen[0]


def test_an_anonymous_readers_get_and_head_requests_read_from_a_replica(replicas):
    assert alias_read_during(RequestFactory().get("/")) in replicas
    assert alias_read_during(RequestFactory().head("/tags/council/")) in replicas


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_requests_that_change_things_read_from_the_primary(replicas, method):
    assert (
        alias_read_during(getattr(RequestFactory(), method)("/admin/articles/article/1/change/")) == "default"
    )


def test_a_request_with_a_session_cookie_reads_from_the_primary(replicas):
    # Staff are logged in through the session: they must see what they have just saved.
    request = RequestFactory().get("/2026/11/26/budget/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "any"

    assert alias_read_during(request) == "default"


def test_commands_imports_and_jobs_read_from_the_primary_outside_any_request(replicas):
    assert router.db_for_read(Article) == "default"
    alias_read_during(RequestFactory().get("/"))

    assert router.db_for_read(Article) == "default"  # the request's scope ended with it


def test_the_scope_ends_even_when_the_view_fails(replicas):
    def failing_view(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ReplicaReadsMiddleware(failing_view)(RequestFactory().get("/"))

    assert router.db_for_read(Article) == "default"


def test_without_replicas_everything_reads_from_the_primary():
    assert alias_read_during(RequestFactory().get("/")) == "default"


def test_writes_and_migrations_go_to_the_primary(replicas):
    request = RequestFactory().get("/")
    writes = []
    ReplicaReadsMiddleware(lambda request: writes.append(router.db_for_write(Article)))(request)

    assert writes == ["default"]
    assert router.allow_migrate("default", "articles") and not router.allow_migrate("replica1", "articles")


def test_the_middleware_is_installed_before_anything_that_reads():
    middleware = settings.MIDDLEWARE
    assert middleware.index("newsroom.db_router.ReplicaReadsMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
