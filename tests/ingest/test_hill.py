"""The hill plain-text format: reading a file, and splitting its tag line."""

import pytest

from ingest.importers import Failure, InvalidInput, detect_format, hill
from ingest.importers.hill import split_tags
from tests.ingest.import_helpers import SAMPLE, SAMPLE_TAGS, write


def read_one(path):
    items = list(hill.read(path))
    assert len(items) == 1
    return items[0]


class TestReadingTheSample:
    def test_headline_is_the_first_non_empty_line(self):
        record = read_one(SAMPLE)
        assert record.headline == (
            "Milley discussed Putin offer to use Russian bases to monitor Afghanistan: report"
        )

    def test_external_id_is_the_file_name_stem(self):
        assert read_one(SAMPLE).external_id == "000_03d6219c7e6dd54c"

    def test_each_paragraph_becomes_a_p_and_boilerplate_is_dropped(self):
        body = read_one(SAMPLE).body_html
        paragraphs = body.split("\n")
        assert len(paragraphs) == 11
        assert all(p.startswith("<p>") and p.endswith("</p>") for p in paragraphs)
        assert paragraphs[0].startswith("<p>Gen. Mark Milley, the chairman of the Joint Chiefs of Staff")
        assert paragraphs[-1].endswith("a defense official told The Hill.</p>")
        assert "See all" not in body and "Tags" not in body and "Hill.TV" not in body

    def test_tag_line_is_passed_on_raw_and_splits_into_the_eleven_tags(self):
        record = read_one(SAMPLE)
        assert record.raw_tag_line.startswith("Afghanistan Donald Trump")
        assert split_tags(record.raw_tag_line, text=record.headline + record.body_html) == SAMPLE_TAGS

    def test_sample_is_detected_as_hill(self):
        assert detect_format(SAMPLE) == "hill"


class TestReadingOtherFiles:
    def test_paragraph_text_is_html_escaped_and_wrapped_lines_joined(self, tmp_path):
        path = write(
            tmp_path / "a1.txt",
            "\n\n  A <b>bold</b> headline  \n\nFirst line\nsecond line & more\n\n<script>x</script>\n",
        )
        record = read_one(path)
        assert record.headline == "A <b>bold</b> headline"
        assert record.body_html == (
            "<p>First line second line &amp; more</p>\n<p>&lt;script&gt;x&lt;/script&gt;</p>"
        )
        assert record.raw_tag_line == ""

    def test_trailing_boilerplate_without_a_tag_line_is_not_body(self, tmp_path):
        path = write(tmp_path / "a2.txt", "Headline\n\nBody.\n\nSee all Hill.TV See all Video\n")
        assert read_one(path).body_html == "<p>Body.</p>"

    def test_everything_after_the_tag_line_is_dropped(self, tmp_path):
        path = write(tmp_path / "a3.txt", "Headline\n\nBody.\n\nTags Kremlin\nSee all Video\nMore junk\n")
        record = read_one(path)
        assert (record.body_html, record.raw_tag_line) == ("<p>Body.</p>", "Kremlin")

    def test_a_paragraph_starting_with_tags_is_body_the_last_tag_line_counts(self, tmp_path):
        path = write(tmp_path / "a5.txt", "Headline\n\nTags were found.\n\nTags Kremlin\nSee all Video\n")
        record = read_one(path)
        assert (record.body_html, record.raw_tag_line) == ("<p>Tags were found.</p>", "Kremlin")

    def test_byte_order_mark_is_ignored(self, tmp_path):
        path = write(tmp_path / "a4.txt", "\ufeffHeadline\n\nBody.\n".encode())
        assert read_one(path).headline == "Headline"

    def test_empty_file_is_invalid_input(self, tmp_path):
        path = write(tmp_path / "empty.txt", "\n  \n\n")
        with pytest.raises(InvalidInput, match="empty file"):
            list(hill.read(path))

    def test_file_starting_with_the_tag_line_has_no_headline(self, tmp_path):
        path = write(tmp_path / "nohead.txt", "\n\nTags Kremlin Russia\n")
        [failure] = list(hill.read(path))
        assert failure == Failure(3, "no headline: the first non-empty line is the tag line")

    def test_unreadable_path_is_invalid_input(self, tmp_path):
        with pytest.raises(InvalidInput, match="cannot read: Is a directory"):
            list(hill.read(tmp_path))

    def test_wrong_encoding_names_the_byte_its_offset_and_line(self, tmp_path):
        path = write(tmp_path / "latin1.txt", "Headline\n\nCaf\u00e9 society.\n".encode("latin-1"))
        with pytest.raises(InvalidInput) as raised:
            list(hill.read(path))
        assert raised.value.reason == "not UTF-8: byte 0xe9 at offset 13 cannot be decoded"
        assert raised.value.line == 3


