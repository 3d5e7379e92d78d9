"""
"Did you mean": for a search without results, the query with each word replaced by the most similar word
(pg_trgm similarity) among the names of tags on visible articles and the words of published headlines
near it (read through the trigram index of search/migrations/0001), offered only if that query finds
something. PostgreSQL only:
SQLite has no trigram similarity, so it never suggests.
"""

from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models import TaggedArticle
from search.query import has_matches, words_of
from tags.models import Tag

MAX_WORDS = 5  # words of a query that get a suggestion; the rest are kept as typed
NEAR_HEADLINES = 50  # published headlines read for candidate words
SIMILARITY = 0.3  # pg_trgm's own default threshold


def suggestion(queryset, query, *, now=None):
    """A better query than `query` (already normalized) for `queryset` (published()), or None."""
    words = words_of(query)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not words:
        return None
    now = now or timezone.now()
    near = Q()
    for word in words[:MAX_WORDS]:
        near |= Q(headline__trigram_word_similar=word)
    headlines = queryset.filter(near).values("headline")[:NEAR_HEADLINES]
    headline_sql, headline_params = headlines.query.get_compiler(connection=connection).as_sql()
    # Tags on at least one article visible now (the through table's copy of published(), by its (tag,
    # visible_from) index), not article_count > 0, which counts drafts and scheduled stories too.
    shown = TaggedArticle.objects.visible(now).filter(tag=OuterRef("pk"))
    tags = Tag.objects.filter(Exists(shown)).order_by().values("name")
    tag_sql, tag_params = tags.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidates AS (
                SELECT DISTINCT lower(unaccent(w)) AS candidate
                  FROM ({headline_sql}) AS h(headline),
                       regexp_split_to_table(h.headline, '[^[:alnum:]]+') AS w
                 WHERE w <> ''
                UNION
                SELECT lower(unaccent(t.name)) FROM ({tag_sql}) AS t(name)
            )
            SELECT q.word, best.candidate
              FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, position)
              LEFT JOIN LATERAL (
                  SELECT candidate FROM candidates
                   WHERE similarity(candidate, q.word) >= %s
                   ORDER BY similarity(candidate, q.word) DESC, candidate LIMIT 1
              ) best ON true
             ORDER BY q.position
            """,
            [*headline_params, *tag_params, words[:MAX_WORDS], SIMILARITY],
        )
        replaced = [candidate or word for word, candidate in cursor.fetchall()]
    better = " ".join(replaced + words[MAX_WORDS:])
    if better == " ".join(words) or not has_matches(queryset, better):
        return None
    return better
