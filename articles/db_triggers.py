"""
Database triggers that keep the public site's denormalized columns right, whoever writes the rows.

The importer writes with bulk_create/bulk_update and taggit adds tags with bulk inserts, so no Python
signal sees every change; the database does. Kept up to date by triggers:

- ``articles_taggedarticle.published_at``: a copy of the article's ``published_at`` (both databases), so a
  tag page and the related-stories query read a tag's newest articles from one index;
- ``tags_tag.article_count``: how many articles carry the tag (both databases), the rarity weight of
  related stories;
- ``articles_article.search_vector`` (PostgreSQL only): the weighted full-text document (headline A, dek B,
  tag names B, body C) behind a GIN index. SQLite has no such column; its search is a LIKE fallback
  (articles/search.py).

Installed by migration ``articles.0003_public_pages_triggers``; ``install`` is idempotent.
"""

POSTGRES_INSTALL = r"""
CREATE OR REPLACE FUNCTION articles_taggedarticle_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.published_at INTO NEW.published_at FROM articles_article a WHERE a.id = NEW.content_object_id;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS articles_taggedarticle_fill ON articles_taggedarticle;
CREATE TRIGGER articles_taggedarticle_fill BEFORE INSERT OR UPDATE OF content_object_id
    ON articles_taggedarticle FOR EACH ROW EXECUTE FUNCTION articles_taggedarticle_fill();

CREATE OR REPLACE FUNCTION articles_article_sync_tagged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_taggedarticle SET published_at = NEW.published_at WHERE content_object_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS articles_article_sync_tagged ON articles_article;
CREATE TRIGGER articles_article_sync_tagged AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION articles_article_sync_tagged();

-- Tag counts and tag names in the search document, once per statement (bulk inserts stay cheap).
CREATE OR REPLACE FUNCTION articles_search_document(p_id bigint, p_headline text, p_dek text, p_body text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(p_headline, '')), 'A')
        || setweight(to_tsvector('english', coalesce(p_dek, '')), 'B')
        || setweight(to_tsvector('english', coalesce((
               SELECT string_agg(t.name, ' ') FROM articles_taggedarticle ta
               JOIN tags_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = p_id), '')), 'B')
        || setweight(to_tsvector('english', coalesce(p_body, '')), 'C')
$$;

CREATE OR REPLACE FUNCTION articles_taggedarticle_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags_tag t SET article_count = t.article_count + n.c
      FROM (SELECT tag_id, count(*) AS c FROM new_rows GROUP BY tag_id) n WHERE t.id = n.tag_id;
    UPDATE articles_article a SET search_vector = articles_search_document(a.id, a.headline, a.dek, a.body)
     WHERE a.id IN (SELECT content_object_id FROM new_rows);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION articles_taggedarticle_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags_tag t SET article_count = greatest(t.article_count - n.c, 0)
      FROM (SELECT tag_id, count(*) AS c FROM old_rows GROUP BY tag_id) n WHERE t.id = n.tag_id;
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

ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE INDEX IF NOT EXISTS article_search_vector ON articles_article USING gin (search_vector);

CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := articles_search_document(NEW.id, NEW.headline, NEW.dek, NEW.body);
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
UPDATE articles_taggedarticle ta SET published_at = a.published_at
  FROM articles_article a WHERE a.id = ta.content_object_id;
UPDATE tags_tag t SET article_count = (SELECT count(*) FROM articles_taggedarticle ta WHERE ta.tag_id = t.id);
UPDATE articles_article SET search_vector = articles_search_document(id, headline, dek, body);
"""

POSTGRES_UNINSTALL = """
DROP TRIGGER IF EXISTS tags_tag_renamed ON tags_tag;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP TRIGGER IF EXISTS articles_taggedarticle_added ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_taggedarticle_removed ON articles_taggedarticle;
DROP TRIGGER IF EXISTS articles_article_sync_tagged ON articles_article;
DROP TRIGGER IF EXISTS articles_taggedarticle_fill ON articles_taggedarticle;
DROP FUNCTION IF EXISTS tags_tag_renamed(), articles_article_search_vector(), articles_taggedarticle_added(),
    articles_taggedarticle_removed(), articles_article_sync_tagged(), articles_taggedarticle_fill();
DROP FUNCTION IF EXISTS articles_search_document(bigint, text, text, text);
DROP INDEX IF EXISTS article_search_vector;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""

# SQLite: row-level triggers (no transition tables); imports into SQLite are small.
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS articles_taggedarticle_fill AFTER INSERT ON articles_taggedarticle
    BEGIN
        UPDATE articles_taggedarticle SET published_at =
            (SELECT published_at FROM articles_article WHERE id = NEW.content_object_id) WHERE id = NEW.id;
        UPDATE tags_tag SET article_count = article_count + 1 WHERE id = NEW.tag_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_taggedarticle_removed AFTER DELETE ON articles_taggedarticle
    BEGIN
        UPDATE tags_tag SET article_count = max(article_count - 1, 0) WHERE id = OLD.tag_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS articles_article_sync_tagged
    AFTER UPDATE OF published_at ON articles_article
    WHEN OLD.published_at IS NOT NEW.published_at
    BEGIN
        UPDATE articles_taggedarticle SET published_at = NEW.published_at WHERE content_object_id = NEW.id;
    END""",
]
SQLITE_BACKFILL = [
    """UPDATE articles_taggedarticle SET published_at =
        (SELECT a.published_at FROM articles_article a
          WHERE a.id = articles_taggedarticle.content_object_id)""",
    """UPDATE tags_tag SET article_count =
        (SELECT count(*) FROM articles_taggedarticle ta WHERE ta.tag_id = tags_tag.id)""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS articles_taggedarticle_fill",
    "DROP TRIGGER IF EXISTS articles_taggedarticle_removed",
    "DROP TRIGGER IF EXISTS articles_article_sync_tagged",
]


def install(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_INSTALL)
            cursor.execute(POSTGRES_BACKFILL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_INSTALL + SQLITE_BACKFILL:
                cursor.execute(statement)


def uninstall(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNINSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_UNINSTALL:
                cursor.execute(statement)
