"""
Database triggers that keep the public site's denormalized columns right, whoever writes the rows.

The importer writes with bulk_create/bulk_update and taggit adds tags with bulk inserts, so no Python
signal sees every change; the database does. Kept up to date by triggers:

- ``articles_taggedarticle.visible_from``/``visible_until``: when the article is visible to readers
  (both databases; the same test as ``published_q()``: published_at of a published article, publish_at of a
  scheduled one not on legal hold, NULL otherwise; and its unpublish_at), so tag pages and related stories
  read a tag's visible articles, newest first, from one index;
- ``tags_tag.article_count``: how many articles carry the tag (both databases), the rarity weight of
  related stories;
- ``articles_article.search_vector`` (PostgreSQL only): the weighted full-text document (headline A, dek B,
  tag names B, body C) behind a GIN index, in the text search configuration ``english_unaccent`` (English
  stemming after unaccent, so "cafe" finds "Café"; search/query.py queries with the same configuration).
  SQLite has no such column; its search is a LIKE fallback (search/query.py).

Installed by migration ``articles.0004_public_pages_visibility``; ``install`` is idempotent and replaces
the triggers of 0003 (same names).
"""

import contextlib

POSTGRES_SCHEMA = """
ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE INDEX IF NOT EXISTS article_search_vector ON articles_article USING gin (search_vector);
"""

# English with accents folded first, for documents and queries alike. Created here, not in a migration of
# its own, because every migration that installs the triggers (0004, 0008, 0013) needs it to exist.
POSTGRES_CONFIG = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'english_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION english_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END $$;
"""

POSTGRES_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_visible_from(p_status text, p_published_at timestamptz,
                                                 p_publish_at timestamptz, p_legal_hold boolean)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_status = 'published' THEN p_published_at
                WHEN p_status = 'scheduled' AND NOT p_legal_hold THEN p_publish_at END
$$;

CREATE OR REPLACE FUNCTION articles_taggedarticle_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT articles_visible_from(a.status, a.published_at, a.publish_at, a.legal_hold), a.unpublish_at
      INTO NEW.visible_from, NEW.visible_until
      FROM articles_article a WHERE a.id = NEW.content_object_id;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS articles_taggedarticle_fill ON articles_taggedarticle;
CREATE TRIGGER articles_taggedarticle_fill BEFORE INSERT OR UPDATE OF content_object_id
    ON articles_taggedarticle FOR EACH ROW EXECUTE FUNCTION articles_taggedarticle_fill();

CREATE OR REPLACE FUNCTION articles_article_sync_tagged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_taggedarticle
       SET visible_from = articles_visible_from(NEW.status, NEW.published_at, NEW.publish_at, NEW.legal_hold),
           visible_until = NEW.unpublish_at
     WHERE content_object_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS articles_article_sync_tagged ON articles_article;
CREATE TRIGGER articles_article_sync_tagged
    AFTER UPDATE OF status, published_at, publish_at, legal_hold, unpublish_at ON articles_article
    FOR EACH ROW WHEN (
        articles_visible_from(OLD.status, OLD.published_at, OLD.publish_at, OLD.legal_hold)
          IS DISTINCT FROM
        articles_visible_from(NEW.status, NEW.published_at, NEW.publish_at, NEW.legal_hold)
        OR OLD.unpublish_at IS DISTINCT FROM NEW.unpublish_at)
    EXECUTE FUNCTION articles_article_sync_tagged();

-- The search document: headline A, dek B, tag names B, body C. Its body part is a function of its own:
-- the importer computes it ahead, beside the transaction that writes the article.
CREATE OR REPLACE FUNCTION articles_search_head(p_headline text, p_dek text, p_tags text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english_unaccent', coalesce(p_headline, '')), 'A')
        || setweight(to_tsvector('english_unaccent', coalesce(p_dek, '')), 'B')
        || setweight(to_tsvector('english_unaccent', coalesce(p_tags, '')), 'B')
$$;
CREATE OR REPLACE FUNCTION articles_search_body(p_body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english_unaccent', coalesce(p_body, '')), 'C')
$$;
CREATE OR REPLACE FUNCTION articles_search_text(p_headline text, p_dek text, p_tags text, p_body text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT articles_search_head(p_headline, p_dek, p_tags) || articles_search_body(p_body)
$$;
CREATE OR REPLACE FUNCTION articles_search_document(p_id bigint, p_headline text, p_dek text, p_body text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT articles_search_text(p_headline, p_dek, (
               SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
               JOIN tags_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = p_id), p_body)
$$;

-- A writer that maintains the search vectors of its rows itself says so for its transaction with
-- SET LOCAL newsroom.search_vectors_written = 'on' (the importer: it computes each new article's vector,
-- tags included, with articles_search_text() in its INSERT, so the row is written once, not rewritten
-- when its tag links arrive). Tag counts and visibility are maintained regardless.
CREATE OR REPLACE FUNCTION articles_search_vectors_written() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('newsroom.search_vectors_written', true), '') = 'on'
$$;

-- Tag counts and tag names in the search document, once per statement (bulk inserts stay cheap).

CREATE OR REPLACE FUNCTION articles_taggedarticle_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags_tag t SET article_count = t.article_count + n.c
      FROM (SELECT tag_id, count(*) AS c FROM new_rows GROUP BY tag_id) n WHERE t.id = n.tag_id;
    IF articles_search_vectors_written() THEN
        RETURN NULL;
    END IF;
    -- Added tags are appended to the document (no second to_tsvector of the body during an import);
    -- removals and renames recompute it.
    UPDATE articles_article a SET search_vector = coalesce(a.search_vector, ''::tsvector) || n.doc
      FROM (SELECT nr.content_object_id AS id,
                   setweight(to_tsvector('english_unaccent', string_agg(t.name, ' ')), 'B') AS doc
              FROM new_rows nr JOIN tags_tag t ON t.id = nr.tag_id GROUP BY nr.content_object_id) n
     WHERE a.id = n.id;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION articles_taggedarticle_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags_tag t SET article_count = greatest(t.article_count - n.c, 0)
      FROM (SELECT tag_id, count(*) AS c FROM old_rows GROUP BY tag_id) n WHERE t.id = n.tag_id;
    IF articles_search_vectors_written() THEN
        RETURN NULL;
    END IF;
    UPDATE articles_article a SET search_vector = articles_search_document(a.id, a.headline, a.dek, a.body)
     WHERE a.id IN (SELECT content_object_id FROM old_rows);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS articles_taggedarticle_added ON articles_taggedarticle;
CREATE TRIGGER articles_taggedarticle_added AFTER INSERT ON articles_taggedarticle
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_taggedarticle_added();
DROP TRIGGER IF EXISTS articles_taggedarticle_removed ON articles_taggedarticle;
CREATE TRIGGER articles_taggedarticle_removed AFTER DELETE ON articles_taggedarticle
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_taggedarticle_removed();


CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT articles_search_vectors_written() THEN
        NEW.search_vector := articles_search_document(NEW.id, NEW.headline, NEW.dek, NEW.body);
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
CREATE TRIGGER articles_article_search_vector BEFORE INSERT OR UPDATE OF headline, dek, body
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();

CREATE OR REPLACE FUNCTION tags_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article a SET search_vector = articles_search_document(a.id, a.headline, a.dek, a.body)
     WHERE a.id IN (SELECT content_object_id FROM articles_taggedarticle WHERE tag_id = NEW.id);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS tags_tag_renamed ON tags_tag;
CREATE TRIGGER tags_tag_renamed AFTER UPDATE OF name ON tags_tag
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tags_tag_renamed();
"""