class TestSplittingTagLines:
    """The splitter's evidence: order, article text, capitalization, joiners and the vocabulary."""

    def test_person_names_pair_up_without_any_other_evidence(self):
        line = "Barack Obama Bernie Sanders Elizabeth Warren Hillary Clinton"
        assert split_tags(line) == ["Barack Obama", "Bernie Sanders", "Elizabeth Warren", "Hillary Clinton"]

    def test_sample_line_with_only_the_vocabulary_as_evidence(self):
        line = " ".join(SAMPLE_TAGS)
        assert split_tags(line, vocabulary=["Mark Milley", "Russia"]) == SAMPLE_TAGS

    def test_vocabulary_decides_a_name_absent_from_the_body(self):
        line = "Climate change Energy Environmental Protection Agency"
        without = split_tags(line, text="<p>Prices rose.</p>")
        with_vocabulary = split_tags(
            line, text="<p>Prices rose.</p>", vocabulary={"environmental protection agency"}
        )
        assert without != with_vocabulary
        assert with_vocabulary == ["Climate change", "Energy", "Environmental Protection Agency"]

    def test_vocabulary_match_is_case_insensitive(self):
        assert split_tags(
            "Energy Environmental Protection Agency", vocabulary=["ENVIRONMENTAL protection agency"]
        ) == [
            "Energy",
            "Environmental Protection Agency",
        ]

    def test_initials_in_the_body_are_evidence_for_a_long_name(self):
        line = "Climate change Energy Environmental Protection Agency"
        assert split_tags(line, text="<p>The EPA said so.</p>") == [
            "Climate change",
            "Energy",
            "Environmental Protection Agency",
        ]

    def test_joiners_of_and_and_continue_a_name_and_body_text_confirms_it(self):
        line = "Department of Health and Human Services Medicare"
        text = "<p>The Department of Health and Human Services runs Medicare.</p>"
        assert split_tags(line, text=text) == ["Department of Health and Human Services", "Medicare"]

    def test_a_tag_never_ends_on_a_joiner(self):
        tags = split_tags("Bank of America JPMorgan Chase Wells Fargo")
        assert tags == ["Bank of America", "JPMorgan Chase", "Wells Fargo"]

    def test_lower_case_words_continue_the_previous_name(self):
        assert split_tags("Biden administration Climate change Coronavirus") == [
            "Biden administration",
            "Climate change",
            "Coronavirus",
        ]

    def test_abbreviations_with_dots_start_names(self):
        assert split_tags("U.S. Army U.S. military U.S. Navy") == ["U.S. Army", "U.S. military", "U.S. Navy"]

    def test_alphabetical_order_rules_out_splits_that_would_be_unsorted(self):
        # "Health | Care" would put "care" after "health": out of order, so "Health Care" is one tag.
        assert "Health Care" in split_tags("Education Health Care")
        # Without order, "Austin Mark" would be as likely as "Mark Milley"; order keeps Lloyd with Austin.
        assert split_tags("Kremlin Lloyd Austin Mark Milley") == ["Kremlin", "Lloyd Austin", "Mark Milley"]

    def test_single_word_tags_found_in_the_body(self):
        line = "China Education Health Care Immigration Texas"
        text = "<p>China and Texas argue over immigration, education and health care.</p>"
        assert split_tags(line, text=text) == ["China", "Education", "Health Care", "Immigration", "Texas"]

    def test_names_in_the_body_beat_the_length_prior(self):
        assert split_tags("European Union Greece", text="<p>The European Union and Greece agreed.</p>") == [
            "European Union",
            "Greece",
        ]

    def test_unsorted_line_still_splits_with_vocabulary(self):
        line = "Zelensky Ukraine Antony Blinken"
        assert split_tags(line, vocabulary=["Zelensky", "Ukraine", "Antony Blinken"]) == [
            "Zelensky",
            "Ukraine",
            "Antony Blinken",
        ]

    def test_possessive_mentions_in_the_body_count(self):
        text = "<p>Milley’s resignation; Austin’s visit.</p>"
        assert split_tags("Lloyd Austin Mark Milley", text=text) == ["Lloyd Austin", "Mark Milley"]

    def test_empty_line_gives_no_tags(self):
        assert split_tags("   ") == []


