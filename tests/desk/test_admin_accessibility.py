"""
The desk's own pages in a real browser: the admin screens a reporter and an editor work in every day have no
serious or critical axe-core violations, the article form with its byline and related-story rows included.
"""

import pytest

from articles.models import Byline, RelatedPin, Status
from tests.browser import log_in
from tests.conftest import BLOCKING, axe_violations
from tests.factories import make_article, make_author, make_section, make_tag
from tests.shared_fixtures import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_desk():
    make_user("ed", "Editor")
    section = make_section("Politics")
    story = make_article(
        "Council passes the budget", status=Status.DRAFT, section=section, dek="After a long night."
    )
    other = make_article("Budget fight goes on", section=section)
    Byline.objects.create(article=story, author=make_author("Rita Reporter"), position=1)
    Byline.objects.create(article=story, author=make_author("Pat Photographer"), position=2, role="photos")
    RelatedPin.objects.create(article=story, related=other, position=1)
    story.tags.add(make_tag("Budget"))
    return {
        "article list": "/admin/articles/article/",
        "new article": "/admin/articles/article/add/",
        "article with bylines and pinned stories": f"/admin/articles/article/{story.pk}/change/",
        "article history": f"/admin/articles/article/{story.pk}/history/",
    }


def test_the_desks_admin_pages_have_no_serious_or_critical_axe_violations(
    django_db_setup, live_server, browser, axe_source
):
    desk = make_desk()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, "ed")

    found = {}
    for name, path in desk.items():
        page.goto(live_server.url + path)
        blocking = [v for v in axe_violations(page, axe_source) if v["impact"] in BLOCKING]
        if blocking:
            found[name] = blocking

    context.close()
    assert found == {}, found
