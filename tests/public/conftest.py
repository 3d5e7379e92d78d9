"""
Fixtures for the public site's quality checks: a small but complete site to look at. The npm tools that
judge it (axe-core in the browser, the Nu HTML checker under java) are fixtures of tests/conftest.py.
"""

import datetime

import pytest
from django.utils import timezone

from tests.factories import make_article, make_author, make_section, make_tag

FIGURE_PATH = "/figure.png"  # the browser tests answer it with a real image


@pytest.fixture
def public_site(db):
    """
    One of each public page, with the parts that tend to break accessibility: several bylines and roles,
    many tags, a long dek, pagination, body markup (headings, lists, a quote, a table, a link, an image).
    Returns {page name: path}.
    """
    now = timezone.now()
    politics = make_section("Politics", description="Parliament, elections and the people in power.")
    make_section("Science")
    reporter = make_author("Rebecca Beitsch", bio="Covers national security and the courts.")
    colleague = make_author("Ellen Mitchell")
    photographer = make_author("Greg Nash")
    russia = make_tag("Russia", description="The country, its government and its armed forces.")
    tags = [russia, *(make_tag(f"Topic {n}") for n in range(7))]
    article = make_article(
        "Milley discussed Putin offer with Russian counterpart",
        dek="The chairman of the Joint Chiefs of Staff met his counterpart in Helsinki, a report says.",
        body=(
            "<p>Gen. Mark Milley <a href='https://example.com/report'>discussed</a> the offer.</p>"
            "<h2>What was said</h2><blockquote><p>We talked.</p></blockquote>"
            "<ul><li>One point</li><li>Another</li></ul>"
            f"<figure><img src='{FIGURE_PATH}' alt='The two generals shaking hands' width='640' height='360'>"
            "<figcaption>Helsinki, 2021.</figcaption></figure>"
            "<table><caption>Troops</caption><thead><tr><th scope='col'>Year</th><th scope='col'>Number</th>"
            "</tr></thead><tbody><tr><td>2021</td><td>2,500</td></tr></tbody></table>"
        ),
        section=politics,
        published_at=now - datetime.timedelta(hours=2),
        updated_at=now - datetime.timedelta(hours=1),
        authors=[reporter, colleague, photographer],
        tags=tags,
    )
    for n in range(25):  # more than one page of stories everywhere
        make_article(
            f"Earlier story {n}", dek=f"Dek {n}", section=politics, authors=[reporter], tags=[russia]
        )
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "tag": russia.get_absolute_url(),
        "tag-page-2": russia.get_absolute_url() + "?page=2",
        "author": reporter.get_absolute_url(),
        "section": politics.get_absolute_url(),
        "authors": "/authors/",
        "search": "/search/?q=Milley+offer",
        "search-empty": "/search/?q=",
        "search-no-results": "/search/?q=zanzibar",
        "404": "/no-such-page/",
    }
