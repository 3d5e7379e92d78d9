"""
A deterministic newsroom archive on PostgreSQL, written with COPY (bench/pages.py, bench/related.py).

Shape: N published articles, one every ~15 minutes back from a fixed date; tags with a Zipf (long-tail)
popularity, 1-8 per article; authors with a milder Zipf, 1-3 bylines per article; sections evenly used.
Text is realistic (bench/text.py): headlines, deks and bodies of 300-1,500 words (most 500-700) in
sentences and paragraphs from a Zipf vocabulary of ~64,000 real English words, and tag names of 1-4 words
with initials and punctuation ("U.S. Harbor Court", "Lisbon housing", "Maria K. Lindqvist"), so search
vectors, GIN posting lists and TOAST cost what a newsroom's archive makes them cost.
Columns come from the models' own metadata, so fields added later get their defaults. Triggers (and
foreign-key checks) are off during the COPY, row-by-row work that would take most of the time; afterwards
fill_denormalized() does in set-based passes what the triggers of articles/db_triggers.py keep up to date
(the tagged rows' published_at copy is written by the COPY itself).

The database is rebuilt only when its recorded shape differs; new migrations are applied to it in place.
"""

import datetime
import json
import os
import random
import time
from html import escape
from itertools import accumulate

import psycopg
from django.utils.text import slugify

from bench.text import article_words, vocabulary

FORMAT_VERSION = 2  # 2: realistic text (bench/text.py)
NEWEST = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)  # in the past for any run of ours
FIRST = "Ana Ben Chloe David Elena Farid Grace Hugo Irene Jamal Kenji Laura Mateo Nadia Omar Priya".split()
LAST = "Adams Baker Chen Diaz Evans Fischer Garcia Haddad Ito Jensen Kowalski Lopez Moreau Novak".split()


def zipf_cumulative(n, exponent):
    return list(accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


class Shape:
    def __init__(self, articles, tags, authors, sections=10, bodies=True, seed=20261126):
        """`bodies`: realistic bodies (and search vectors); False leaves bodies empty (bench/related.py)."""
        self.articles, self.tags, self.authors, self.sections = articles, tags, authors, sections
        self.bodies, self.seed = bodies, seed

    def as_dict(self):
        return {**vars(self), "format": FORMAT_VERSION}


def admin_url(name="postgres"):
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    return f"{base.rstrip('/')}/{name}"


def setup_django(db_name):
    """Point Django at the benchmark database (DEBUG off, a throwaway key) and set it up."""
    os.environ["DATABASE_URL"] = admin_url(db_name)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def _recorded(db_name):
    try:
        with psycopg.connect(admin_url(db_name), connect_timeout=5) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'shape'").fetchone()
            return json.loads(row[0]) if row else None
    except psycopg.Error:
        return None


def ensure_database(db_name, shape, *, rebuild=False, log=print):
    """Build `db_name` with `shape` unless it already holds exactly that; return the shape record."""
    from django.core.management import call_command
    from django.db import connection

    wanted = shape.as_dict()
    if not rebuild and _recorded(db_name) == wanted:
        log(f"reusing database {db_name} ({shape.articles:,} articles); applying any new migrations")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            before = cursor.fetchone()[0]
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            if cursor.fetchone()[0] != before:
                cursor.execute("VACUUM ANALYZE")
        return wanted
    connection.close()
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - started:.1f} s; loading {shape.articles:,} articles")
    load(shape, log=log)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("INSERT INTO bench_meta VALUES ('shape', %s)", [json.dumps(wanted)])
    return wanted


def _copy(cursor, model, rows, values_for, log):
    """COPY `rows` into `model`'s table; values_for(row) gives {attname: value}, other fields get defaults."""
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    defaults = {}
    for field in fields:
        default = field.get_default()
        defaults[field.attname] = None if default is None and field.null else default
    columns = ", ".join(f'"{field.column}"' for field in fields)
    names = [field.attname for field in fields]
    started, count = time.perf_counter(), 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            values = values_for(row)
            copy.write_row([values[name] if name in values else defaults[name] for name in names])
            count += 1
    log(f"  {model._meta.db_table}: {count:,} rows in {time.perf_counter() - started:.1f} s")


def published_at(index, shape):
    """Article `index` (0 = newest): about every 15 minutes back from NEWEST, a little irregular."""
    jitter = random.Random(shape.seed * 7919 + index).randint(0, 599)
    return NEWEST - datetime.timedelta(seconds=index * 900 + jitter)


def tag_choices(shape):
    """[(article_id, tag_id)] per article, 1-8 tags drawn by Zipf popularity (tag id 1 is the most used)."""
    rng = random.Random(shape.seed + 1)
    cumulative = zipf_cumulative(shape.tags, 1.0)
    tag_ids = range(1, shape.tags + 1)
    for article_id in range(1, shape.articles + 1):
        count = rng.choices(range(1, 9), weights=(8, 14, 20, 20, 15, 10, 8, 5))[0]
        chosen = set()
        while len(chosen) < count:
            chosen.update(rng.choices(tag_ids, cum_weights=cumulative, k=count - len(chosen)))
        for tag_id in sorted(chosen):
            yield article_id, tag_id


