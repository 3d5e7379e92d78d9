"""The wxr import format: WordPress eXtended RSS exports (posts in, everything else skipped and counted)."""

import datetime
from pathlib import Path

import pytest

from articles.models import Article
from ingest.importers import FORMATS, Deferred, Failure, NoItems, Record, Skipped, wxr
from tests.ingest.import_helpers import import_articles

EXPORT = Path(__file__).parent.parent / "fixtures" / "wxr" / "export.xml"


@pytest.fixture(scope="module")
def results():
    return list(wxr.read(EXPORT))


def records(results):
    return {r.external_id: r for r in results if isinstance(r, Record)}


def test_wxr_is_registered_and_recognised_by_its_namespace():
    assert FORMATS["wxr"] == "ingest.importers.wxr"
    assert wxr.sniff(EXPORT.read_bytes()[:4096])
    assert not wxr.sniff(b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')


@pytest.mark.parametrize(
    "external_id, status",
    [
        ("https://courier.example.com/?p=101", "published"),  # publish
        ("https://courier.example.com/?p=103", "draft"),  # draft
        ("https://courier.example.com/?p=104", "in_review"),  # pending
        ("105", "scheduled"),  # future
    ],
)
def test_wordpress_statuses_map_to_article_statuses(results, external_id, status):
    assert records(results)[external_id].status == status


def test_pages_attachments_and_private_or_trashed_posts_are_skipped_and_counted(results):
    assert [(s.kind, s.line, s.reason) for s in results if isinstance(s, Skipped)] == [
        ("attachment", 64, "a WordPress attachment, not a post"),
        ("private", 119, "a private post"),
        ("trash", 127, "a trashed post"),
        ("page", 134, "a WordPress page, not a post"),
    ]


def test_invalid_dates_fail_with_the_items_line(results):
    assert [(f.line, f.reason) for f in results if isinstance(f, Failure)] == [
        (149, "invalid date '2024-02-31 10:00:00'"),
    ]


def test_an_unknown_plugin_status_imports_as_a_draft_for_an_editor_to_check(results):
    assert records(results)["https://courier.example.com/?p=108"].status == "draft"  # wp:status archived


def test_a_post_maps_field_by_field(results):
    post = records(results)["https://courier.example.com/?p=101"]

    assert post.line == 24
    assert post.headline == "River bursts its banks & floods Main Street"  # CDATA and an HTML entity
    assert post.dek == "Shops and homes flooded after a night of rain."
    assert post.slug == "river-bursts"
    assert post.canonical_url == "https://courier.example.com/2024/03/04/river-bursts/"
    assert post.published_at == datetime.datetime(2024, 3, 4, 9, 15, tzinfo=datetime.UTC)  # post_date_gmt
    assert post.updated_at == datetime.datetime(2024, 3, 4, 12, 0, tzinfo=datetime.UTC)


def test_the_first_category_is_the_section_and_the_others_and_post_tags_are_tags(results):
    post = records(results)["https://courier.example.com/?p=101"]

    assert post.section == "Local News"
    assert post.tags == ["Weather", "Flooding", "Main Street"]  # the post_tag "weather" is the same tag


def test_authors_come_from_dc_creator_and_co_authors_shown_by_their_wp_author_names(results):
    post = records(results)["https://courier.example.com/?p=101"]
    draft = records(results)["https://courier.example.com/?p=103"]

    assert [a.name for a in post.authors] == ["Jane Doe", "Rosa García"]
    # no display name in wp:author: first and last name
    assert [a.name for a in draft.authors] == ["Rosa García"]


def test_block_comments_are_dropped_captions_become_figures_and_the_body_is_sanitized(results):
    body = records(results)["https://courier.example.com/?p=101"].body_html

    assert "wp:" not in body and "<!--" not in body and "[caption" not in body
    assert (
        '<figure><img src="https://courier.example.com/wp-content/uploads/2024/03/main-street.jpg" '
        'alt="Water on Main Street" width="640" height="427">'
        "<figcaption>Main Street at dawn. Photo: R. García</figcaption></figure>"
    ) in body
    assert "<p>Shopkeepers moved stock upstairs.<br>\nSome stayed all night.</p>" in body  # wpautop
    assert "<blockquote><p>“We’ve never seen it this high.”</p></blockquote>" in body
    assert "onclick" not in body and "javascript:" not in body


def test_the_featured_image_attachment_becomes_the_lead_image(results):
    post = records(results)["https://courier.example.com/?p=101"]

    assert post.lead_image == {
        "url": "https://courier.example.com/wp-content/uploads/2024/03/main-street.jpg",
        "alt": "Water on Main Street",
        "caption": "Main Street at dawn.",
        "credit": "Rosa García",
    }


def test_unpublished_posts_have_no_date_and_percent_encoded_slugs_are_decoded(results):
    pending = records(results)["https://courier.example.com/?p=104"]

    assert pending.published_at is None  # 0000-00-00 00:00:00
    assert pending.slug == "市長"
    assert pending.body_html == "<p>Q&amp;A with the mayor.</p>"


def test_without_a_guid_the_post_id_is_the_external_id(results):
    assert records(results)["105"].published_at == datetime.datetime(2030, 1, 10, 7, 0, tzinfo=datetime.UTC)


def test_caption_shortcodes_with_a_caption_attribute_and_no_inner_text():
    body = wxr.body_html(
        '[caption id="a" caption="Old style &amp; caption"]<img src="https://x.test/a.jpg">[/caption]'
    )

    assert body == (
        '<figure><img src="https://x.test/a.jpg"><figcaption>Old style &amp; caption</figcaption></figure>'
    )


def test_a_file_without_attachments_is_read_once_with_the_authors_display_names(tmp_path):
    # Everything but the attachment items: nothing needs a first pass, authors still come by display name.
    text = EXPORT.read_text(encoding="utf-8").replace('id="attachment_102"', 'id="image_102"')
    items = text.split("<item>")
    kept = [items[0], *(item for item in items[1:] if "CDATA[attachment]" not in item)]
    path = tmp_path / "no-attachments.xml"
    path.write_text("<item>".join(kept), encoding="utf-8")
    assert b"attachment" not in path.read_bytes()

    post = records(list(wxr.read(path)))["https://courier.example.com/?p=101"]

    assert [a.name for a in post.authors] == ["Jane Doe", "Rosa García"]
    assert post.lead_image is None


HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n<title>Courier</title>\n'
)


