"""Images named in imports: local files attached as lead images, remote URLs recorded (fetched on request)."""

import http.server
import json
import threading

import pytest
from PIL import ExifTags
from PIL import Image as PILImage

from articles.models import Article
from images.models import Image
from tests.images.conftest import gps_jpeg
from tests.ingest.import_helpers import import_articles, run, write

pytestmark = pytest.mark.django_db

PHOTO = gps_jpeg((800, 600))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return settings.MEDIA_ROOT


@pytest.fixture
def feed_dir(tmp_path):
    """A directory as a newsroom hands it over: the import file with its photos beside it."""
    folder = tmp_path / "archive"
    write(folder / "photos" / "harbour.jpg", PHOTO)
    return folder


def jsonl(folder, *items, name="articles.jsonl"):
    return write(folder / name, "".join(json.dumps(item) + "\n" for item in items))


def story(external_id="s-1", **fields):
    return {"external_id": external_id, "headline": f"Harbour story {external_id}", **fields}


class PhotoServer:
    """A loopback HTTP server (127.0.0.1 only) serving `files` by path, counting requests."""

    def __init__(self, files):
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def assert_clean_original(image):
    with image.file.open("rb") as fileobj:
        data = fileobj.read()
    with PILImage.open(image.file.path) as stored:
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"SERIAL-0042-SECRET" not in data


def test_a_jsonl_lead_image_path_beside_the_file_is_attached_with_its_details_and_no_gps(feed_dir):
    lead = {"path": "photos/harbour.jpg", "alt": "Boats at dawn", "caption": "The harbour.", "credit": "Ana"}
    path = jsonl(feed_dir, story(lead_image=lead))

    result = import_articles(path)

    assert (result.code, result.summary) == (0, "created 1, updated 0, unchanged 0, failed 0")
    article = Article.objects.select_related("lead_image").get()
    image = article.lead_image
    assert (image.alt_text, image.caption, image.credit) == ("Boats at dawn", "The harbour.", "Ana")
    assert (image.width, image.height) == (800, 600)
    assert image.renditions.exists()
    assert article.lead_image_source == "photos/harbour.jpg"
    assert_clean_original(image)
    # the import's revision records the lead image like an editor's save would
    assert article.revisions.get().snapshot["lead_image"] == image.pk


def test_reimporting_an_unchanged_file_does_not_make_a_second_image(feed_dir):
    path = jsonl(feed_dir, story(lead_image={"path": "photos/harbour.jpg", "alt": "Boats"}))
    import_articles(path)
    files = sorted(p for p in (feed_dir.parent / "media").rglob("*") if p.is_file())

    again = import_articles(path)

    assert again.summary == "created 0, updated 0, unchanged 1, failed 0"
    assert Image.objects.count() == 1
    assert sorted(p for p in (feed_dir.parent / "media").rglob("*") if p.is_file()) == files


def test_an_update_naming_the_same_image_keeps_it_without_processing_it_again(feed_dir):
    lead = {"path": "photos/harbour.jpg", "alt": "Boats"}
    import_articles(jsonl(feed_dir, story(lead_image=lead)))
    image = Article.objects.get().lead_image

    result = import_articles(jsonl(feed_dir, story(dek="Now with a dek", lead_image=lead)))

    assert result.summary == "created 0, updated 1, unchanged 0, failed 0"
    assert (Article.objects.get().lead_image, Image.objects.count()) == (image, 1)


def test_missing_and_corrupt_image_files_are_reported_with_path_and_line_and_the_articles_still_import(
    feed_dir,
):
    write(feed_dir / "photos" / "broken.jpg", PHOTO[:300])
    path = jsonl(
        feed_dir,
        story("a", lead_image={"path": "photos/missing.jpg", "alt": "x"}),
        story("b", lead_image={"path": "photos/broken.jpg", "alt": "x"}),
        story("c", lead_image={"path": "../outside.jpg", "alt": "x"}),
    )
    write(feed_dir.parent / "outside.jpg", PHOTO)

    result = import_articles(path)

    assert result.code == 0
    assert result.summary == "created 3, updated 0, unchanged 0, failed 0, lead images not attached 3"
    assert result.errors[0] == f"{path}:1: lead image photos/missing.jpg: no such file"
    assert result.errors[1].startswith(f"{path}:2: lead image photos/broken.jpg: ")
    assert "truncated" in result.errors[1] or "corrupt" in result.errors[1] or "cannot" in result.errors[1]
    assert result.errors[2] == (
        f"{path}:3: lead image ../outside.jpg: the path leads outside the import file's directory"
    )
    assert "Traceback" not in result.err
    assert list(Article.objects.order_by("external_id").values_list("external_id", "lead_image")) == [
        ("a", None),
        ("b", None),
        ("c", None),
    ]
    assert Image.objects.count() == 0


