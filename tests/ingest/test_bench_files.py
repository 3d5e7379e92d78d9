"""The benchmark's generated files (bench/formats.py) are valid input for their readers."""

import pytest

from bench.formats import SEED, SUFFIXES, WRITERS, articles
from bench.text import find_word_list
from ingest.importers import Record, format_module
from tests.conftest import skip_or_fail


@pytest.fixture(autouse=True)
def _word_list():
    if find_word_list() is None:
        skip_or_fail("needs a word list for realistic text: apt-get install wamerican (or set BENCH_WORDS)")


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


def test_the_benchmark_text_is_realistic():
    """bench/text.py: a vocabulary of 50,000+ real words, articles of 300-1,500 words, tags of 1-4 words."""
    import random

    from bench.text import article_words, vocabulary

    words = vocabulary(SEED)
    rng = random.Random(1)
    lengths = [article_words(rng) for _ in range(2000)]
    sample = [
        w.strip(".,“”").lower() for _ in range(200) for p in words.paragraphs(rng, 600) for w in p.split()
    ]
    tags = words.tag_names(rng, 500)

    assert len(words) >= 50_000
    assert min(lengths) >= 300 and max(lengths) <= 1500 and 500 <= sorted(lengths)[1000] <= 700
    assert len(set(sample)) > 10_000  # a long tail, not a few hundred words repeated
    assert sample.count("the") > sample.count(words.words[5000]) * 50  # Zipf: common words dominate
    assert all(1 <= len(tag.split()) <= 4 for tag in tags)
    assert any("." in tag for tag in tags) and any("-" in tag for tag in tags)