def test_an_items_own_wp_author_element_does_not_cost_it_its_title_and_post_id(tmp_path):
    # Shaped like the WordPress importer's phpunit/data/authors-multiline.xml: padded logins, and a
    # <wp:author> inside the item (before this fix the item lost its earlier children: "no external id").
    path = tmp_path / "authors-multiline.xml"
    path.write_text(
        HEAD + "<wp:author><wp:author_login>alice\n</wp:author_login>"
        "<wp:author_display_name>Alice Ames</wp:author_display_name></wp:author>\n"
        "<item><title>Council votes</title><wp:post_id>1</wp:post_id><wp:author>alice</wp:author>"
        "<dc:creator><![CDATA[ alice\n ]]></dc:creator>"
        "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>\n</channel></rss>",
        encoding="utf-8",
    )

    [post] = wxr.read(path)

    assert (post.external_id, post.headline, [a.name for a in post.authors]) == (
        "1",
        "Council votes",
        ["Alice Ames"],
    )


@pytest.mark.parametrize(
    "channel, reason",
    [
        (
            "<wp:category><wp:cat_name>News</wp:cat_name></wp:category>"
            "<wp:tag><wp:tag_name>Flooding</wp:tag_name></wp:tag><wp:tag><wp:tag_name>Roads</wp:tag_name></wp:tag>",
            "WXR file holds only terms (1 categories, 2 tags)",
        ),
        ("<wp:author><wp:author_login>alice</wp:author_login></wp:author>", "WXR channel has no items"),
    ],
)
def test_a_file_without_items_says_why_in_read_and_read_deferred(tmp_path, channel, reason):
    path = tmp_path / "terms.xml"
    path.write_text(HEAD + channel + "\n</channel></rss>", encoding="utf-8")

    assert list(wxr.read(path)) == list(wxr.read_deferred(path)) == [NoItems(reason)]