POSTGRES_BACKFILL = """
UPDATE articles_taggedarticle ta
   SET visible_from = articles_visible_from(a.status, a.published_at, a.publish_at, a.legal_hold),
       visible_until = a.unpublish_at
  FROM articles_article a WHERE a.id = ta.content_object_id;
UPDATE tags_tag t SET article_count = (SELECT count(*) FROM articles_taggedarticle ta WHERE ta.tag_id = t.id);
UPDATE articles_article SET search_vector = articles_search_document(id, headline, dek, body)
 WHERE search_vector IS NULL;
"""

POSTGRES_DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS tags_tag_renamed ON tags_tag;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP TRIGGER IF EXISTS articles_taggedarticle_added ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_taggedarticle_removed ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_article_sync_tagged ON articles_article;
DROP TRIGGER IF EXISTS articles_taggedarticle_fill ON articles_taggedarticle;
"""

POSTGRES_UNINSTALL = (
    POSTGRES_DROP_TRIGGERS
    + """
DROP FUNCTION IF EXISTS tags_tag_renamed(), articles_article_search_vector(), articles_taggedarticle_added(),
    articles_taggedarticle_removed(), articles_article_sync_tagged(), articles_taggedarticle_fill();
DROP FUNCTION IF EXISTS articles_search_document(bigint, text, text, text);
DROP FUNCTION IF EXISTS articles_search_text(text, text, text, text), articles_search_vectors_written();
DROP FUNCTION IF EXISTS articles_search_head(text, text, text), articles_search_body(text);
DROP FUNCTION IF EXISTS articles_visible_from(text, timestamptz, timestamptz, boolean);
DROP INDEX IF EXISTS article_search_vector;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""
)

