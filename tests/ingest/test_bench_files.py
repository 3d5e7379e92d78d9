"""The benchmark's generated files (bench/formats.py) are valid input for their readers."""

import pytest

from bench.formats import SUFFIXES, WRITERS, articles
from ingest.importers import Record, format_module


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_generated_files_read_back_as_the_same_articles(tmp_path, name):
    path = WRITERS[name](tmp_path / f"bench{SUFFIXES[name]}", 25)

    records = list(format_module(name).read(path))

    expected = list(articles(25))
    assert all(isinstance(record, Record) for record in records)
    assert [r.headline for r in records] == [a["headline"] for a in expected]
    assert [sorted(r.tags) for r in records] == [sorted(a["tags"]) for a in expected]
    assert [[x.name for x in r.authors] for r in records] == [a["authors"] for a in expected]
    assert [r.published_at for r in records] == [a["published_at"] for a in expected]
