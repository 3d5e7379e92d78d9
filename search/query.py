"""
Full-text search of published articles: headline (weight A), dek (B), tag names (B), body (C).

PostgreSQL: a stored `articles_article.search_vector` tsvector with a GIN index, computed by the database
itself (triggers from articles/db_triggers.py fire on every insert and update of an article, on every tag
added to or removed from one — bulk_create included — and on a tag rename), so the importer's bulk writes
need no extra step. Documents and queries use the text search configuration `english_unaccent` (accents
folded, then English stemming: "cafe" finds "Café"). Queries use websearch_to_tsquery ("quoted phrases",
-exclusions, or).

Ranking is bounded: only the newest CANDIDATES matches are ranked (the planner reads them from the GIN
index or walks the newest-first index, whichever is cheaper for the term), by ts_rank weighted for recency
(a match RECENCY_DAYS old counts half as much as one published now). A common word thus costs what a rare
one costs; older matches are reached by a narrower query. Snippets come from ts_headline over a bounded
text: the dek and the first SNIPPET_SOURCE_CHARS of the body, never a whole body.

SQLite: a fallback for plain word queries: every word must occur (case-insensitively) in the headline,
dek, body or a tag name; the score adds the same weights as PostgreSQL's ts_rank defaults (A 1.0, B 0.4,
C 0.2) per word and field, ranked the same bounded, recency-weighted way; snippets are cut in Python.

Snippets are always built the same safe way: the database (or Python) marks matches with sentinel
characters in plain text, then the text is HTML-escaped and only the sentinels become <mark> elements.
"""

import html
import re
import unicodedata

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connections
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
CONFIG = "english_unaccent"  # articles/db_triggers.py creates it
START, STOP = "\u2060\u27e6", "\u27e7\u2060"  # sentinels; never typed by a reader, never in stored text
SNIPPET_WORDS = 30
SNIPPET_SOURCE_CHARS = 1000  # of the body, for snippets: two or three paragraphs
CANDIDATES = 1000  # the newest matches that are ranked: 50 pages of 20
RECENCY_DAYS = 30


def words_of(query):
    return re.findall(r"\w+", query.lower())


def normalize(query):
    """The query as searched and cached: case folded, accents removed, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", query.casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(unicodedata.normalize("NFC", folded).split())


def ranked_ids(queryset, query, *, now=None, candidates=CANDIDATES):
    """
    The ids of `queryset` (already published()) matching `query`, best first: the newest `candidates`
    matches, by rank weighted for recency. One query.
    """
    now = now or timezone.now()
    if connections[queryset.db].vendor == "postgresql":
        rows = _candidates_postgres(queryset, query, candidates)
    else:
        rows = _candidates_fallback(queryset, query, candidates)

    def score(row):
        pk, published_at, rank = row
        published_at = published_at or now
        age_days = max((now - published_at).total_seconds(), 0) / 86400
        return (rank / (1 + age_days / RECENCY_DAYS), published_at, pk)

    return [row[0] for row in sorted(rows, key=score, reverse=True)]


def search(queryset, query, *, now=None, candidates=CANDIDATES):
    """The articles of ranked_ids(), in order (for small uses; the search page loads one page of them)."""
    ids = ranked_ids(queryset, query, now=now, candidates=candidates)
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _matches(query):
    return RawSQL(
        '"articles_article"."search_vector" @@ websearch_to_tsquery(%s::regconfig, %s)',
        [CONFIG, query],
        output_field=BooleanField(),
    )


def has_matches(queryset, query):
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(_matches(query)).exists()
    return _search_fallback(queryset, query).exists()


def _candidates_postgres(queryset, query, candidates):
    """(id, published_at, ts_rank) of the newest `candidates` matches; ranked after the LIMIT, not before."""
    newest = (
        queryset.filter(_matches(query))
        .annotate(document=RawSQL('"articles_article"."search_vector"', []))
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at", "document")[:candidates]
    )
    connection = connections[queryset.db]
    sql, params = newest.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.published_at, ts_rank(c.document, websearch_to_tsquery(%s::regconfig, %s))"
            f" FROM ({sql}) AS c(id, published_at, document)",
            [CONFIG, query, *params],
        )
        return cursor.fetchall()


def _candidates_fallback(queryset, query, candidates):
    ranked = _search_fallback(queryset, query).order_by("-published_at", "-pk")
    return list(ranked.values_list("pk", "published_at", "rank")[:candidates])


def with_highlights(articles, query):
    """
    `articles` with what highlight() reads: on PostgreSQL the headline and a snippet marked by ts_headline
    over the dek and the start of the body only; elsewhere that start (`snippet_source`), cut in Python.
    """
    if connections[articles.db].vendor != "postgresql":
        return articles.annotate(snippet_source=Left("body", SNIPPET_SOURCE_CHARS))
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    # Tags stripped in SQL (a tag cut off at the end too); every "<" of text was escaped by the sanitizer.
    bounded_text = RawSQL(
        '"articles_article"."dek" || \' \' || '
        "regexp_replace(left(\"articles_article\".\"body\", %s), '<[^>]*(>|$)', ' ', 'g')",
        [SNIPPET_SOURCE_CHARS],
        output_field=TextField(),
    )
    return articles.annotate(
        headline_marked=SearchHeadline(
            "headline", search_query, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
        ),
        snippet_marked=SearchHeadline(
            bounded_text,
            search_query,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=SNIPPET_WORDS,
            min_words=15,
        ),
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
    return queryset.annotate(rank=score)


def _highlight_marked(text):
    """Escape `text` and turn the sentinel pairs into <mark> elements."""
    escaped = escape(text)
    return mark_safe(escaped.replace(escape(START), "<mark>").replace(escape(STOP), "</mark>"))


def _plain(html_text):
    return html.unescape(strip_tags(html_text or ""))


def highlight(article, query):
    """(headline, snippet) as safe HTML with the query's words marked; `article` from with_highlights()."""
    if hasattr(article, "snippet_marked"):
        # Without a match in its text, ts_headline returns the text's first words: the snippet still reads.
        headline = article.headline_marked or article.headline
        return _highlight_marked(headline), _highlight_marked(html.unescape(article.snippet_marked or ""))
    source = _plain(article.snippet_source)
    words = words_of(query)
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
