"""Images go through Django's storage API: another backend (in memory here, S3 in production) just works."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.management import call_command

from images.ingest import image_from_file
from tests.factories import make_article
from tests.images.conftest import encode, gps_jpeg, photo, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_memory(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_with_an_in_memory_storage_nothing_touches_the_disk(in_memory, media, client):
    image = image_from_file(upload(gps_jpeg((1400, 900))), alt="x")
    article = make_article("Stored elsewhere", lead_image=image)

    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert stored_files(media) == []
    names = [image.file.name] + [r.file.name for r in image.renditions.all()]
    assert all(default_storage.exists(name) for name in names)
    with default_storage.open(image.file.name) as fileobj:
        assert fileobj.read(2) == b"\xff\xd8"  # a JPEG
    html = client.get(article.get_absolute_url()).text
    assert all(r.url in html for r in image.renditions.all())


def test_the_renditions_command_works_on_another_storage(in_memory, media):
    image = image_from_file(upload(encode(photo((900, 600)), "PNG"), "a.png"), alt="x")
    image.renditions.filter(format="jpeg").delete()

    call_command("renditions", "--quiet", stdout=io.StringIO())

    assert image.renditions.filter(format="jpeg").count() == 3
    assert stored_files(media) == []


def settings_with(env):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": "1", **env}
    environment.pop("PYTEST_VERSION", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout)


def test_an_s3_bucket_is_configured_from_the_environment():
    storage = settings_with(
        {
            "AWS_STORAGE_BUCKET_NAME": "newsroom-media",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_REGION_NAME": "eu-west-1",
            "AWS_S3_CUSTOM_DOMAIN": "media.example.com",
        }
    )

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "newsroom-media",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-west-1",
        "custom_domain": "media.example.com",
        "location": "",
        "querystring_auth": False,
        "file_overwrite": False,
    }


def test_without_a_bucket_media_stay_on_the_local_disk():
    assert (
        settings_with({"AWS_STORAGE_BUCKET_NAME": ""})["BACKEND"]
        == "django.core.files.storage.FileSystemStorage"
    )
