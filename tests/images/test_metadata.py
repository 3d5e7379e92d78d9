"""Nothing a camera or phone writes into a file (GPS, serials, names) comes out of what the site serves."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import ExifTags, IptcImagePlugin, PngImagePlugin
from PIL import Image as PILImage

from images.ingest import image_from_file
from tests.factories import make_article
from tests.images.conftest import (
    LEAKS,
    SRGB_PROFILE,
    XMP,
    encode,
    exif_with_gps,
    gps_jpeg,
    photo,
    upload,
)

pytestmark = pytest.mark.django_db

URL_IN_PAGE = re.compile(r'(?:src|content)="([^"]+)"|srcset="([^"]+)"')


def media_urls(html):
    urls = set()
    for single, srcset in URL_IN_PAGE.findall(html):
        candidates = [single] if single else [part.strip().split(" ")[0] for part in srcset.split(",")]
        urls.update(u for u in candidates if settings.MEDIA_URL in u)
    return urls


def served_bytes(url):
    """What the media server sends for `url`: the stored file under the URL's path."""
    name = urlsplit(url).path.removeprefix(settings.MEDIA_URL)
    with default_storage.open(name) as fileobj:
        return fileobj.read()


def assert_no_metadata(data, label):
    for leak in LEAKS:
        assert leak not in data, f"{label} still contains {leak!r}"
    with PILImage.open(io.BytesIO(data)) as image:
        assert not image.getexif(), f"{label} has EXIF"
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}, f"{label} has GPS"
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Author", "photoshop"} & set(image.info), (
            label
        )


def test_a_phone_photo_comes_out_of_every_url_the_site_serves_without_gps_or_other_metadata(client):
    source = gps_jpeg()
    with PILImage.open(io.BytesIO(source)) as original:  # the test photo really carries all of it
        gps = original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps[ExifTags.GPS.GPSLatitude] == (51.0, 30.0, 26.4)
        assert original.info["xmp"] and original.info["comment"]
        assert IptcImagePlugin.getiptcinfo(original)[(2, 80)] == b"IPTC-Byline-Name"
    image = image_from_file(upload(source), alt="Protesters outside parliament")
    article = make_article("Protest", lead_image=image)

    page = client.get(article.get_absolute_url()).text

    urls = media_urls(page)
    served = {urlsplit(r.url).path for r in image.renditions.all()}
    assert {urlsplit(u).path for u in urls} == served  # every rendition, incl. the og:image card
    assert len(urls) == image.renditions.count() >= 16
    for url in sorted(urls) + [image.file.url]:
        assert_no_metadata(served_bytes(url), url)


def test_the_colour_profile_is_kept_on_the_original_and_the_renditions():
    image = image_from_file(upload(gps_jpeg((1400, 900))), alt="x")

    for name in [image.file.name] + [r.file.name for r in image.renditions.all()]:
        with default_storage.open(name) as fileobj, PILImage.open(fileobj) as stored:
            assert stored.info.get("icc_profile") == SRGB_PROFILE, name


def test_exif_orientation_is_applied_before_it_is_dropped():
    # 100×50 pixels, left half red, right half blue, with orientation 6 ("rotate 90° clockwise to view").
    sideways = PILImage.new("RGB", (100, 50), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 50, 50))
    data = encode(sideways, "JPEG", quality=95, exif=exif_with_gps(orientation=6))

    image = image_from_file(upload(data), alt="x")

    assert (image.width, image.height) == (50, 100)
    with default_storage.open(image.file.name) as fileobj, PILImage.open(fileobj) as stored:
        assert stored.size == (50, 100)
        assert ExifTags.Base.Orientation not in stored.getexif()
        top, bottom = stored.getpixel((25, 10)), stored.getpixel((25, 90))
    assert top[0] > 200 and top[2] < 60  # the red half is now on top
    assert bottom[2] > 200 and bottom[0] < 60
    rendition = image.renditions.get(kind="width", format="jpeg")
    assert (rendition.width, rendition.height) == (50, 100)


def test_png_text_chunks_and_webp_metadata_are_dropped_too():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Source-Protector")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    png = encode(photo((700, 500)), "PNG", pnginfo=info, exif=exif_with_gps())
    webp = encode(photo((700, 500)), "WEBP", exif=exif_with_gps(), xmp=XMP)

    for data, name in [(png, "a.png"), (webp, "a.webp")]:
        image = image_from_file(upload(data, name), alt="x")
        for stored in [image.file.name] + [r.file.name for r in image.renditions.all()]:
            with default_storage.open(stored) as fileobj:
                assert_no_metadata(fileobj.read(), stored)
