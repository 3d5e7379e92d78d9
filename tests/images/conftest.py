"""Fixtures and builders for the image tests: every test writes its media to its own tmp directory."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, ImageCms, ImageDraw
from PIL import Image as PILImage

# Strings planted in test photos; none may come out of anything we store.
GPS_LATITUDE = (51.0, 30.0, 26.4)
CAMERA_SERIAL = "SERIAL-0042-SECRET"
ARTIST = "Jane Source-Protector"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="XMP-Creator-Name"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
COMMENT = b"JPEG-COMMENT-LEAK"
IPTC_BYLINE = b"IPTC-Byline-Name"
LEAKS = [
    CAMERA_SERIAL.encode(),
    ARTIST.encode(),
    b"XMP-Creator-Name",
    COMMENT,
    IPTC_BYLINE,
    b"Exif\x00\x00",
    b"xmpmeta",
    b"Photoshop 3.0",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return settings.MEDIA_ROOT


def photo(size=(2400, 1600), color=(40, 90, 160), mode="RGB"):
    """A picture with some structure (gradient and shapes), so encoders do real work."""
    image = PILImage.linear_gradient("L").resize(size).convert(mode)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([w // 4, h // 4, w // 2, h // 2], fill=color if mode != "L" else 128)
    draw.ellipse([w // 2, h // 3, w * 3 // 4, h * 2 // 3], fill=(200, 60, 30) if mode != "L" else 60)
    return image


def encode(image, format="JPEG", **options):
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def exif_with_gps(orientation=None):
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS R5"
    exif[ExifTags.Base.Artist] = ARTIST
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = CAMERA_SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return exif


# Built once: a new profile carries its creation time.
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def with_iptc(jpeg, byline=IPTC_BYLINE):
    """`jpeg` with an IPTC By-line (record 2:80) in a Photoshop APP13 segment, as agencies send photos."""
    iim = b"\x1c\x02\x50" + struct.pack(">H", len(byline)) + byline
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim + b"\x00" * (len(iim) % 2)
    payload = b"Photoshop 3.0\x00" + resource
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def gps_jpeg(size=(2400, 1600), orientation=None):
    """A JPEG as a phone or agency sends it: GPS and serial in EXIF, XMP, IPTC, a comment, an ICC profile."""
    data = encode(
        photo(size),
        "JPEG",
        quality=90,
        exif=exif_with_gps(orientation),
        xmp=XMP,
        comment=COMMENT,
        icc_profile=SRGB_PROFILE,
    )
    return with_iptc(data)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width=100_000, height=100_000):
    """A ~100-byte PNG whose header promises `width`×`height` pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    # Playwright's sync API leaves an event loop running in the test thread once the session's browser has
    # started, and a transactional browser test sets up and flushes the database while it runs. The shared
    # conftest allows the ORM there only per test, after those steps; allow it for this directory's session.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
