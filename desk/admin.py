"""
The desk's admin: sections, and the article admin with the workflow's views (desk, activity, transitions,
notes, shares, history and diffs). Over 500 lines because the article admin is one ModelAdmin whose
custom views share its permissions and URLs; its form is in desk/forms.py.
"""

import uuid

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.models import (
    Article,
    Byline,
    Correction,
    RelatedPin,
    Revision,
    Section,
    Status,
)
from articles.sanitize import sanitize_html
from desk import autosave, bulk, workflow
from desk.diffs import diff_snapshots
from desk.forms import ArticleAdminForm, parse_local_datetime, staged_snapshot
from desk.models import Note, PreviewLink, Transition
from embeds.fetch import ensure_embeds
from live import admin as live_admin
from tags.models import Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class LabelledTabularInline(admin.TabularInline):
    """
    A table of rows whose inputs carry their column's name (aria-label): the table shows the labels only
    as column headings, which do not name the inputs for a screen reader (axe: label, select-name).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)  # the formset's own fields too: "Delete", the order
                for field in form.fields.values():
                    # The widget itself, not a related-object wrapper (whose attrs are another widget's).
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", str(field.label))

        return Labelled


def restored_autosave(request, article):
    """The autosave the form is being filled from: the article's, or on the add form the new article's."""
    if article is None or article.pk is None:  # the add form's inlines get an unsaved Article
        return getattr(request, "restored_new_autosave", None)
    return getattr(article, "restored_autosave", None)


class BylineInline(LabelledTabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["position", "author", "role"]
    ordering = ["position"]

    def get_extra(self, request, obj=None, **kwargs):
        restored = restored_autosave(request, obj)
        if restored is not None:
            return sum(1 for row in self.restored_rows(restored) if not row["id"]) + 1
        pending = getattr(obj, "pending_snapshot", None)
        return len(pending["bylines"]) + 1 if pending is not None else self.extra

    def restored_rows(self, restored):
        return autosave.inline_rows(restored, "bylines", ["author", "role", "position"])

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        restored = getattr(obj, "restored_autosave", None)
        if restored is None:
            return formset
        # Existing rows show their autosaved values (deleted ones ticked); new rows come as `initial`.
        by_id = {row["id"]: row for row in self.restored_rows(restored) if row["id"]}

        class Restored(formset):
            def get_form_kwargs(self, index):
                kwargs = super().get_form_kwargs(index)
                if index is not None and index < self.initial_form_count():  # None: the empty form
                    row = by_id.get(str(self.get_queryset()[index].pk))
                    if row is not None:
                        kwargs["initial"] = {k: v for k, v in row.items() if k != "id" and v != ""}
                return kwargs

        return Restored


class StatusFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "Mine (started or bylined)")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        bylined = Exists(Byline.objects.filter(article=OuterRef("pk"), author__user=request.user))
        return queryset.filter(Q(created_by=request.user) | bylined)


class AuthorFilter(admin.SimpleListFilter):
    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        from authors.models import Author

        return list(Author.objects.filter(bylines__isnull=False).distinct().values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Exists(Byline.objects.filter(article=OuterRef("pk"), author_id=self.value())))


class RelatedPinInline(LabelledTabularInline):
    """Public site: stories an editor pins as related, shown first, in position order."""

    model = RelatedPin
    fk_name = "article"
    extra = 1
    autocomplete_fields = ["related"]
    fields = ["position", "related"]
    ordering = ["position"]
    verbose_name = "pinned related story"
    verbose_name_plural = "pinned related stories"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "status_badge", "section", "authors_list", "published_at", "modified_at"]
    list_filter = [StatusFilter, "section", AuthorFilter, MineFilter]
    list_select_related = ["section"]
    autocomplete_fields = ["lead_image"]  # images (issue 6)
    search_fields = ["headline", "dek", "external_id"]
    date_hierarchy = "published_at"
    inlines = [BylineInline, RelatedPinInline]
    readonly_fields = ["status_badge", "created_at", "modified_at", "version"]
    fieldsets = [
        (None, {"fields": ["headline", "dek", "body", "section", "tags"]}),
        ("Lead image", {"fields": ["lead_image"]}),  # images (issue 6)
        (None, {"fields": ["is_minor", "revision_comment", "loaded_version"], "classes": ["save-options"]}),
        (
            "SEO and import",
            {
                "classes": ["collapse"],
                "fields": [
                    "slug",
                    "canonical_url",
                    "source",
                    "external_id",
                    "created_at",
                    "modified_at",
                    "version",
                ],
            },
        ),
        ("Public site", {"classes": ["collapse"], "fields": ["home_pinned_at"]}),
    ]
    change_form_template = "admin/articles/article/change_form.html"
    actions = bulk.ACTIONS  # item by item through the workflow, with a per-item report (desk/bulk.py)
    change_list_template = "admin/articles/article/change_list.html"

    def get_inlines(self, request, obj):
        # Live blogs (live/admin.py): the newest updates, on the form of an article with live coverage.
        return [*self.inlines, *live_admin.inlines_for(obj)]

    @admin.display(description="status", ordering="status")
    def status_badge(self, article):
        label = article.get_status_display()
        if article.legal_hold:
            label += " · legal hold"
        return format_html('<span class="status-badge status-{}">{}</span>', article.status, label)

    @admin.display(description="authors")
    def authors_list(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    # --- who sees and edits what (desk.workflow decides) ---

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )
        return workflow.visible_articles(request.user, queryset)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.is_publisher(request.user)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is not None:
            pending = workflow.continue_pending_edit(article)  # the form continues the staged edit
            if pending is not None:
                article.pending_revision = pending
                article.pending_snapshot = pending.snapshot
        if article is not None and request.method == "GET" and request.GET.get("restore") == "autosave":
            article.restored_autosave = autosave.latest_autosave(article, request.user)  # desk/forms.py
        return article

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        restored = restored_autosave(request, obj)
        if restored is not None and isinstance(inline, BylineInline):
            kwargs["initial"] = [row for row in inline.restored_rows(restored) if not row["id"]]
            return kwargs
        pending = getattr(obj, "pending_snapshot", None)
        if pending is not None and isinstance(inline, BylineInline):
            kwargs["queryset"] = Byline.objects.none()
            kwargs["initial"] = [
                {"author": b["author"], "role": b["role"], "position": b["position"]}
                for b in pending["bylines"]
            ]
        return kwargs

    # --- saving: optimistic locking, revisions, staged edits of live articles ---

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.save()
            # The add form's autosave has done its job: from now on the article's own autosave takes over.
            autosave.discard_new(request.user, autosave.draft_token(request.POST.get("draft_token")))
            return
        autosave.discard(obj, request.user)  # saved for real: the safety copy has done its job
        if obj.status == Status.PUBLISHED:
            return  # staged in save_related: readers keep the live version
        loaded = form.cleaned_data.get("loaded_version")
        if loaded is not None:
            obj.version = loaded  # the UPDATE matches only this version (Article._do_update)
        obj.save()

    def save_related(self, request, form, formsets, change):
        article = form.instance
        comment = form.cleaned_data.get("revision_comment", "")
        is_minor = form.cleaned_data.get("is_minor", False)
        if change and article.status == Status.PUBLISHED:
            snapshot = self._snapshot_from_forms(article, form, formsets)
            for formset in formsets:
                if (
                    formset.model is Byline
                ):  # staged: nothing saved to the live rows (the change message reads these)
                    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
                else:  # placement (pinned related stories) is not article content: it applies at once
                    self.save_formset(request, form, formset, change=True)
            fresh = Article.objects.get(pk=article.pk)
            fresh.version = form.cleaned_data.get("loaded_version") or fresh.version
            revision = workflow.stage_edit(fresh, request.user, snapshot, comment=comment, is_minor=is_minor)
            if "_publish_update" in request.POST:
                try:
                    workflow.perform("publish_update", fresh, request.user, override_warnings=True)
                    messages.success(request, f"Revision {revision.number} is live.")
                except workflow.WorkflowError as error:
                    messages.error(
                        request, f"Saved as pending revision {revision.number}, not published: {error}"
                    )
            else:
                messages.info(
                    request,
                    f"Saved as pending revision {revision.number}: readers still see the live version until "
                    "a publisher presses “Publish update”.",
                )
            return
        super().save_related(request, form, formsets, change)
        article.refresh_from_db(fields=["version"])
        workflow.record_revision(
            article, request.user, comment=comment or ("Created" if not change else ""), is_minor=is_minor
        )

    def _snapshot_from_forms(self, article, form, formsets):
        snapshot = staged_snapshot(article, form)
        bylines = []
        for formset in formsets:
            if formset.model is not Byline:
                continue
            for byline_form in formset.forms:
                data = byline_form.cleaned_data if byline_form.has_changed() else byline_form.initial
                if not data or data.get("DELETE") or not data.get("author"):
                    continue
                author = data["author"]
                author_id = getattr(author, "pk", author)
                name = getattr(author, "name", None) or (
                    next((b["author_name"] for b in snapshot["bylines"] if b["author"] == author_id), "")
                )
                bylines.append(
                    {
                        "author": author_id,
                        "author_name": name,
                        "role": data.get("role") or Byline.Role.REPORTING,
                        "position": data.get("position") or 0,
                    }
                )
        snapshot["bylines"] = sorted(bylines, key=lambda b: b["position"])
        return snapshot

    # --- embeds: fetched after the save's transaction (no row lock held over the network) ---

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and response.status_code == 302:  # saved
            for failure in ensure_embeds(sanitize_html(request.POST.get("body", ""))):
                messages.warning(request, failure.message)
            live_admin.fetch_embeds(request, live_admin.posted_embed_urls(request.POST))
        return response

    # --- the change page ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, admin.utils.unquote(object_id))
        if article is not None:
            extra_context.update(self.workflow_context(request, article))
            extra_context.update(self.autosave_context(request, article))
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self.new_autosave_context(request)}
        return super().add_view(request, form_url, extra_context)

    def new_autosave_context(self, request):
        """
        The add form's autosave: the token its form is kept under (a fresh one per page; the restored
        copy's own, so autosaving goes on in the same row; the posted one when the form comes back with
        errors), and the newest copy to offer or the one restored (read by get_changeform_initial_data).
        """
        user, restored = request.user, None
        if request.method == "GET" and request.GET.get("restore") == "autosave":
            restored = autosave.latest_new_autosave(user, autosave.draft_token(request.GET.get("draft")))
        request.restored_new_autosave = restored
        if restored is not None:
            token = restored.token
        else:
            token = autosave.draft_token(request.POST.get("draft_token")) or uuid.uuid4()
        offer = autosave.latest_new_autosave(user) if restored is None and request.method == "GET" else None
        return {
            "draft_token": token,
            "can_autosave": self.has_add_permission(request),
            "new_autosave": restored or offer,
            "autosave_restored": restored is not None,
            "autosave_seconds": settings.ARTICLE_AUTOSAVE_SECONDS,
        }

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        restored = getattr(request, "restored_new_autosave", None)
        if restored is not None:
            initial.update(autosave.form_initial(restored, self.get_form(request)()))
            if initial.get("body"):  # typed into a browser: clean it before the editor shows it
                initial["body"] = sanitize_html(initial["body"])
        return initial

    def autosave_context(self, request, article):
        if request.method == "GET" and self.has_view_or_change_permission(request, article):
            autosave.heartbeat(article, request.user)
        return {
            "can_autosave": workflow.can_edit(request.user, article),
            "autosave": autosave.latest_autosave(article, request.user),
            "autosave_restored": getattr(article, "restored_autosave", None) is not None,
            "autosave_seconds": settings.ARTICLE_AUTOSAVE_SECONDS,
            "others_editing": autosave.others_present(article, request.user),
        }

    def workflow_context(self, request, article):
        user = request.user
        latest = workflow.latest_revision(article)
        return {
            "workflow_actions": workflow.available_actions(user, article, latest=latest),
            "latest_revision": latest,
            "pending_revision": latest if latest and latest.pending else None,
            "transitions": article.transitions.select_related("actor")[:50],
            "notes": article.notes.select_related("author")[:50],
            "corrections": article.corrections.all(),
            "correction_kinds": Correction.Kind.choices,
            "preview_links": [link for link in article.preview_links.all()[:20]],
            "can_correct": workflow.is_publisher(user) and article.status == Status.PUBLISHED,
            "can_note": user.has_perm("desk.add_note"),
            "can_share": user.has_perm("desk.add_previewlink"),
            "can_publish_update": workflow.is_publisher(user) and article.status == Status.PUBLISHED,
            "now": timezone.now(),
        }

    # --- custom admin URLs: workflow actions and desk views ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.desk_view), name="articles_article_desk"),
            path("activity/", view(self.activity_view), name="articles_article_activity"),
            path(
                "tag-suggestions/", view(self.tag_suggestions_view), name="articles_article_tag_suggestions"
            ),
            path(
                "<path:object_id>/workflow/<str:action>/",
                view(self.workflow_action_view),
                name="articles_article_workflow",
            ),
            path("<path:object_id>/revisions/", view(self.revisions_view), name="articles_article_revisions"),
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path("<path:object_id>/note/", view(self.note_view), name="articles_article_note"),
            path("autosave/", view(self.new_autosave_view), name="articles_article_autosave_new"),
            path(
                "autosave/discard/",
                view(self.new_autosave_discard_view),
                name="articles_article_autosave_new_discard",
            ),
            path("<path:object_id>/autosave/", view(self.autosave_view), name="articles_article_autosave"),
            path(
                "<path:object_id>/autosave/discard/",
                view(self.autosave_discard_view),
                name="articles_article_autosave_discard",
            ),
            path("<path:object_id>/presence/", view(self.presence_view), name="articles_article_presence"),
            path(
                "<path:object_id>/presence/leave/",
                view(self.presence_leave_view),
                name="articles_article_presence_leave",
            ),
            path(
                "<path:object_id>/correction/", view(self.correction_view), name="articles_article_correction"
            ),
            path(
                "<path:object_id>/preview/", view(self.preview_create_view), name="articles_article_preview"
            ),
            path(
                "<path:object_id>/preview/<uuid:link_id>/revoke/",
                view(self.preview_revoke_view),
                name="articles_article_preview_revoke",
            ),
            *super().get_urls(),
        ]

    def _visible_article(self, request, object_id):
        """The article for a custom view: 404 if it does not exist, 403 if this user may not see it."""
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request) or not (
            workflow.visible_articles(request.user).filter(pk=article.pk).exists()
        ):
            raise PermissionDenied
        return article

    def _back(self, article):
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    def workflow_action_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        if action not in workflow.ACTIONS:
            raise Http404(f"No workflow action “{action}”")
        try:
            publish_at = parse_local_datetime(request.POST.get("publish_at", ""))
            workflow.perform(
                action,
                article,
                request.user,
                comment=request.POST.get("comment", ""),
                publish_at=publish_at,
                override_warnings=bool(request.POST.get("override_warnings")),
                expected_version=request.POST.get("version") or None,
            )
        except workflow.ActionNotAllowed:
            raise
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
            return self._back(article)
        messages.success(request, f"{workflow.ACTIONS[action].label}: done.")
        return self._back(article)

    # --- autosave and presence (desk/autosave.py; called by autosave.js) ---

    def autosave_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        if not workflow.can_edit(request.user, article):
            return JsonResponse(
                {"error": "You may not edit this article, so nothing was autosaved."}, status=403
            )
        kept = autosave.keep(article, request.user, request.POST)
        autosave.heartbeat(article, request.user)
        return JsonResponse(autosave.status(article, request.user, saved_at=kept.saved_at))

    def new_autosave_view(self, request):
        """The add form's autosave, before the article exists (no presence: nobody else can open it)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            return JsonResponse({"error": "You may not add articles, so nothing was autosaved."}, status=403)
        token = autosave.draft_token(request.POST.get("draft_token"))
        if token is None:
            return JsonResponse(
                {"error": "The form has no draft token (reload the page), so nothing was autosaved."},
                status=400,
            )
        kept = autosave.keep_new(request.user, token, request.POST)
        return JsonResponse({"saved_at": kept.saved_at.isoformat(), "version": None, "others": []})

    def new_autosave_discard_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        autosave.discard_new(request.user, autosave.draft_token(request.POST.get("draft_token")))
        messages.success(request, "Autosaved new article discarded.")
        return redirect(reverse("admin:articles_article_add"))

    def autosave_discard_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        autosave.discard(article, request.user)
        messages.success(request, "Autosaved changes discarded.")
        return self._back(article)

    def presence_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        autosave.heartbeat(article, request.user)
        return JsonResponse(autosave.status(article, request.user))

    def presence_leave_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        autosave.leave(article, request.user)
        return JsonResponse({"left": True})

    def note_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        if not request.user.has_perm("desk.add_note"):
            raise PermissionDenied
        text = request.POST.get("text", "").strip()
        if text:
            Note.objects.create(article=article, author=request.user, text=text)
            messages.success(request, "Note added.")
        else:
            messages.error(request, "The note is empty; nothing was added.")
        return self._back(article)

    def correction_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        try:
            workflow.add_correction(
                article, request.user, kind=request.POST.get("kind", ""), text=request.POST.get("text", "")
            )
        except workflow.ActionNotAllowed:
            raise
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Correction added; it shows on the article page.")
        return self._back(article)

    def preview_create_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        if not request.user.has_perm("desk.add_previewlink"):
            raise PermissionDenied
        link = PreviewLink.objects.create(
            article=article, revision=workflow.pending_revision(article), created_by=request.user
        )
        url = request.build_absolute_uri(link.get_absolute_url())
        messages.success(request, format_html("Preview link (valid 48 hours): <a href='{}'>{}</a>", url, url))
        return self._back(article)

    def preview_revoke_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, article=article)
        if not (link.created_by_id == request.user.pk or workflow.is_editor(request.user)):
            raise PermissionDenied
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
        messages.success(request, "Preview link revoked.")
        return self._back(article)

    def revisions_view(self, request, object_id):
        article = self._visible_article(request, object_id)
        revisions = list(article.revisions.select_related("user", "approved_by"))
        by_number = {r.number: r for r in revisions}
        diff = None
        a, b = request.GET.get("a"), request.GET.get("b")
        if a and b:
            try:
                old, new = by_number[int(a)], by_number[int(b)]
            except (KeyError, ValueError):
                raise Http404("No such revision") from None
            diff = {"old": old, "new": new, "changes": diff_snapshots(old.snapshot, new.snapshot)}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "revisions": revisions,
            "diff": diff,
            "can_restore": workflow.can_edit(request.user, article),
            "title": f"History of “{article}”",
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request, object_id, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._visible_article(request, object_id)
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        revision = get_object_or_404(Revision, article=article, number=number)
        new = workflow.restore_revision(article, revision, request.user)
        state = "pending (publish the update to make it live)" if new.pending else "current"
        messages.success(request, f"Revision {number} restored as revision {new.number}, now {state}.")
        return self._back(article)

    def activity_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        visible = workflow.visible_articles(request.user).values("pk")
        transitions = Transition.objects.filter(article__in=visible).select_related("article", "actor")[:100]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "transitions": transitions,
            "title": "Recent activity",
        }
        return TemplateResponse(request, "admin/articles/article/activity.html", context)

    def desk_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        articles = workflow.visible_articles(request.user).select_related("section", "created_by")
        last_transition = Transition.objects.filter(article=OuterRef("pk")).order_by("-created_at", "-pk")
        publisher = last_transition.filter(action__in=["publish", "go_live", "republish"])
        articles = articles.annotate(
            last_action=last_transition.values("action")[:1],
            last_actor=last_transition.values("actor__username")[:1],
            last_at=last_transition.values("created_at")[:1],
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Desk",
            "in_review": articles.filter(status=Status.IN_REVIEW).order_by("modified_at")[:50],
            "scheduled": articles.filter(status=Status.SCHEDULED).order_by("publish_at")[:50],
            "held": articles.filter(legal_hold=True).order_by("-modified_at")[:50],
            "recent": articles.filter(status=Status.PUBLISHED, published_at__lte=now)
            .annotate(published_by=publisher.values("actor__username")[:1])
            .order_by("-published_at")[:20],
            "now": now,
        }
        return TemplateResponse(request, "admin/articles/article/desk.html", context)

    def tag_suggestions_view(self, request):
        """Tag names starting with (or containing) ?q=, for the tag input's suggestions."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()
        names = []
        if query:
            names = list(
                Tag.objects.filter(name__istartswith=query)
                .order_by("name")
                .values_list("name", flat=True)[:10]
            )
            if len(names) < 10:
                names += list(
                    Tag.objects.filter(name__icontains=query)
                    .exclude(name__istartswith=query)
                    .order_by("name")
                    .values_list("name", flat=True)[: 10 - len(names)]
                )
        return JsonResponse({"results": names})
