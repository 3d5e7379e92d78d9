"""The story budget in the admin over HTTP: today's and tomorrow's plans by desk and slot, the person
filter, overdue in words, the week with its neighbours, the dashboard's assignments, who may change what,
"create draft from plan", and the query counts of each page."""

import datetime
import html as html_module
import re

import pytest
from django.utils import timezone

from articles.models import Article, Status
from planning.models import Desk, Story
from tests.factories import make_section
from tests.planning.helpers import local, make_story

pytestmark = pytest.mark.django_db
BUDGET = "/admin/planning/story/budget/"
WEEK = "/admin/planning/story/week/"


def text_of(response):
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_budget_groups_today_and_tomorrow_by_desk_in_slot_order(client, editor, reporter):
    make_story(slug="late-news", desk=Desk.NEWS, publish_slot=local(0, 18), reporters=[reporter])
    make_story(slug="early-news", desk=Desk.NEWS, publish_slot=local(0, 7), reporters=[reporter])
    make_story(slug="match-report", desk=Desk.SPORT, publish_slot=local(0, 21), reporters=[reporter])
    make_story(slug="markets", desk=Desk.BUSINESS, publish_slot=local(1, 9), reporters=[reporter])
    make_story(slug="next-week", desk=Desk.NEWS, publish_slot=local(7, 9), reporters=[reporter])
    client.force_login(editor)
    page = text_of(client.get(BUDGET))
    today, tomorrow = page.index("Today,"), page.index("Tomorrow,")
    assert today < page.index("News (2)") < page.index("early-news") < page.index("late-news")
    assert page.index("late-news") < page.index("Sport (1)") < page.index("match-report") < tomorrow
    assert tomorrow < page.index("Business (1)") < page.index("markets")
    assert "next-week" not in page


def test_an_overdue_plan_says_overdue_in_words_as_well_as_in_red(client, editor, reporter):
    passed = timezone.now() - datetime.timedelta(minutes=5)
    make_story(slug="late-copy", status=Story.Status.IN_PROGRESS, due_at=passed, publish_slot=local(1, 12),
               reporters=[reporter])  # fmt: skip
    make_story(slug="filed-copy", status=Story.Status.FILED, due_at=passed, publish_slot=local(1, 12),
               reporters=[reporter])  # fmt: skip
    make_story(slug="last-week", status=Story.Status.ASSIGNED, due_at=local(-6, 12), reporters=[reporter])
    client.force_login(editor)
    html = client.get(BUDGET).content.decode()
    late_row = re.search(r'<tr class="overdue">.*?</tr>', html, re.S).group(0)
    assert "late-copy" in late_row and "OVERDUE" in late_row
    filed_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*filed-copy.*?</tr>", html, re.S).group(0)
    assert "OVERDUE" not in filed_row and 'class="overdue"' not in filed_row
    earlier = html[html.index("Overdue from earlier days") :]
    assert "last-week" in earlier and "OVERDUE" in earlier
    assert '<link rel="stylesheet" href="/static/planning/budget.css"' in html  # print styles, no inline CSS


def test_the_person_filter_shows_only_their_plans_as_reporter_or_editor(
    client, editor, reporter, other_reporter
):
    make_story(slug="mine", publish_slot=local(0, 10), reporters=[reporter])
    make_story(slug="theirs", publish_slot=local(0, 11), reporters=[other_reporter])
    make_story(slug="edited", publish_slot=local(0, 12), reporters=[other_reporter], editor=reporter)
    client.force_login(editor)
    page = text_of(client.get(BUDGET, {"person": reporter.pk}))
    assert "mine" in page and "edited" in page and "theirs" not in page
    response = client.get(BUDGET, {"person": "nobody"})
    assert response.status_code == 400
    assert "person: “nobody” is not a user; showing everyone's plans." in text_of(response)
    assert "theirs" in text_of(response)


def test_the_budget_takes_a_fixed_number_of_queries(
    client, editor, reporter, other_reporter, django_assert_max_num_queries
):
    client.force_login(editor)
    section = make_section()
    for n in range(12):
        make_story(desk=list(Desk)[n % 4], section=section, editor=editor, publish_slot=local(n % 2, 8 + n),
                   due_at=local(-1, 8), reporters=[reporter, other_reporter])  # fmt: skip
    with django_assert_max_num_queries(9):
        response = client.get(BUDGET)
    assert response.status_code == 200 and text_of(response).count("OVERDUE") == 12
    with django_assert_max_num_queries(9):
        assert client.get(BUDGET, {"person": reporter.pk}).status_code == 200


