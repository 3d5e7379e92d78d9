"""
The real-shaped corpora (tests/fixtures/realworld/<format>/, one file per class of producer file): whatever a
file holds, the operator is told something. Each format's own tests pin what its corpus imports.
"""

import pytest

from tests.ingest.import_helpers import FIXTURES, import_articles

CORPUS = sorted(path for path in (FIXTURES / "realworld").glob("*/*") if path.is_file())


def test_every_format_with_a_corpus_is_checked():
    assert {path.parent.name for path in CORPUS} >= {"newsml", "nitf", "rss", "wxr"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", CORPUS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_file_of_a_corpus_ends_in_a_silent_zero(path):
    result = import_articles(path)

    imported_nothing = result.summary == "created 0, updated 0, unchanged 0, failed 0"
    assert not imported_nothing or f"{path}: 0 items: " in result.out, result.out