# --- the real-shaped corpus: tag names with initials, hyphens, apostrophes, numbers, lower-case words ------

REALWORLD = SAMPLE.parent.parent / "realworld" / "hill"

# What an editor reads in each tag line (none of these names is in the vocabulary: a fresh database)
EXPECTED_TAGS = {
    "abbreviated_date_lowercase_words": ["Capitol attack", "Fox News", "Jan. 6", "Tucker Carlson"],
    "ampersand_and_hyphen_brands": ["AT&T", "T-Mobile", "Verizon"],
    "apostrophe_surname": ["Beto O'Rourke", "Greg Abbott", "Texas"],
    "bill_number_caucus": ["H.R. 1", "House Freedom Caucus", "Kevin McCarthy"],
    "election_leading_number": ["2024 presidential election", "Donald Trump", "Joe Biden"],
    "lowercase_phrase_tag": ["Alejandro Mayorkas", "border crisis", "Title 42", "U.S.-Mexico border"],
    "middle_initial_slash_number": ["9/11", "Al Qaeda", "George W. Bush"],
    "supreme_court_initials_v": ["Abortion", "Clarence Thomas", "Roe v. Wade", "U.S. Supreme Court"],
    "vaccine_hyphen_number_plural": [
        "Centers for Disease Control and Prevention",
        "Covid-19 vaccine",
        "Pfizer",
    ],
    "world_cup_possessives": ["Megan Rapinoe", "U.S. women's national soccer team", "Women's World Cup"],
}


def test_the_corpus_covers_every_file_in_it():
    assert {path.stem for path in REALWORLD.glob("*.txt")} == set(EXPECTED_TAGS)


@pytest.mark.parametrize("name", sorted(EXPECTED_TAGS))
def test_tag_names_of_every_shape_split_with_the_article_as_evidence_and_no_vocabulary(name):
    record = read_one(REALWORLD / f"{name}.txt")

    tags = split_tags(record.raw_tag_line, text=f"{record.headline}\n{record.body_html}")

    assert tags == EXPECTED_TAGS[name]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Abortion Clarence Thomas Roe v. Wade U.S. Supreme Court", ["Roe v. Wade", "U.S. Supreme Court"]),
        ("Megan Rapinoe Women's World Cup", ["Megan Rapinoe", "Women's World Cup"]),
        ("Burger King McDonald's", ["Burger King", "McDonald's"]),
    ],
)
def test_without_any_evidence_v_joins_a_case_name_and_a_possessive_starts_a_name(line, expected):
    assert split_tags(line)[-len(expected) :] == expected


def test_the_letters_of_at_and_t_are_no_acronym_for_a_two_word_name():
    # "AT" inside "AT&T" once counted as the initials of "AT&T T-Mobile"
    assert split_tags("AT&T T-Mobile", text="AT&T, T-Mobile and Verizon") == ["AT&T", "T-Mobile"]


@pytest.mark.django_db
def test_the_corpus_imports_with_every_tag_line_split_as_an_editor_would():
    from articles.models import Article
    from tests.ingest.import_helpers import import_articles

    result = import_articles(REALWORLD)

    assert result.summary == f"created {len(EXPECTED_TAGS)}, updated 0, unchanged 0, failed 0"
    for article in Article.objects.all():
        assert sorted(article.tags.names(), key=str.casefold) == EXPECTED_TAGS[article.external_id]