def test_a_missing_file_supplied_later_is_attached_on_the_next_import(feed_dir):
    path = jsonl(feed_dir, story(lead_image={"path": "photos/later.jpg", "alt": "Later"}))
    import_articles(path)
    assert import_articles(path).summary == "created 0, updated 0, unchanged 1, failed 0"

    write(feed_dir / "photos" / "later.jpg", PHOTO)
    result = import_articles(path)

    assert result.summary == "created 0, updated 1, unchanged 0, failed 0"
    assert Article.objects.get().lead_image.alt_text == "Later"


def test_wxr_featured_image_attachment_with_a_local_file_is_attached(feed_dir):
    path = write(
        feed_dir / "export.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Courier</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Harbour reopens</title><guid isPermaLink="false">https://c.example/?p=1</guid>
  <content:encoded><![CDATA[<p>Ships are back.</p>]]></content:encoded>
  <excerpt:encoded><![CDATA[]]></excerpt:encoded>
  <wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-03-04 09:15:00</wp:post_date_gmt>
  <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
  <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>2</wp:meta_value></wp:postmeta>
</item>
<item><title>Harbour photo</title><guid isPermaLink="false">photos/harbour.jpg</guid>
  <excerpt:encoded><![CDATA[Boats at dawn.]]></excerpt:encoded>
  <wp:post_id>2</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
  <wp:attachment_url>photos/harbour.jpg</wp:attachment_url>
  <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Boats</wp:meta_value></wp:postmeta>
  <wp:postmeta><wp:meta_key>_media_credit</wp:meta_key><wp:meta_value>Rosa</wp:meta_value></wp:postmeta>
</item>
</channel></rss>
""",
    )

    result = import_articles(path)

    assert result.summary == "created 1, updated 0, unchanged 0, failed 0, skipped wxr attachment 1"
    image = Article.objects.get().lead_image
    assert (image.alt_text, image.caption, image.credit) == ("Boats", "Boats at dawn.", "Rosa")
    assert_clean_original(image)


def test_rss_media_content_with_a_local_file_is_attached(feed_dir):
    path = write(
        feed_dir / "feed.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>
<item><title>Harbour reopens</title><guid>rss-1</guid><description>Ships are back.</description>
  <media:content url="photos/harbour.jpg" medium="image">
    <media:title>Boats</media:title><media:description>The harbour.</media:description>
    <media:credit>Ana</media:credit>
  </media:content>
</item></channel></rss>
""",
    )

    result = import_articles(path)

    assert result.summary == "created 1, updated 0, unchanged 0, failed 0"
    image = Article.objects.get().lead_image
    assert (image.alt_text, image.caption, image.credit) == ("Boats", "The harbour.", "Ana")


