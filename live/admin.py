"""
The desk's live blogs: the list of live blogs, each one's desk page (its coverage state, a quick "add update"
form and its updates, newest first), the update form (/admin/live/liveupdate/add/?article=ID returns to the
desk page), the updates' revisions, and the newest updates as an inline of the article form. Who may see
which article is desk.workflow's decision; reporters edit their own updates, editors anyone's.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from authors.models import Author
from desk import workflow
from embeds import providers
from embeds.fetch import ensure_url_embeds
from live.models import LiveCoverage, LiveUpdate, LiveUpdateRevision

INLINE_UPDATES = 10  # the article form shows the newest; the desk page shows them all


def desk_url(article_id):
    return reverse("admin:live_livecoverage_change", args=[article_id])


def may_edit_update(user, update):
    """Editors and publishers edit any update; a reporter their own."""
    if not user.has_perm("live.change_liveupdate"):
        return False
    if update is None or workflow.is_editor(user) or workflow.is_publisher(user):
        return True
    return update.created_by_id == user.pk


def author_of(user):
    return Author.objects.filter(user=user).first()


# The article form's inline posts each update's embed URL as live_updates-N-embed_url.
INLINE_EMBED_URL = re.compile(r"live_updates-(\d+)-embed_url")


def posted_embed_urls(post):
    """The embed URLs of the updates an article form's inline saved (not those it deleted)."""
    urls = []
    for key, value in post.items():
        match = INLINE_EMBED_URL.fullmatch(key)
        if match and value.strip() and not post.get(f"live_updates-{match.group(1)}-DELETE"):
            urls.append(value.strip())
    return urls


def fetch_embeds(request, urls):
    """
    After an update is saved (outside its transaction: no lock held over the network): fetch its embed
    through the embeds app, as an article body's, and tell the editor what readers will get instead when
    it cannot be embedded. The public page never fetches.
    """
    urls = [url for url in urls if url]
    for failure in ensure_url_embeds(urls):
        messages.warning(request, failure.message)
    registry = providers.registry()
    for url in dict.fromkeys(urls):
        if providers.provider_for_url(url, registry) is None:
            messages.info(
                request,
                f"{url} is not from an embed provider we allow (docs/media.md): readers will see a link.",
            )


class LiveUpdateForm(forms.ModelForm):
    publish_now = forms.BooleanField(
        label="Publish now", required=False, initial=True, help_text="Readers see it at once (else a draft)."
    )

    class Meta:
        model = LiveUpdate
        fields = [
            "article",
            "headline",
            "body",
            "is_pinned",
            "is_key_event",
            "image",
            "embed_url",
            "author",
            "published_at",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    class Media:
        # The desk's admin helpers: names the autocomplete comboboxes (image, author) for screen readers.
        js = ["articles/admin/workflow.js"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish_now") and not cleaned.get("published_at"):
            cleaned["published_at"] = self.instance.published_at = timezone.now()
        return cleaned


class LiveUpdateFormSet(forms.BaseInlineFormSet):
    """The article form's updates, saved with who did it (revisions) and a default author."""

    user = None

    def save_new(self, form, commit=True):
        update = form.save(commit=False)
        update.created_by = self.user
        update.author = update.author or author_of(self.user)
        update.save()
        return update

    def save_existing(self, form, obj, commit=True):
        update = form.save(commit=False)
        update.save(by=self.user)
        return update

    def delete_existing(self, obj, commit=True):
        obj.delete(by=self.user)


class LiveUpdateInline(admin.StackedInline):
    model = LiveUpdate
    form = LiveUpdateForm
    formset = LiveUpdateFormSet
    extra = 1
    fields = ["headline", "body", "is_pinned", "is_key_event", "publish_now", "published_at", "embed_url"]
    verbose_name = "live update"
    verbose_name_plural = f"live updates (the newest {INLINE_UPDATES}; all on the live blog's desk page)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        newest_ids = list(
            LiveUpdate.objects.filter(article=obj)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:INLINE_UPDATES]
        )

        class WithUser(formset):
            user = request.user

            def __init__(self, *args, queryset=None, **kwargs):
                queryset = LiveUpdate.objects.all() if queryset is None else queryset
                queryset = queryset.filter(pk__in=newest_ids).order_by("-created_at", "-pk")
                super().__init__(*args, queryset=queryset, **kwargs)

        return WithUser

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("live.add_liveupdate")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("live.change_liveupdate")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("live.delete_liveupdate")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("live.view_liveupdate")


def inlines_for(article):
    """The article form's live blog inline, for an article with live coverage."""
    if article is None or not LiveCoverage.objects.filter(article=article).exists():
        return []
    return [LiveUpdateInline]