@pytest.mark.parametrize(
    "fields, outcome",
    [
        ("<wp:status>inherit</wp:status>", ("inherit", "a revision (inherits its parent's status)")),
        ("<wp:status>auto-draft</wp:status>", ("auto-draft", "an auto-draft (never saved by its author)")),
        ("<wp:post_type>revision</wp:post_type>", ("revision", "a revision of another post")),
        ("<wp:status></wp:status>", "draft"),
        ("", "draft"),
        ("<wp:status>Publish</wp:status>", "published"),
    ],
)
def test_every_wp_status_has_an_outcome_and_none_is_a_failure(tmp_path, fields, outcome):
    path = tmp_path / "status.xml"
    path.write_text(HEAD + f"<item><title>T</title><wp:post_id>7</wp:post_id>{fields}</item></channel></rss>")

    [item] = wxr.read(path)

    assert ((item.kind, item.reason) if isinstance(item, Skipped) else item.status) == outcome


def test_without_guid_or_post_id_the_link_then_a_digest_is_the_external_id(tmp_path):
    path = tmp_path / "ids.xml"
    path.write_text(
        HEAD + '<item><title>A</title><guid isPermaLink="false"></guid><link>https://x.test/a/</link></item>'
        "<item><title>B</title><wp:post_date>2024-03-04 09:00:00</wp:post_date></item></channel></rss>"
    )

    first, second = wxr.read(path)

    assert first.external_id == "https://x.test/a/"
    assert second.external_id.startswith("wxr:")
    assert second.external_id == list(wxr.read(path))[1].external_id  # stable


@pytest.mark.parametrize(
    "content, body",
    [
        # WordPress's own escape for "]]>" in content (its importer's crazy-cdata-escaped.xml)
        ("<![CDATA[<p>a ]]]]><![CDATA[> b</p>]]>", "<p>a ]]&gt; b</p>"),
        ("&lt;p&gt;Escaped, not CDATA&lt;/p&gt;", "<p>Escaped, not CDATA</p>"),
        ("<![CDATA[one]]><![CDATA[ two]]>", "<p>one two</p>"),
        ("", ""),
    ],
)
def test_cdata_edge_cases_give_the_body_wordpress_meant(tmp_path, content, body):
    path = tmp_path / "cdata.xml"
    path.write_text(
        HEAD.replace('xmlns:wp="', 'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="')
        + f"<item><title>T</title><wp:post_id>1</wp:post_id><content:encoded>{content}</content:encoded>"
        "</item></channel></rss>"
    )

    [post] = wxr.read(path)

    assert post.body_html == body


# --- the real-shaped corpus: exports of different WordPress versions and sites ---------------------------

REALWORLD = EXPORT.parent.parent / "realworld" / "wxr"


def real(name):
    return records(list(wxr.read(REALWORLD / name)))


def test_read_deferred_builds_exactly_what_read_gives_for_the_whole_corpus():
    for path in sorted(REALWORLD.glob("*.xml")):
        built = [item.build() if isinstance(item, Deferred) else item for item in wxr.read_deferred(path)]
        assert built == list(wxr.read(path)), path.name


def test_wxr_1_0_tags_have_the_domain_tag_and_its_doubled_categories_are_not_tags():
    posts = real("wxr10_wp28_tag_domain.xml")
    board = posts["http://hilltop.example/?p=12"]

    assert (board.section, board.tags) == ("News", ["school"])


def test_uncategorized_is_no_section():
    fair = real("wxr10_wp28_tag_domain.xml")["http://hilltop.example/?p=11"]
    hello = real("wxr12_no_authors_bad_date.xml")["https://oldblog.example/?p=1"]

    assert (fair.section, fair.tags, hello.section) == ("", [], "")