def byline_choices(shape):
    rng = random.Random(shape.seed + 2)
    cumulative = zipf_cumulative(shape.authors, 0.7)
    author_ids = range(1, shape.authors + 1)
    for article_id in range(1, shape.articles + 1):
        count = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        chosen = []
        while len(chosen) < count:
            author_id = rng.choices(author_ids, cum_weights=cumulative)[0]
            if author_id not in chosen:
                chosen.append(author_id)
        for position, author_id in enumerate(chosen):
            yield article_id, author_id, position


def _has_column(cursor, table, column):
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, column]
    )
    return cursor.fetchone() is not None


def fill_denormalized(connection, *, search_vectors, log=print):
    """Tag counts and (for search) the articles' search vectors, as the triggers would have kept them."""
    with connection.cursor() as cursor:
        if _has_column(cursor, "tags_tag", "article_count"):
            started = time.perf_counter()
            cursor.execute(
                """UPDATE tags_tag t SET article_count = c.n
                   FROM (SELECT tag_id, count(*) AS n FROM articles_taggedarticle GROUP BY tag_id) c
                   WHERE t.id = c.tag_id"""
            )
            log(f"  tags_tag.article_count in {time.perf_counter() - started:.1f} s")
        if search_vectors and _has_column(cursor, "articles_article", "search_vector"):
            started = time.perf_counter()
            cursor.execute(
                "UPDATE articles_article"
                " SET search_vector = articles_search_document(id, headline, dek, body)"
            )
            log(f"  articles_article.search_vector in {time.perf_counter() - started:.1f} s")


def tag_names(shape, words):
    """shape.tags distinct tag names (case-insensitively, as the tag model requires), in Zipf rank order."""
    rng = random.Random(shape.seed + 3)
    names = list({name.lower(): name for name in words.tag_names(rng, shape.tags * 11 // 10)}.values())
    rng.shuffle(names)  # popularity by rank (id 1 the most used) must not follow the alphabet
    return names[: shape.tags]


def unique_slugs(names):
    seen, slugs = set(), []
    for name in names:
        base = slugify(name)[:90] or "tag"
        slug, n = base, 1
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        slugs.append(slug)
    return slugs


def load(shape, log=print):
    from django.db import connection

    from articles.models import Article, Byline, Section, TaggedArticle
    from authors.models import Author
    from tags.models import Tag

    rng = random.Random(shape.seed)
    words = vocabulary()
    names = tag_names(shape, words)
    slugs = unique_slugs(names)
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no triggers, no FK checks (superuser)
        _copy(
            cursor,
            Section,
            range(1, shape.sections + 1),
            lambda i: {"id": i, "name": f"Section {i}", "slug": f"section-{i}", "position": i},
            log,
        )
        _copy(
            cursor,
            Author,
            range(1, shape.authors + 1),
            lambda i: {
                "id": i,
                "name": f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]} {i}",
                "slug": f"author-{i}",
                "bio": f"Reporter number {i}, covering {words.content_word(rng)} and {words.content_word(rng)}.",  # noqa: E501
            },
            log,
        )
        _copy(
            cursor,
            Tag,
            range(1, shape.tags + 1),
            lambda i: {
                "id": i,
                "name": names[i - 1],
                "slug": slugs[i - 1],
                "description": f"Stories about {names[i - 1]}.",
            },
            log,
        )

        def article(i):
            when = published_at(i - 1, shape)
            headline = words.headline(rng)[:250]
            paragraphs = words.paragraphs(rng, article_words(rng)) if shape.bodies else []
            return {
                "id": i,
                "headline": headline,
                "slug": f"{slugify(headline)[:200]}-{i}",
                "dek": words.sentence(rng, rng.randint(15, 30)),
                "body": "".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs),
                "section_id": (i * 7) % shape.sections + 1,
                "status": "published",
                "published_at": when,
                "updated_at": when + datetime.timedelta(hours=1) if i % 10 == 0 else None,
                "created_at": when,
                "modified_at": when,
                "source": "bench",
                "external_id": str(i),
            }

        _copy(cursor, Article, range(1, shape.articles + 1), article, log)
        ids = iter(range(1, 10**10))
        _copy(
            cursor,
            Byline,
            byline_choices(shape),
            lambda row: {
                "id": next(ids),
                "article_id": row[0],
                "author_id": row[1],
                "position": row[2],
                "role": "reporting",
            },
            log,
        )
        ids = iter(range(1, 10**10))
        published = {}
        # The through table's copy of when the article is visible (articles/db_triggers.py): for these
        # published articles, their published_at, with no end.
        link_fields = {field.attname for field in TaggedArticle._meta.concrete_fields}
        denormalized = [name for name in ("visible_from", "published_at") if name in link_fields]

        def tagged(row):
            article_id, tag_id = row
            if article_id not in published:
                published.clear()
                published[article_id] = published_at(article_id - 1, shape)
            values = {"id": next(ids), "content_object_id": row[0], "tag_id": tag_id}
            for name in denormalized:
                values[name] = published[article_id]
            return values

        _copy(cursor, TaggedArticle, tag_choices(shape), tagged, log)
        for model in (Section, Author, Tag, Article, Byline, TaggedArticle):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM \"{table}\""
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")  # statistics first, or the planner joins million-row tables as if empty
    fill_denormalized(connection, search_vectors=shape.bodies, log=log)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # Django's connection is in autocommit mode, as VACUUM needs
        cursor.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
