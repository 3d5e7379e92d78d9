"""images.ingest.image_from_path: how imports attach local photos (validated and cleaned like uploads)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from images.ingest import InvalidImage, image_from_path
from images.models import Image
from tests.images.conftest import LEAKS, encode, gps_jpeg, photo, stored_files

pytestmark = pytest.mark.django_db


def test_a_local_photo_becomes_a_library_image_with_renditions_and_no_metadata(tmp_path):
    path = tmp_path / "lead.jpg"
    path.write_bytes(gps_jpeg((2000, 1500)))
    editor = get_user_model().objects.create_user("importer")

    image = image_from_path(path, alt="A street", caption="Morning rush.", credit="Wire", uploader=editor)

    image.refresh_from_db()
    assert (image.alt_text, image.caption, image.credit, image.uploaded_by) == (
        "A street",
        "Morning rush.",
        "Wire",
        editor,
    )
    assert (image.width, image.height, image.format) == (2000, 1500, "JPEG")
    assert image.renditions.filter(kind="width").count() == 5 * len(
        {r.format for r in image.renditions.all()}
    )
    assert image.social_card() is not None
    for name in [image.file.name] + [r.file.name for r in image.renditions.all()]:
        with default_storage.open(name) as fileobj:
            data = fileobj.read()
        assert not any(leak in data for leak in LEAKS), name


def test_a_missing_file_is_reported_with_its_path(tmp_path, media):
    with pytest.raises(InvalidImage, match=r"Cannot read image .*/nope\.jpg: No such file or directory"):
        image_from_path(tmp_path / "nope.jpg", alt="x")
    assert not Image.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_naming_the_file(tmp_path, media):
    path = tmp_path / "photo.jpg"
    path.write_text("<html>not a photo</html>")

    with pytest.raises(InvalidImage) as error:
        image_from_path(path, alt="x")

    assert (
        str(error.value)
        == f"{path}: The file is not a JPEG, PNG, WebP or GIF image (judged by its content, not its name)."
    )
    assert stored_files(media) == [] and not Image.objects.exists()


def test_alt_text_is_required_for_imports_too(tmp_path, media):
    path = tmp_path / "a.png"
    path.write_bytes(encode(photo((300, 200)), "PNG"))

    with pytest.raises(InvalidImage, match="alt_text: This field cannot be blank"):
        image_from_path(path, alt="")
    assert stored_files(media) == []


def test_a_decompression_bomb_on_disk_is_refused(tmp_path, media):
    from tests.images.conftest import bomb_png

    path = tmp_path / "bomb.png"
    path.write_bytes(bomb_png())

    with pytest.raises(InvalidImage, match="too many pixels"):
        image_from_path(path, alt="x")