def test_a_display_name_that_is_only_the_login_gives_way_to_first_and_last_name():
    levy = real("wxr11_wp31_authors_attachment_menu.xml")["https://lakeside.example/?p=210"]

    assert [a.name for a in levy.authors] == ["Mira Khan"]
    assert levy.lead_image["alt"] == "Mayor Ruiz signing"  # the attachment comes after the post


def test_a_password_protected_post_is_skipped_not_published():
    results = list(wxr.read(REALWORLD / "wxr12_statuses_private_draft_trash.xml"))

    assert [(s.kind, s.reason) for s in results if isinstance(s, Skipped)][-1] == (
        "password",
        "a password-protected post (only readers with the password may see it)",
    )
    assert "https://valleytimes.example/?p=8" not in records(results)


def test_gallery_shortcodes_are_dropped_and_captions_become_figures():
    ferry = real("wordpresscom_wxr12_caption_gallery.xml")["http://islandvoices.wordpress.example/?p=77"]

    assert "[gallery" not in ferry.body_html and "[caption" not in ferry.body_html
    assert "<figcaption>El ferry en el muelle de Vieques.</figcaption>" in ferry.body_html
    assert ferry.lead_image["url"] == "https://islandvoices.files.wordpress.example/2024/05/ferry.jpg"


def test_gutenberg_blocks_and_co_authors_plus():
    budget = real("wxr12_wp65_blocks_featured_image.xml")["https://metroledger.example/?p=901"]
    housing = real("wxr12_coauthors_custom_post_types.xml")["https://capitalreport.example/?p=501"]

    assert "wp:" not in budget.body_html and "<blockquote" in budget.body_html
    assert (budget.section, budget.tags, budget.lead_image["alt"]) == (
        "City Hall",
        ["Budget"],
        "Committee members",
    )
    assert [a.name for a in housing.authors] == ["Ana García", "Ben Wong", "Kofi Mensah"]


# --- the corpus through the command ------------------------------------------------------------------

# Posts an editor would run: not pages, attachments, menus, revisions, custom post types (reusable
# blocks, events, contact-form feedback...), private, trashed, auto-draft or password-protected posts
TEXT_ITEMS = {
    "wordpresscom_wxr12_caption_gallery.xml": 1,
    "wxr10_wp28_tag_domain.xml": 2,
    "wxr11_wp31_authors_attachment_menu.xml": 2,
    "wxr12_coauthors_custom_post_types.xml": 2,
    "wxr12_no_authors_bad_date.xml": 2,
    "wxr12_statuses_private_draft_trash.xml": 4,
    "wxr12_wp59_newsroom_three_authors.xml": 7,
    "wxr12_wp65_blocks_featured_image.xml": 1,
}


@pytest.mark.django_db
def test_the_corpus_imports_nearly_every_text_item_and_reports_every_other_one():
    result = import_articles(REALWORLD)

    created = Article.objects.count()
    assert created >= 0.95 * sum(TEXT_ITEMS.values())
    assert result.summary == (
        "created 20, updated 0, unchanged 0, failed 1, skipped wxr attachment 3, skipped wxr auto-draft 1, "
        "skipped wxr feedback 1, skipped wxr guide 1, skipped wxr nav_menu_item 1, skipped wxr page 2, "
        "skipped wxr password 1, skipped wxr private 1, skipped wxr revision 1, skipped wxr trash 1, "
        "skipped wxr tribe_events 1, skipped wxr wp_block 1, skipped wxr wp_global_styles 1"
    )
    assert (
        result.errors[0]
        == f"{REALWORLD / 'wxr12_no_authors_bad_date.xml'}:29: invalid date '2015-04-31 09:00:00'"
    )
    terms = REALWORLD / "wxr12_terms_only_export.xml"
    assert f"{terms}: 0 items: WXR file holds only terms (2 categories, 1 tags, 1 other terms)" in result.out
