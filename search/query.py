"""
Full-text search of published articles: headline (weight A), dek (B), tag names (B), body (C).

PostgreSQL: a stored `articles_article.search_vector` tsvector with a GIN index, computed by the database
itself (triggers from articles/db_triggers.py fire on every insert and update of an article, on every tag
added to or removed from one — bulk_create included — and on a tag rename), so the importer's bulk writes
need no extra step. Queries use websearch_to_tsquery ("quoted phrases", -exclusions, or), ranked with
ts_rank, and snippets come from ts_headline.

SQLite: a fallback for plain word queries: every word must occur (case-insensitively) in the headline,
dek, body or a tag name; the score adds the same weights as PostgreSQL's ts_rank defaults (A 1.0, B 0.4,
C 0.2) per word and field, ties by recency; snippets are cut in Python.

Snippets are always built the same safe way: the database (or Python) marks matches with sentinel
characters in plain text, then the text is HTML-escaped and only the sentinels become <mark> elements.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
CONFIG = "english"
START, STOP = "\u2060\u27e6", "\u27e7\u2060"  # sentinels; never typed by a reader, never in stored text
SNIPPET_WORDS = 30


def words_of(query):
    return re.findall(r"\w+", query.lower())


def search(queryset, query):
    """`queryset` (already published()) matching `query`, best first, each with `.snippet` (safe HTML)."""
    if connections[queryset.db].vendor == "postgresql":
        return _search_postgres(queryset, query)
    return _search_fallback(queryset, query)


def _search_postgres(queryset, query):
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    vector = RawSQL('"articles_article"."search_vector"', [], output_field=SearchVectorField())
    # Tags stripped in SQL; in what remains every "<" of the text was escaped by the sanitizer.
    plain_body = RawSQL(
        "regexp_replace(\"articles_article\".\"body\", '<[^>]*>', ' ', 'g')", [], output_field=TextField()
    )
    matches = RawSQL(
        '"articles_article"."search_vector" @@ websearch_to_tsquery(%s::regconfig, %s)',
        [CONFIG, query],
        output_field=BooleanField(),
    )
    return (
        queryset.filter(matches)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline_marked=SearchHeadline(
                "headline", search_query, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
            ),
            snippet_marked=SearchHeadline(
                plain_body,
                search_query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=15,
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def _search_fallback(queryset, query):
    from tags.models import Tag

    words = words_of(query)
    if not words:
        return queryset.none()
    weights = {"headline": 1.0, "dek": 0.4, "body": 0.2}
    score = Value(0.0)
    for index, word in enumerate(words):
        tag_match = Exists(
            Tag.objects.filter(tagged_articles__content_object=OuterRef("pk"), name__icontains=word)
        )
        queryset = queryset.annotate(**{f"tag_match_{index}": tag_match}).filter(
            Q(headline__icontains=word)
            | Q(dek__icontains=word)
            | Q(body__icontains=word)
            | Q(**{f"tag_match_{index}": True})
        )
        for field, weight in weights.items():
            score = score + Case(
                When(**{f"{field}__icontains": word}, then=Value(weight)), default=Value(0.0)
            )
        score = score + Case(When(**{f"tag_match_{index}": True}, then=Value(0.4)), default=Value(0.0))
    return queryset.annotate(rank=score).order_by("-rank", "-published_at", "-pk")


def _highlight_marked(text):
    """Escape `text` and turn the sentinel pairs into <mark> elements."""
    escaped = escape(text)
    return mark_safe(escaped.replace(escape(START), "<mark>").replace(escape(STOP), "</mark>"))


def _plain(html_text):
    return html.unescape(strip_tags(html_text or ""))


def highlight(article, query):
    """(headline, snippet) as safe HTML with the query's words marked."""
    if hasattr(article, "snippet_marked"):
        headline = article.headline_marked or article.headline
        snippet = html.unescape(article.snippet_marked or "")
        if START not in snippet:
            snippet = _cut(_plain(article.dek) or _plain(article.body), [], SNIPPET_WORDS)
        return _highlight_marked(headline), _highlight_marked(snippet)
    words = words_of(query)
    source = _plain(article.body)
    if not any(word in source.lower() for word in words):
        source = _plain(article.dek) or source
    return _highlight_marked(_mark_words(article.headline, words)), _highlight_marked(
        _cut(source, words, SNIPPET_WORDS)
    )


def _mark_words(text, words):
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.I)
    return pattern.sub(lambda match: START + match.group(0) + STOP, text)


def _cut(text, words, length):
    """About `length` words of `text` around the first match, matches marked."""
    tokens = text.split()
    start = 0
    for position, token in enumerate(tokens):
        if any(word in token.lower() for word in words):
            start = max(position - length // 3, 0)
            break
    window = tokens[start : start + length]
    snippet = " ".join(window)
    if start > 0:
        snippet = "… " + snippet
    if start + length < len(tokens):
        snippet += " …"
    return _mark_words(snippet, words)


def update_search_index(article_ids):
    """
    Recompute the search documents of `article_ids`. Not needed after ordinary writes (the triggers keep the
    vector current, bulk writes included); for repairs, e.g. after a change of text search configuration.
    """
    from articles.models import Article

    connection = connections[Article.objects.db]
    if connection.vendor != "postgresql" or not article_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET search_vector = articles_search_document(id, headline, dek, body) "
            "WHERE id = ANY(%s)",
            [list(article_ids)],
        )
