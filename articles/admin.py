from django.contrib import admin
from django.utils.html import format_html

from articles.models import Article, Byline, RelatedPin, Section, TaggedArticle


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["position", "author", "role"]
    ordering = ["position"]


class TaggedArticleInline(admin.TabularInline):
    model = TaggedArticle
    extra = 1
    autocomplete_fields = ["tag"]
    verbose_name = "tag"
    verbose_name_plural = "tags"


class RelatedPinInline(admin.TabularInline):
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
    list_display = ["headline", "status_badge", "section", "published_at", "modified_at"]
    list_filter = ["status", "section"]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "external_id"]
    date_hierarchy = "published_at"
    exclude = ["tags"]
    inlines = [BylineInline, TaggedArticleInline, RelatedPinInline]
    readonly_fields = ["created_at", "modified_at", "version"]
    fieldsets = [
        (None, {"fields": ["headline", "dek", "body", "section", "status", "published_at", "updated_at"]}),
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

    @admin.display(description="status", ordering="status")
    def status_badge(self, article):
        return format_html(
            '<span class="status-badge status-{}">{}</span>', article.status, article.get_status_display()
        )
