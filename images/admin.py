from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from images import ingest
from images.models import Image, Rendition
from images.tasks import make_renditions

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit", "focal_x", "focal_y"]
        widgets = {
            "file": admin.widgets.AdminFileWidget(attrs={"accept": ACCEPT}),
            "focal_x": forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1, "data-focal": "x"}),
            "focal_y": forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1, "data-focal": "y"}),
        }

    decoded = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and not self.instance.pk:
            try:
                self.decoded = ingest.decode_upload(upload)
            except ingest.InvalidImage as error:
                raise ValidationError(str(error), code="invalid_image") from None
        return upload


def _smallest(image, formats=("webp", "jpeg")):
    candidates = [r for r in image.renditions.all() if r.kind == Rendition.Kind.WIDTH and r.format in formats]
    return min(candidates, key=lambda r: (r.width, formats.index(r.format)), default=None)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "caption", "credit", "dimensions", "uploaded_at", "uploaded_by"]
    list_display_links = ["thumbnail", "alt_text"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    list_per_page = 50

    class Media:
        js = ["images/focal_point.js"]
        css = {"all": ["images/focal_point.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_renditions()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["file", "alt_text", "caption", "credit"]})]
        return [
            (None, {"fields": ["focal_point_picker", "alt_text", "caption", "credit", "focal_x", "focal_y"]}),
            ("Usage", {"fields": ["usage"]}),
            ("File", {"fields": ["file", "dimensions", "format", "file_size", "uploaded_at", "uploaded_by"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            *("focal_point_picker", "usage", "file", "dimensions"),
            *("format", "file_size", "uploaded_at", "uploaded_by"),
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
            # Only the cleaned original in the request; the worker renders once the row is committed.
            ingest.save_image(form.decoded, obj, defer_renditions=True)
            transaction.on_commit(lambda: make_renditions.enqueue(obj.pk))
            return
        super().save_model(request, obj, form, change)
        if {"focal_x", "focal_y"} & set(form.changed_data):
            transaction.on_commit(lambda: make_renditions.enqueue(obj.pk, social_only=True))

    @admin.display(description="photo")
    def thumbnail(self, image):
        small = _smallest(image)
        if small is None:
            return "–"
        height = round(80 * small.height / small.width)
        return format_html('<img src="{}" width="80" height="{}" alt="" loading="lazy">', small.url, height)

    @admin.display(description="size")
    def dimensions(self, image):
        return f"{image.width}×{image.height}"

    @admin.display(description="focal point")
    def focal_point_picker(self, image):
        preview = max(
            (r for r in image.renditions.all() if r.kind == Rendition.Kind.WIDTH and r.format == "jpeg"),
            key=lambda r: (r.width <= 960, r.width),
            default=None,
        )
        if preview is None:
            return "–"
        return format_html(
            '<div class="focal-picker" data-focal-picker>'
            '<img src="{}" width="{}" height="{}" alt="Click to set the focal point">'
            '<span class="focal-marker" hidden></span></div>'
            '<p class="help">Click the subject of the photo: crops such as the social card keep it '
            "in frame.</p>",
            preview.url,
            preview.width,
            preview.height,
        )

    @admin.display(description="used by")
    def usage(self, image):
        articles = image.lead_image_articles.only("pk", "headline")
        authors = image.author_photos.only("pk", "name")
        rows = [
            (reverse("admin:articles_article_change", args=[a.pk]), f"Lead image of “{a.headline}”")
            for a in articles
        ]
        rows += [(reverse("admin:authors_author_change", args=[a.pk]), f"Photo of {a.name}") for a in authors]
        if not rows:
            return "Not used yet."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', rows))
