"""XML formats estimate their items for import_articles' progress bar (ETA) with a byte scan."""

import importlib
from pathlib import Path

import pytest

from ingest.importers import FORMATS

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    "name, fixture, items",
    [
        ("wxr", "wxr/export.xml", 10),
        ("rss", "rss/feed.xml", 5),
        ("rss", "rss/atom.xml", 2),
        ("nitf", "nitf/story.xml", 1),
        ("newsml", "newsml/message.xml", 5),
    ],
)
def test_xml_formats_estimate_their_items_for_the_progress_bar_without_parsing(name, fixture, items):
    module = importlib.import_module(FORMATS[name])

    assert module.count(FIXTURES / fixture) == items