def test_nitf_media_with_a_local_file_is_attached(feed_dir):
    path = write(
        feed_dir / "story.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
<nitf><head><docdata><doc-id id-string="nitf-1"/></docdata></head>
<body><body.head><hedline><hl1>Harbour reopens</hl1></hedline></body.head>
<body.content><p>Ships are back.</p>
  <media media-type="image">
    <media-reference source="photos/harbour.jpg" mime-type="image/jpeg" alternate-text="Boats"/>
    <media-caption>The harbour.</media-caption><media-producer>Ana</media-producer>
  </media>
</body.content></body></nitf>
""",
    )

    result = import_articles(path, format="nitf")

    assert result.summary == "created 1, updated 0, unchanged 0, failed 0"
    image = Article.objects.get().lead_image
    assert (image.alt_text, image.caption, image.credit) == ("Boats", "The harbour.", "Ana")
    assert Article.objects.get().body == "<p>Ships are back.</p>"


def test_a_remote_url_is_recorded_and_not_fetched(feed_dir):
    with PhotoServer({"/harbour.jpg": PHOTO}) as server:
        url = f"{server.url}/harbour.jpg"
        result = import_articles(jsonl(feed_dir, story(lead_image={"url": url, "alt": "Boats"})))
        assert server.requests == []

    assert result.summary == "created 1, updated 0, unchanged 0, failed 0"
    article = Article.objects.get()
    assert (article.lead_image, article.lead_image_source) == (None, url)
    assert Image.objects.count() == 0


def test_fetch_images_downloads_from_the_url_and_a_rerun_fetches_nothing_again(feed_dir):
    with PhotoServer({"/harbour.jpg": PHOTO}) as server:
        url = f"{server.url}/harbour.jpg"
        path = jsonl(feed_dir, story(lead_image={"url": url, "alt": "Boats", "credit": "Wire"}))
        import_articles(path)  # recorded first, then fetched on request

        fetched = import_articles(path, fetch_images=True)
        again = import_articles(path, fetch_images=True)

        assert server.requests == ["/harbour.jpg"]
    assert fetched.summary == "created 0, updated 1, unchanged 0, failed 0"
    assert again.summary == "created 0, updated 0, unchanged 1, failed 0"
    article = Article.objects.get()
    assert (article.lead_image.alt_text, article.lead_image.credit) == ("Boats", "Wire")
    assert article.lead_image_source == url
    assert Image.objects.count() == 1
    assert_clean_original(article.lead_image)


def test_fetch_failures_and_oversize_downloads_are_reported_and_the_article_still_imports(feed_dir, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    with PhotoServer({"/big.jpg": PHOTO}) as server:
        path = jsonl(
            feed_dir,
            story("a", lead_image={"url": f"{server.url}/gone.jpg", "alt": "x"}),
            story("b", lead_image={"url": f"{server.url}/big.jpg", "alt": "x"}),
            story("c", lead_image={"url": "ftp://127.0.0.1/x.jpg", "alt": "x"}),
        )
        result = import_articles(path, fetch_images=True)

    assert result.summary == "created 3, updated 0, unchanged 0, failed 0, lead images not attached 3"
    assert (
        result.errors[0] == f"{path}:1: lead image {server.url}/gone.jpg: download failed: HTTP 404 Not Found"
    )
    assert (
        result.errors[1]
        == f"{path}:2: lead image {server.url}/big.jpg: download is {len(PHOTO)} bytes; the limit is 1000"
    )
    assert (
        result.errors[2]
        == f"{path}:3: lead image ftp://127.0.0.1/x.jpg: only http and https URLs can be recorded or fetched"
    )
    assert Image.objects.count() == 0


def test_export_writes_the_lead_image_back_and_the_round_trip_keeps_it(feed_dir):
    lead = {"path": "photos/harbour.jpg", "alt": "Boats", "caption": "The harbour.", "credit": "Ana"}
    import_articles(jsonl(feed_dir, story(lead_image=lead), story("plain")))
    image = Article.objects.get(external_id="s-1").lead_image

    first = run("export_articles").out
    exported = [json.loads(line) for line in first.splitlines()]

    assert exported[0]["lead_image"] == {
        "url": f"http://127.0.0.1:8000{image.file.url}",
        "alt": "Boats",
        "caption": "The harbour.",
        "credit": "Ana",
    }
    assert "lead_image" not in exported[1]
    result = import_articles(write(feed_dir / "export.jsonl", first))
    assert result.code == 0
    assert Article.objects.get(external_id="s-1").lead_image == image
    assert Image.objects.count() == 1
    assert run("export_articles").out == first


def test_dry_run_processes_no_images(feed_dir):
    path = jsonl(feed_dir, story(lead_image={"path": "photos/harbour.jpg", "alt": "Boats"}))

    result = import_articles(path, dry_run=True)

    assert result.summary.startswith("created 1,")
    assert (Article.objects.count(), Image.objects.count()) == (0, 0)
