"""
The Pillow side of the image library: validate an upload, clean the original, render renditions.

Nothing here imports Django, so the functions can run in worker processes and benchmarks cheaply. The
Django side (storage, rows, settings) is in images/models.py and images/ingest.py.

Privacy rule: every file we write is encoded from pixels with `info` emptied and only an ICC profile passed
explicitly, so no EXIF (GPS, camera serials), XMP, IPTC or comment can survive from the upload.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from concurrent.futures import Executor
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

# Accepted by content: Image.open is told to try only these decoders, so a TIFF, PDF or SVG named .jpg is
# refused before any other parser sees it.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ORIGINAL_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

WIDTHS = (320, 640, 960, 1280, 1920)
SOCIAL_CARD = (1200, 630)

# Quality settings measured on a 1920-wide photo: AVIF speed 9 encodes ~10x faster than the default 6 (and
# 3x faster than 8) with files no larger; max_threads=1 because we parallelise across renditions ourselves.
# WebP (the fallback for browsers without AVIF) at method 2 takes half the time of the default 4 for files
# ~4% larger.
ENCODERS = {
    "avif": ("AVIF", {"quality": 60, "speed": 9, "max_threads": 1}),
    "webp": ("WEBP", {"quality": 80, "method": 2}),
    "jpeg": ("JPEG", {"quality": 82, "progressive": True, "optimize": True}),
}
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
# Originals are re-encoded close to their source quality: they are the master copy.
ORIGINAL_OPTIONS = {
    "JPEG": {"quality": 92, "subsampling": "4:2:0"},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 92, "method": 4},
    "GIF": {},
}


def rendition_formats() -> tuple[str, ...]:
    """Formats for <source>/<img>, best first; AVIF only where this Pillow can encode it."""
    return ("avif", "webp", "jpeg") if features.check("avif") else ("webp", "jpeg")


class InvalidImage(ValueError):
    """An image we refuse. The message says what is wrong and why, fit for a form error or an import log."""


@dataclass
class Decoded:
    """An accepted image, fully decoded, orientation applied and all metadata dropped (ICC kept apart)."""

    image: Image.Image
    format: str
    icc_profile: bytes | None


@dataclass
class Rendered:
    kind: str  # "width" or "social"
    width: int
    height: int
    format: str  # "avif", "webp" or "jpeg"
    data: bytes


def _megabytes(n):
    return f"{n / 1024 / 1024:.1f} MB"


def _size_of(fileobj):
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def _check_pixels(size, max_pixels):
    width, height = size
    if width * height > max_pixels:
        raise InvalidImage(
            f"The image is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); the limit is "
            f"{max_pixels / 1e6:g} megapixels."
        )


def decode(fileobj, *, max_bytes: int, max_pixels: int) -> Decoded:
    """
    Validate an upload by its content and decode it, or raise InvalidImage saying why.

    Order matters for safety: the byte size is checked before parsing, the pixel count from the header
    before decoding (a decompression bomb is a tiny file with a huge header), and only then are the pixels
    decoded, which is what finds truncated and corrupt data.
    """
    size = _size_of(fileobj)
    if size == 0:
        raise InvalidImage("The file is empty.")
    if size > max_bytes:
        raise InvalidImage(f"The file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}.")
    try:
        with warnings.catch_warnings():
            # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fileobj.seek(0)
            with Image.open(fileobj, formats=ACCEPTED_FORMATS) as probe:
                _check_pixels(probe.size, max_pixels)
                probe.verify()  # checksums and structure (PNG CRCs, chunk lengths) without decoding
            fileobj.seek(0)
            image = Image.open(fileobj, formats=ACCEPTED_FORMATS)
            _check_pixels(image.size, max_pixels)
            image.seek(0)  # animated GIF/WebP: we keep the first frame (a photo library, not a GIF host)
            image.load()
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(
            f"The image has too many pixels to decode safely (a decompression bomb?); the limit is "
            f"{max_pixels / 1e6:g} megapixels."
        ) from None
    except UnidentifiedImageError:
        raise InvalidImage(
            "The file is not a JPEG, PNG, WebP or GIF image (judged by its content, not its name)."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error, zlib.error) as e:
        raise InvalidImage(f"The image is corrupt or truncated and cannot be read: {e}.") from None
    # MPO is a JPEG with extra frames (phones' depth maps, stereo pairs): the first frame is the photo.
    source_format = "JPEG" if image.format == "MPO" else image.format
    icc_profile = image.info.get("icc_profile") or None
    if "transparency" in image.info:  # palette or tRNS transparency lives in info, which we drop
        image = image.convert("RGBA")
    try:
        image = ImageOps.exif_transpose(image)
    except Exception as e:  # a broken EXIF block is as unreadable as broken pixels
        raise InvalidImage(f"The image's EXIF data is corrupt: {e}.") from None
    image.info = {}
    return Decoded(image=image, format=source_format, icc_profile=icc_profile)


def _save(image, format, icc_profile, **options) -> bytes:
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.info = {}  # never let a plugin fall back to the source's comment, XMP or profile
    image.save(buffer, format, **options)
    return buffer.getvalue()


def encode_original(decoded: Decoded) -> tuple[bytes, str]:
    """The master copy in its own format, pixels only (plus the ICC profile). Returns (bytes, extension)."""
    image = decoded.image
    if decoded.format == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    data = _save(image, decoded.format, decoded.icc_profile, **ORIGINAL_OPTIONS[decoded.format])
    return data, ORIGINAL_EXTENSIONS[decoded.format]


def rendition_base(decoded: Decoded) -> tuple[Image.Image, bytes | None]:
    """RGB (or RGBA when transparent) pixels for renditions, with the ICC profile that still applies."""
    image, icc_profile = decoded.image, decoded.icc_profile
    if image.mode == "CMYK":
        if icc_profile:
            try:  # convert through the embedded profile so print-ready CMYK keeps its colours
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
                srgb = ImageCms.createProfile("sRGB")
                image = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
            except ImageCms.PyCMSError:
                image = image.convert("RGB")
        else:
            image = image.convert("RGB")
        icc_profile = None  # the CMYK profile does not describe RGB pixels
    elif image.mode in ("RGBA", "LA", "PA"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    return image, icc_profile


def planned_widths(width: int) -> list[int]:
    """Rendition widths for an image `width` pixels wide: never upscaled; a small image gets its own width."""
    return [w for w in WIDTHS if w <= width] or [width]


def social_crop_box(size, focal_x=None, focal_y=None) -> tuple[int, int, int, int]:
    """The largest 1200:630 box inside `size`, centred on the focal point as far as the edges allow."""
    width, height = size
    ratio = SOCIAL_CARD[0] / SOCIAL_CARD[1]
    if width / height > ratio:
        box_w, box_h = round(height * ratio), height
    else:
        box_w, box_h = width, round(width / ratio)
    cx = (0.5 if focal_x is None else focal_x) * width
    cy = (0.5 if focal_y is None else focal_y) * height
    left = min(max(round(cx - box_w / 2), 0), width - box_w)
    top = min(max(round(cy - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _downscale(image, size, box=None):
    # reducing_gap makes resize() first reduce() by an integer factor (a fast box filter, cheap on 24 MP),
    # then finish with Lanczos from at most 1.5x the target size: indistinguishable at these sizes.
    return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=1.5)


def _encode(image, format, icc_profile) -> bytes:
    pil_format, options = ENCODERS[format]
    # save() keeps its options on the Image object (encoderinfo), and one resized image is encoded in three
    # formats at once on different threads: each encode gets its own object (a copy of at most 1920 wide).
    image = image.copy()
    if format == "jpeg" and image.mode == "RGBA":
        flattened = Image.new("RGB", image.size, (255, 255, 255))
        flattened.paste(image, mask=image.getchannel("A"))
        image = flattened
    return _save(image, pil_format, icc_profile, **options)


def render(
    base: Image.Image,
    icc_profile: bytes | None,
    *,
    source_size: tuple[int, int],
    widths,
    formats,
    social: bool = True,
    focal=(None, None),
    executor: Executor | None = None,
) -> list[Rendered]:
    """
    Renditions of `base` at `widths` (of an image `source_size` big) in `formats`, plus the social card.

    Resizing runs from the largest width down, each step from the previous result, so the expensive pass
    over the full-size pixels happens once. Encoding (most of the time, and GIL-free in Pillow) is handed to
    `executor` when given.
    """
    jobs = []  # (kind, image, format); base may be a JPEG draft, smaller than source_size
    current, steps = base, [base]
    for width in sorted(widths, reverse=True):
        height = max(1, round(source_size[1] * width / source_size[0]))
        if current.size != (width, height):
            current = _downscale(current, (width, height))
            steps.append(current)
        jobs += [("width", current, format) for format in formats]
    if social:
        full_box = social_crop_box(source_size, *focal)
        full_w, full_h = full_box[2] - full_box[0], full_box[3] - full_box[1]
        size = SOCIAL_CARD if full_w >= SOCIAL_CARD[0] else (full_w, full_h)  # never upscaled
        # Crop from the smallest step that still has enough pixels (usually the 1920 rendition).
        source = next(s for s in reversed(steps) if s is base or s.width * full_w >= size[0] * source_size[0])
        box = social_crop_box(source.size, *focal)
        card = _downscale(source, size, box=box)
        jobs.append(("social", card, "jpeg"))
    if executor is None:
        encoded = [_encode(image, format, icc_profile) for _, image, format in jobs]
    else:
        encoded = list(executor.map(lambda job: _encode(job[1], job[2], icc_profile), jobs))
    return [
        Rendered(kind=kind, width=image.width, height=image.height, format=format, data=data)
        for (kind, image, format), data in zip(jobs, encoded, strict=True)
    ]


def render_stored(data: bytes, *, widths, formats, social=True, focal=(None, None)) -> list[Rendered]:
    """
    Renditions from a stored (already cleaned) original; a plain function of bytes, so process pools can
    run it. A JPEG is decoded with draft(), which lets libjpeg scale by 1/2, 1/4 or 1/8 while decoding, to
    the smallest size still at least as large as the biggest rendition and the social card need.
    """
    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    source_size = image.size
    icc_profile = image.info.get("icc_profile") or None
    if image.format == "JPEG":
        # Scale so the largest width, and the social card's crop box, still need no upscaling.
        factor = source_size[0] / max(widths, default=SOCIAL_CARD[0])
        if social:
            box = social_crop_box(source_size, *focal)
            factor = min(factor, (box[2] - box[0]) / SOCIAL_CARD[0])
        if factor >= 2:
            image.draft(image.mode, (math.ceil(source_size[0] / factor), math.ceil(source_size[1] / factor)))
    image.load()
    decoded = Decoded(image=image, format=image.format, icc_profile=icc_profile)
    base, icc_profile = rendition_base(decoded)
    return render(
        base,
        icc_profile,
        source_size=source_size,
        widths=widths,
        formats=formats,
        social=social,
        focal=focal,
    )


def render_job(job):
    """render_stored() for a process pool: (data, widths, social, focal) -> list[Rendered]."""
    data, widths, social, focal = job
    return render_stored(data, widths=widths, formats=rendition_formats(), social=social, focal=focal)
