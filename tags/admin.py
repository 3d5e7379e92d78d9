from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.db.models.functions import Lower
from django.template.response import TemplateResponse

from tags.models import Tag, TagRedirect


class MergeTargetField(forms.ModelChoiceField):
    def label_from_instance(self, tag):
        return f"{tag.name} (/tags/{tag.slug}/, {tag.num_articles} articles)"


class MergeForm(forms.Form):
    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = MergeTargetField(
            queryset=Tag.objects.filter(pk__in=[tag.pk for tag in tags]).annotate(
                num_articles=Count("tagged_articles")
            ),
            initial=tags[0].pk,
            widget=forms.RadioSelect,
            empty_label=None,
            label="Keep",
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_articles=Count("tagged_articles"))

    @admin.display(description="articles", ordering="num_articles")
    def article_count(self, tag):
        return tag.num_articles

    def has_merge_permission(self, request):
        # A merge edits links and deletes tags: it takes both permissions.
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge selected tags…", permissions=["merge"])
    def merge_tags(self, request, queryset):
        """An intermediate page picks the tag to keep (the one with most articles is preselected)."""
        tags = list(queryset.order_by("-num_articles", Lower("name")))
        if len(tags) < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, tags=tags)
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = [tag for tag in tags if tag.pk != target.pk]
            moved = Tag.objects.merge(sources, into=target)
            names = ", ".join(tag.name for tag in sources)
            self.message_user(
                request, f"Merged {names} into {target.name}: {moved} article(s) moved.", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.model._meta,
            "tags": tags,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tags/tag/merge_tags.html", context)


@admin.register(TagRedirect)
class TagRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "old_name", "target", "merged_at"]
    list_select_related = ["target"]
    search_fields = ["old_slug", "old_name", "target__name"]
    autocomplete_fields = ["target"]