# SQLite: row-level triggers (no transition tables); imports into SQLite are small.
SQLITE_VISIBLE_FROM = (
    "CASE WHEN {0}.status = 'published' THEN {0}.published_at"
    " WHEN {0}.status = 'scheduled' AND NOT {0}.legal_hold THEN {0}.publish_at END"
)
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS articles_taggedarticle_fill AFTER INSERT ON articles_taggedarticle
    BEGIN
        UPDATE articles_taggedarticle
           SET visible_from = (SELECT {SQLITE_VISIBLE_FROM.format("a")} FROM articles_article a
                                WHERE a.id = NEW.content_object_id),
               visible_until = (SELECT unpublish_at FROM articles_article WHERE id = NEW.content_object_id)
         WHERE id = NEW.id;
        UPDATE tags_tag SET article_count = article_count + 1 WHERE id = NEW.tag_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_taggedarticle_removed AFTER DELETE ON articles_taggedarticle
    BEGIN
        UPDATE tags_tag SET article_count = max(article_count - 1, 0) WHERE id = OLD.tag_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_article_sync_tagged
    AFTER UPDATE OF status, published_at, publish_at, legal_hold, unpublish_at ON articles_article
    BEGIN
        UPDATE articles_taggedarticle
           SET visible_from = {SQLITE_VISIBLE_FROM.format("NEW")}, visible_until = NEW.unpublish_at
         WHERE content_object_id = NEW.id;
    END""",
]
SQLITE_BACKFILL = [
    f"""UPDATE articles_taggedarticle SET
        visible_from = (SELECT {SQLITE_VISIBLE_FROM.format("a")} FROM articles_article a
                         WHERE a.id = articles_taggedarticle.content_object_id),
        visible_until = (SELECT a.unpublish_at FROM articles_article a
                          WHERE a.id = articles_taggedarticle.content_object_id)""",
    """UPDATE tags_tag SET article_count =
        (SELECT count(*) FROM articles_taggedarticle ta WHERE ta.tag_id = tags_tag.id)""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS articles_taggedarticle_fill",
    "DROP TRIGGER IF EXISTS articles_taggedarticle_removed",
    "DROP TRIGGER IF EXISTS articles_article_sync_tagged",
]


def install(connection, *, schema=True, backfill=True):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if schema:
                cursor.execute(POSTGRES_SCHEMA)
            cursor.execute(POSTGRES_CONFIG)
            cursor.execute(POSTGRES_INSTALL)
            if backfill:
                cursor.execute(POSTGRES_BACKFILL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_INSTALL + (SQLITE_BACKFILL if backfill else []):
                cursor.execute(statement)


@contextlib.contextmanager
def search_vectors_written(connection):
    """
    For the rest of the current transaction, the caller writes the search vectors of the articles it
    inserts (with ``articles_search_text()``) and recomputes those of articles it updates; the triggers
    leave them alone (PostgreSQL; SQLite has no search vector). Must be used inside a transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL newsroom.search_vectors_written = 'on'")
    yield
    # Not in a `finally`: after an error the transaction is aborted (a statement would only raise again,
    # hiding the error) and is rolled back, setting and all.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL newsroom.search_vectors_written = 'off'")


def uninstall(connection):
    _execute(connection, postgres=POSTGRES_UNINSTALL, sqlite=SQLITE_UNINSTALL)


def _execute(connection, *, postgres: str, sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(postgres)
        elif connection.vendor == "sqlite":
            for statement in sqlite:
                cursor.execute(statement)


@contextlib.contextmanager
def suspended(connection):
    """
    Bulk-load new articles without the per-statement trigger work, then bring every maintained column up to
    date in a few set-based statements (through-table visibility, tag counts, search vectors of new rows):

        with db_triggers.suspended(connection):
            ...bulk_create articles, bylines and tag links...

    For loads of new articles (benchmark databases, archive migrations): text edited or tags added to
    existing articles while suspended are not re-indexed. Readers may see stale tag pages until it exits.
    """
    _execute(connection, postgres=POSTGRES_DROP_TRIGGERS, sqlite=SQLITE_UNINSTALL)
    try:
        yield
    finally:
        install(connection, schema=False)
