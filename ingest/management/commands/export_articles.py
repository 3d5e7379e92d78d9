"""
Export articles as JSON Lines (the schema is in docs/imports.md; ``ingest.importers.jsonl`` reads it).

Memory stays flat: articles are read in pk-ordered chunks (keyset pagination, not OFFSET), and each
chunk's bylines and tags come in one query each, so a chunk costs three queries whatever its size.
With --output the file is written under a temporary name and renamed when complete.
"""

import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from articles.models import Article, Byline, Status, TaggedArticle
from ingest.importers.jsonl import dumps, export_dict
from ingest.importers.sql import forget_queries

COLUMNS = [
    "pk", "source", "external_id", "headline", "slug", "dek", "body", "section__name", "status",
    "published_at", "publish_at", "unpublish_at", "legal_hold", "updated_at", "modified_at",
    "created_at", "canonical_url",
    # images in imports: the lead image, written back as an import names it
    "lead_image_source", "lead_image__file", "lead_image__alt_text", "lead_image__caption",
    "lead_image__credit",
]  # fmt: skip
SLUG_PLACEHOLDER = "slug-placeholder-for-export"
URL_FIELDS = ["slug", "status", "published_at", "publish_at", "unpublish_at", "legal_hold", "created_at"]


class Command(BaseCommand):
    help = "Write articles as JSON Lines, one per line in creation (pk) order, to stdout or --output."
    # An export reads models and writes a file: the model checks bear on it; the admin, template, URL
    # and deployment checks (a fifth of its start-up) do not, and `manage.py check` runs them all.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--status", choices=Status.values, help="only articles with this status")
        parser.add_argument("--chunk-size", type=int, default=2000, help="articles per query (default 2000)")

    def handle(self, *args, output, status, chunk_size, **options):
        articles = Article.objects.order_by("pk")
        if status:
            articles = articles.filter(status=status)
        if output is None:
            self.export(articles, self.stdout._out, chunk_size, filtered=bool(status))
            return
        output = Path(output)  # call_command() passes options as given
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                count = self.export(articles, out, chunk_size, filtered=bool(status))
            os.replace(partial, output)
        except OSError as error:
            raise CommandError(f"{output}: cannot write: {error.strerror or error}") from None
        finally:
            partial.unlink(missing_ok=True)
        if options["verbosity"] > 0:
            self.stderr.write(f"exported {count} articles to {output}")

    def url(self, article):
        """
        SITE_URL + Article.get_absolute_url(), with reverse() run once per date rather than once per
        article (it is most of the export's time otherwise): the slug is substituted into the URL
        reversed for a placeholder, quoted the way reverse() quotes it. The date is the one
        get_absolute_url() uses; tests compare the two for every exported article.
        """
        when = article.published_at or article.publish_at or article.created_at
        date = when.astimezone(self._timezone).date()  # timezone.localtime(), without a lookup per call
        template = self._url_templates.get(date)
        if template is None:
            placeholder = SimpleNamespace(**{**vars(article), "slug": SLUG_PLACEHOLDER})
            template = self._url_templates[date] = settings.SITE_URL + Article.get_absolute_url(placeholder)
        return template.replace(SLUG_PLACEHOLDER, quote(article.slug, safe=RFC3986_SUBDELIMS + "/~:@"))

    def export(self, articles, out, chunk_size, *, filtered):
        self._url_templates = {}
        self._timezone = timezone.get_current_timezone()
        now = timezone.now()
        count, last = 0, 0
        while rows := list(articles.filter(pk__gt=last).values(*COLUMNS)[:chunk_size]):
            ids = [row["pk"] for row in rows]

            authors, tags = {}, {}
            for article_id, name, slug, role in (
                Byline.objects.filter(**of_chunk("article_id", ids, filtered))
                .order_by("article_id", "position", "pk")
                .values_list("article_id", "author__name", "author__slug", "role")
            ):
                authors.setdefault(article_id, []).append({"name": name, "slug": slug, "role": role})
            for article_id, name in TaggedArticle.objects.filter(
                **of_chunk("content_object_id", ids, filtered)
            ).values_list("content_object_id", "tag__name"):
                tags.setdefault(article_id, []).append(name)
            lines = []
            for row in rows:
                article = SimpleNamespace(**{name: row[name] for name in URL_FIELDS})
                url = self.url(article) if Article.is_published(article, now) else None
                names = sorted(tags.get(row["pk"], []), key=lambda name: (name.casefold(), name))
                lines.append(dumps(export_dict(row, authors=authors.get(row["pk"], []), tags=names, url=url)))
            out.write("\n".join(lines) + "\n")
            count += len(rows)
            last = ids[-1]
            forget_queries()
        return count


def of_chunk(field, ids, filtered):
    """
    Rows of the chunk's articles. Unfiltered, a chunk is a contiguous pk range, and a range is much
    cheaper than IN (2000 ids) to build and to plan; filtered, the range could span many other
    articles, so IN.
    """
    return {f"{field}__in": ids} if filtered else {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
