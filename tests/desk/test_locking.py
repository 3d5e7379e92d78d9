"""Optimistic locking: a save based on an old version is refused, at the model and in the admin."""

import re
import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from articles.models import Article, Status, VersionConflict
from desk import workflow
from tests.desk.admin_helpers import change_form_data, change_url
from tests.factories import make_article
from tests.shared_fixtures import make_ready_article


@pytest.mark.django_db
def test_every_save_increments_the_version():
    article = make_article()
    assert article.version == 1
    article.save()
    article.save(update_fields=["headline"])
    assert Article.objects.get(pk=article.pk).version == 3


@pytest.mark.django_db
def test_a_save_from_a_stale_copy_is_refused_and_changes_nothing():
    article = make_article("Original")
    mine, theirs = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    theirs.headline = "Theirs"
    theirs.save()

    mine.headline = "Mine"
    # Like IntegrityError, catch it around an atomic block so the surrounding transaction stays usable.
    with pytest.raises(VersionConflict, match="changed by someone else"), transaction.atomic():
        mine.save()

    assert mine.version == 1  # the copy is left as it was, to be reloaded
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.version) == ("Theirs", 2)


def _in_thread(function):
    """Run `function` in a thread with its own database connection; return its result or exception."""
    result = {}

    def target():
        try:
            result["value"] = function()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result


@pytest.mark.django_db(transaction=True)
def test_lost_update_across_two_connections():
    article = make_article("Original")
    mine = Article.objects.get(pk=article.pk)  # loaded on this connection

    def other_connection_saves():
        theirs = Article.objects.get(pk=article.pk)
        theirs.headline = "Saved on another connection"
        theirs.save()
        return theirs.version

    assert _in_thread(other_connection_saves) == {"value": 2}
    mine.headline = "Mine"
    with pytest.raises(VersionConflict):
        mine.save()
    assert Article.objects.get(pk=article.pk).headline == "Saved on another connection"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_postgresql_let_exactly_one_win():
    article = make_article("Original")
    barrier = threading.Barrier(4)
    outcomes = []

    def save(name):
        def run():
            copy = Article.objects.get(pk=article.pk)
            barrier.wait()
            copy.headline = name
            try:
                copy.save()
                outcomes.append(("saved", name))
            except VersionConflict:
                outcomes.append(("conflict", name))
            finally:
                connection.close()

        return threading.Thread(target=run)

    threads = [save(f"writer {n}") for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for outcome, name in outcomes if outcome == "saved"]
    assert len(winners) == 1 and len(outcomes) == 4
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.version) == (winners[0], 2)


@pytest.mark.django_db
def test_second_admin_save_is_refused_naming_who_saved_and_keeping_the_input(reporter, editor, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW, headline="Original headline")
    alice, bob = Client(), Client()
    alice.force_login(editor)
    bob.force_login(publisher)
    alice_form = change_form_data(article)  # both opened the form at the same version
    bob_form = change_form_data(article)
    assert alice.get(change_url(article)).status_code == bob.get(change_url(article)).status_code == 200

    assert bob.post(change_url(article), {**bob_form, "headline": "Bob's headline"}).status_code == 302
    response = alice.post(change_url(article), {**alice_form, "dek": "Alice's careful dek"})

    assert response.status_code == 200
    page = response.text
    assert "changed after you opened it" in page
    assert "publisher saved revision 2 at" in page
    assert re.search(r"Headline: - Original headline, \+ Bob(&#x27;|')s headline", page)
    assert (
        "Alice&#x27;s careful dek" in page or "Alice's careful dek" in page
    )  # her input is still in the form
    stored = Article.objects.get(pk=article.pk)
    assert (stored.headline, stored.dek) == ("Bob's headline", "A dek.")

    # Having read the changes, she saves again on purpose: the form now carries the current version.
    loaded = re.search(r'name="loaded_version" value="(\d+)"', page).group(1)
    assert int(loaded) == stored.version
    again = alice.post(
        change_url(article), {**alice_form, "dek": "Alice's careful dek", "loaded_version": loaded}
    )
    assert again.status_code == 302
    assert Article.objects.get(pk=article.pk).dek == "Alice's careful dek"


@pytest.mark.django_db
def test_a_transition_after_the_form_was_opened_also_counts_as_a_change(reporter, editor, publisher):
    article = make_ready_article(reporter, status=Status.IN_REVIEW)
    client = Client()
    client.force_login(publisher)
    form = change_form_data(article)
    workflow.perform("approve", article, editor)

    response = client.post(change_url(article), {**form, "headline": "Too late"})

    assert response.status_code == 200
    assert "editor did “approve”" in response.text
    assert Article.objects.get(pk=article.pk).headline != "Too late"


@pytest.mark.django_db
def test_a_stale_staged_edit_of_a_published_article_is_refused_too(reporter, publisher, superuser):
    article = make_ready_article(reporter, status=Status.PUBLISHED)
    first, second = Client(), Client()
    first.force_login(publisher)
    second.force_login(superuser)
    form = change_form_data(article)
    assert first.post(change_url(article), {**form, "headline": "First staged"}).status_code == 302

    response = second.post(change_url(article), {**form, "headline": "Second staged"})

    assert response.status_code == 200
    assert "changed after you opened it" in response.text
    assert workflow.pending_revision(article).snapshot["headline"] == "First staged"
