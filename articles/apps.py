from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Slug history of published articles.
        from articles import receivers  # noqa: F401

        pre_migrate.connect(drop_sqlite_triggers, sender=self)
        post_migrate.connect(install_sqlite_triggers, sender=self)


# SQLite alters a table by rebuilding it (create, copy, drop, rename). Dropping articles_article takes its
# triggers with it, and the rename fails while a trigger on another table still names it. So on SQLite the
# triggers are taken down before any migration runs and put back (with a backfill) after all of them;
# PostgreSQL alters tables in place and keeps the triggers its migration installed.
def drop_sqlite_triggers(sender, using, **kwargs):
    from django.db import connections

    from articles import db_triggers

    if connections[using].vendor == "sqlite":
        db_triggers.uninstall(connections[using])


def install_sqlite_triggers(sender, using, **kwargs):
    from django.db import connections

    from articles import db_triggers

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "articles_taggedarticle")
    columns = {column.name for column in description}
    if "visible_from" in columns:
        db_triggers.install(connection)
