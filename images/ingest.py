"""
Getting an image into the library: one path for admin uploads, imports and scripts.

    decode_upload(fileobj)        validate by content and limits; raises InvalidImage with the reason
    save_image(decoded, image)    store the cleaned original and every rendition, then the rows
                                  (defer_renditions=True: the original only; images/tasks.py renders)
    image_from_file / image_from_path   both of the above, for callers that are not a form

The importer calls image_from_path() for a Record's lead_image {"path", "alt", "caption", "credit"}.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from images import processing
from images.models import Image
from images.processing import InvalidImage

__all__ = ["InvalidImage", "decode_upload", "image_from_file", "image_from_path", "save_image"]


def workers():
    return os.cpu_count() or 2


def decode_upload(fileobj) -> processing.Decoded:
    return processing.decode(
        fileobj, max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )


def process(decoded, *, focal=(None, None)):
    """The cleaned original and every rendition of one decoded image, using every core."""
    with ThreadPoolExecutor(max_workers=workers()) as pool:
        # The full-size re-encode runs beside the resizing; Pillow drops the GIL in both.
        original = pool.submit(processing.encode_original, decoded)
        base, icc_profile = processing.rendition_base(decoded)
        rendered = processing.render(
            base,
            icc_profile,
            source_size=decoded.image.size,
            widths=processing.planned_widths(decoded.image.width),
            formats=processing.rendition_formats(),
            focal=focal,
            executor=pool,
        )
        data, extension = original.result()
    return data, extension, rendered


def save_image(decoded, image: Image, *, defer_renditions=False) -> Image:
    """
    Fill `image` (new, or one being replaced) from an accepted, decoded upload: store the cleaned original
    and all renditions, then save the rows in one transaction. On any failure the stored files are removed.

    With defer_renditions (admin uploads: the request only cleans and stores the original), the caller
    enqueues images.tasks.make_renditions; pages show the cleaned original until the worker has run it.
    """
    image.width, image.height = decoded.image.size
    image.format = decoded.format
    if defer_renditions:
        data, extension = processing.encode_original(decoded)
        rendered = []
    else:
        data, extension, rendered = process(decoded, focal=image.focal)
    image.file_size = len(data)
    image.file.save(f"original.{extension}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            image.save()
            image.store_renditions(rendered)
    except BaseException:
        image.file.storage.delete(image.file.name)
        raise
    return image


def render_image(image: Image, *, social_only=False):
    """Renditions of a stored image, from its cleaned original (not a public request: admin or command)."""
    with image.file.open("rb") as fileobj:
        data = fileobj.read()
    return processing.render_stored(
        data,
        widths=[] if social_only else processing.planned_widths(image.width),
        formats=processing.rendition_formats(),
        focal=image.focal,
    )


def regenerate(image: Image, *, social_only=False) -> int:
    """Re-render and replace an image's renditions (all, or the focal-point-dependent social card)."""
    written = image.store_renditions(render_image(image, social_only=social_only), replace=True)
    image.drop_stale_renditions()
    return written


def image_from_file(fileobj, *, alt, caption="", credit="", focal=(None, None), uploader=None) -> Image:
    """A new library image from an open binary file, validated and processed exactly like an upload."""
    decoded = decode_upload(fileobj)
    image = Image(
        alt_text=alt,
        caption=caption,
        credit=credit,
        focal_x=focal[0],
        focal_y=focal[1],
        uploaded_by=uploader,
        width=decoded.image.width,
        height=decoded.image.height,
        format=decoded.format,
    )
    try:
        image.full_clean(exclude=["file"])
    except ValidationError as error:
        reasons = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
        raise InvalidImage(f"Invalid image details: {reasons}") from None
    return save_image(decoded, image)


def image_from_path(path, *, alt, caption="", credit="", uploader=None) -> Image:
    """A new library image from a local file (what imports attach); raises InvalidImage naming the file."""
    path = Path(path)
    try:
        fileobj = path.open("rb")
    except OSError as error:
        raise InvalidImage(f"Cannot read image {path}: {error.strerror or error}.") from None
    with fileobj:
        try:
            return image_from_file(fileobj, alt=alt, caption=caption, credit=credit, uploader=uploader)
        except InvalidImage as error:
            raise InvalidImage(f"{path}: {error}") from None