@admin.register(LiveCoverage)
class LiveCoverageAdmin(admin.ModelAdmin):
    list_display = ["article", "state", "started_at", "ended_at", "update_count", "last_update"]
    list_filter = ["state"]
    list_select_related = ["article"]
    search_fields = ["article__headline"]
    autocomplete_fields = ["article"]
    fields = ["article", "state", "started_at", "ended_at"]
    change_form_template = "admin/live/livecoverage/change_form.html"

    class Media:
        # Names the article's autocomplete combobox for screen readers (axe: aria-input-field-name).
        js = ["articles/admin/workflow.js"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(updates=Count("article__live_updates"), last=Max("article__live_updates__published_at"))
        )
        return queryset.filter(article__in=workflow.visible_articles(request.user).values("pk"))

    @admin.display(description="updates", ordering="updates")
    def update_count(self, coverage):
        return coverage.updates

    @admin.display(description="last update", ordering="last")
    def last_update(self, coverage):
        return coverage.last

    def get_readonly_fields(self, request, obj=None):
        return ["article"] if obj is not None else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        coverage = self.get_object(request, admin.utils.unquote(object_id))
        extra_context = extra_context or {}
        if coverage is not None:
            updates = list(
                coverage.article.live_updates.select_related("author", "created_by")
                .annotate(revision_count=Count("revisions"))
                .order_by("-is_pinned", "-created_at", "-pk")
            )
            for update in updates:
                update.editable = may_edit_update(request.user, update)
            extra_context.update(
                {
                    "live_updates": updates,
                    "quick_form": LiveUpdateForm(initial={"article": coverage.article_id}),
                    "can_add_update": request.user.has_perm("live.add_liveupdate"),
                    "can_change_coverage": self.has_change_permission(request, coverage),
                    "public_url": coverage.article.get_absolute_url(),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/end/", view(self.end_view), name="live_livecoverage_end"),
            *super().get_urls(),
        ]

    def end_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        coverage = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, coverage):
            raise PermissionDenied
        if coverage.is_live:
            coverage.end()
            messages.success(request, "Coverage ended: readers' pages stop polling and say so.")
        else:
            coverage.resume()
            messages.success(request, "Coverage resumed: the live blog is live again.")
        return redirect(desk_url(coverage.article_id))


@admin.register(LiveUpdate)
class LiveUpdateAdmin(admin.ModelAdmin):
    form = LiveUpdateForm
    list_display = ["title", "article", "published_at", "is_pinned", "is_key_event", "author", "updated_at"]
    list_filter = ["is_pinned", "is_key_event"]
    list_select_related = ["article", "author"]
    search_fields = ["headline", "body", "article__headline"]
    autocomplete_fields = ["article", "image", "author"]
    readonly_fields = ["previous_versions"]

    def get_fields(self, request, obj=None):
        fields = [*LiveUpdateForm.Meta.fields[:-1], "publish_now", "published_at"]
        return fields + (["previous_versions"] if obj is not None else [])

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(article__in=workflow.visible_articles(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            kwargs["queryset"] = workflow.visible_articles(request.user).filter(live_coverage__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", getattr(author_of(request.user), "pk", None))
        return initial

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or may_edit_update(request.user, obj)
        )

    @admin.display(description="previous versions")
    def previous_versions(self, update):
        revisions = update.revisions.select_related("user")
        if not revisions:
            return "None: not edited since it was added."
        return format_html(
            "<ol class='live-revisions'>{}</ol>",
            format_html_join(
                "",
                "<li>{} by {}: {}</li>",
                ((f"{r.created_at:%Y-%m-%d %H:%M:%S}", r.user or "unknown", r.text[:300]) for r in revisions),
            ),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and response.status_code == 302:  # saved
            fetch_embeds(request, [request.POST.get("embed_url", "").strip()])
        return response

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.author = obj.author or author_of(request.user)
        obj.save(by=request.user if change else None)

    def delete_model(self, request, obj):
        obj.delete(by=request.user)

    def delete_queryset(self, request, queryset):
        for update in queryset:
            update.delete(by=request.user)

    def _back_to_desk(self, request, obj, response):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return response
        return redirect(desk_url(obj.article_id))

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_desk(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._back_to_desk(request, obj, super().response_change(request, obj))

    def response_delete(self, request, obj_display, obj_id):
        article_id = getattr(self, "_deleted_article_id", None)
        response = super().response_delete(request, obj_display, obj_id)
        return redirect(desk_url(article_id)) if article_id else response

    def delete_view(self, request, object_id, extra_context=None):
        update = self.get_object(request, admin.utils.unquote(object_id))
        self._deleted_article_id = update.article_id if update else None
        return super().delete_view(request, object_id, extra_context)


@admin.register(LiveUpdateRevision)
class LiveUpdateRevisionAdmin(admin.ModelAdmin):
    """Every replaced or deleted version of an update (read only)."""

    list_display = ["__str__", "article", "action", "user", "created_at"]
    list_filter = ["action"]
    list_select_related = ["article", "user"]
    search_fields = ["article__headline"]
    readonly_fields = ["update_id", "article", "action", "snapshot", "user", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