def test_the_week_shows_seven_days_from_start_with_previous_and_next_links(
    client, editor, reporter, django_assert_max_num_queries
):
    start = timezone.localdate() + datetime.timedelta(days=2)
    make_story(slug="in-week", publish_slot=local(3, 10), reporters=[reporter])
    make_story(slug="unslotted-due", due_at=local(4, 10), reporters=[reporter])
    make_story(slug="after-week", publish_slot=local(9, 10), reporters=[reporter])
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        response = client.get(WEEK, {"start": start.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "in-week" in html and "unslotted-due" in html and "after-week" not in html
    week = html[html.index('<table class="week">') :]
    assert len(re.findall(r'<th scope="col"', week)) == 7
    assert f'?start={(start - datetime.timedelta(days=7)).isoformat()}" rel="prev"' in html
    assert f'?start={(start + datetime.timedelta(days=7)).isoformat()}" rel="next"' in html
    assert "after-week" in client.get(WEEK, {"start": (start + datetime.timedelta(days=7)).isoformat()}).text


def test_a_week_start_that_is_not_a_date_is_a_clear_400(client, editor):
    client.force_login(editor)
    response = client.get(WEEK, {"start": "2026-13-45"})
    assert response.status_code == 400
    assert "start: “2026-13-45” is not a date (YYYY-MM-DD); showing this week." in text_of(response)


def test_the_changelist_takes_a_fixed_number_of_queries(
    client, editor, reporter, django_assert_max_num_queries
):
    for _ in range(15):
        make_story(reporters=[reporter], section=make_section(), due_at=local(0, 9))
    client.force_login(editor)
    with django_assert_max_num_queries(11):  # the same with 1 plan or 15: reporters are prefetched
        response = client.get("/admin/planning/story/")
    assert response.status_code == 200 and "15 story plans" in response.text


def test_reporters_see_their_assignments_on_the_desk_dashboard(client, reporter, other_reporter):
    make_story(slug="my-story", working_headline="Bridge reopens", reporters=[reporter],
               due_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    make_story(slug="not-mine", reporters=[other_reporter])
    client.force_login(reporter)
    page = text_of(client.get("/admin/articles/article/desk/"))
    assert "My assignments" in page and "my-story : Bridge reopens OVERDUE" in page
    assert "not-mine" not in page


def test_a_reporter_moves_the_status_of_their_own_plan_only(client, reporter, other_reporter):
    mine = make_story(reporters=[reporter], status=Story.Status.IN_PROGRESS, working_headline="Mine")
    theirs = make_story(reporters=[other_reporter], status=Story.Status.IN_PROGRESS)
    client.force_login(reporter)
    url = f"/admin/planning/story/{mine.pk}/change/"
    form = client.get(url).content.decode()
    assert 'name="status"' in form and 'name="working_headline"' not in form  # the rest is read-only
    response = client.post(url, {"status": "filed", "working_headline": "Changed"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.working_headline) == ("filed", "Mine")
    assert client.post(f"/admin/planning/story/{theirs.pk}/change/", {"status": "filed"}).status_code == 403
    assert client.get("/admin/planning/story/add/").status_code == 403
    assert client.get(BUDGET).status_code == 200  # everyone's budget is readable


def test_an_editor_cannot_skip_a_plan_ahead_and_is_told_why(client, editor, reporter):
    story = make_story(reporters=[reporter], status=Story.Status.IDEA)
    client.force_login(editor)
    data = {"slug": story.slug, "working_headline": story.working_headline, "desk": "news", "status": "filed",
            "reporters": [reporter.pk]}  # fmt: skip
    response = client.post(f"/admin/planning/story/{story.pk}/change/", data)
    assert response.status_code == 200
    assert "Select a valid choice. filed is not one of the available choices." in response.text
    data["status"] = "assigned"
    data["reporters"] = []
    response = client.post(f"/admin/planning/story/{story.pk}/change/", data)
    assert "Assign at least one reporter before the plan leaves “idea”." in response.text
    assert Story.objects.get(pk=story.pk).status == "idea"


def test_create_draft_from_plan_makes_the_article_with_headline_section_and_bylines(client, reporter, editor):
    section = make_section("Business")
    story = make_story(reporters=[reporter], section=section, working_headline="Port volumes hit a record")
    client.force_login(reporter)
    response = client.post(f"/admin/planning/story/{story.pk}/draft/")
    story.refresh_from_db()
    article = story.article
    assert (
        response.status_code == 302
        and response["Location"] == f"/admin/articles/article/{article.pk}/change/"
    )
    assert (article.headline, article.section, article.status) == (
        "Port volumes hit a record",
        section,
        Status.DRAFT,
    )
    assert [b.author.user for b in article.bylines.all()] == [reporter]
    assert article.revisions.get().comment == f"Drafted from the plan “{story.slug}”"
    assert story.status == Story.Status.IN_PROGRESS
    again = client.post(f"/admin/planning/story/{story.pk}/draft/", follow=True)
    assert f"Cannot create a draft from “{story.slug}”: it already has an article." in again.text
    assert Article.objects.count() == 1


def test_a_reporter_cannot_draft_someone_elses_plan(client, reporter, other_reporter):
    story = make_story(reporters=[other_reporter])
    client.force_login(reporter)
    response = client.post(f"/admin/planning/story/{story.pk}/draft/", follow=True)
    assert "the plan is not assigned to you" in response.text and not Article.objects.exists()
