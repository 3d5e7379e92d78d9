"""load_demo's budget and redirect: a few plans for today and tomorrow (one overdue), shown on the budget,
and an old address answering 301; running it again adds nothing."""

import datetime

import pytest
from django.utils import timezone

from planning.models import Story
from redirects.models import Redirect
from tests.ingest.import_helpers import run

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_budget_with_an_overdue_plan_and_a_redirect(client):
    for _ in range(2):
        result = run("load_demo", force=True)
        assert result.code == 0, result.err
    assert "Story budget: 4 plans" in result.out
    assert Story.objects.count() == 4 and Redirect.objects.count() == 1
    # Due times follow the calendar: early in the day only the plan due at midnight is overdue (by the
    # afternoon "budget-reaction", due at 16:00, is too).
    early = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(1)))
    assert list(Story.objects.overdue(now=early).values_list("slug", flat=True)) == ["tram-strike"]
    # The demo's editor logs in with the password load_demo gives (through the login form: axes).
    login = client.post("/admin/login/", {"username": "editor", "password": "editor-dev-only"})
    assert login.status_code == 302
    page = client.get("/admin/planning/story/budget/").text
    assert "tram-strike" in page and "derby-preview" in page and "OVERDUE" in page
    response = client.get("/2019/harbour-bridge.html")
    assert response.status_code == 301 and client.get(response["Location"]).status_code == 200
