from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Images"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb guard, at our limit, for every Image.open in the process
        # (it warns above the limit and raises above twice it; validation turns both into form errors).
        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
