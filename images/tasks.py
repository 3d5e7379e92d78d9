"""
Background tasks of the image library (run by `manage.py db_worker`, docs/worker.md).

make_renditions is idempotent: it renders from the stored original and stores only the renditions the
image lacks (all of them with social_only, which replaces the focal-point-dependent social card; the same
bytes get the same name and are skipped), so a retry or a second run leaves the same rows and files.
"""

from django.tasks import task

from images.ingest import regenerate, render_image
from images.models import Image
from worker.retry import retrying


@retrying(max_attempts=5, base_delay=10, max_delay=600)
@task()
def make_renditions(image_id, social_only=False):
    """Render the missing renditions of image `image_id` (the social card again after a focal move)."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:  # deleted since: nothing to do
        return 0
    if social_only:
        return regenerate(image, social_only=True)
    written = image.store_renditions(render_image(image))
    image.drop_stale_renditions()
    return written
