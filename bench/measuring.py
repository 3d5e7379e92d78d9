"""
What the import benchmarks share (bench/import_export.py, bench/import_formats.py): a fresh database, a
command timed in its own process with its peak RSS and CPU time and its PostgreSQL backend's CPU time, and
the baselines (COPY, bare bulk_create) of the same rows in this process.
"""

import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str):
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def measure(args, env, database_url):
    """
    Run `args` under a wrapper that reports the child's own peak RSS and CPU time (wait4), and time it.
    Meanwhile sample the CPU time of the PostgreSQL backend serving it (found by application_name in
    pg_stat_activity, read from /proc), so the server's share of the work is known too.
    """
    import psycopg

    wrapper = (
        "import os, sys, time, json\n"
        "started = time.perf_counter()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.execv(sys.argv[1], sys.argv[1:])\n"
        "_, status, usage = os.wait4(pid, 0)\n"
        "print(json.dumps({'seconds': time.perf_counter() - started, 'rss_kib': usage.ru_maxrss,"
        " 'cpu': usage.ru_utime + usage.ru_stime, 'status': os.waitstatus_to_exitcode(status)}))\n"
    )
    name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [sys.executable, "-c", wrapper, *args],
        env={**env, "PGAPPNAME": name},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        while process.poll() is None:
            pids = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [name])
            for (pid,) in pids.fetchall():
                server[pid] = process_cpu(pid) or server.get(pid, 0.0)
            time.sleep(0.05)
    stdout, stderr = process.communicate()
    report = json.loads(stdout.strip().splitlines()[-1])
    if report["status"] != 0:
        sys.exit(f"{args} failed ({report['status']}):\n{stderr[-3000:]}")
    output = "\n".join(stdout.strip().splitlines()[:-1])
    return report["seconds"], report["rss_kib"] / 1024, report["cpu"], sum(server.values()), output


def process_cpu(pid: int) -> float | None:
    """utime + stime of a process on this host, in seconds (None if it is gone or not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baselines(path: Path, n: int, *, bulk_create: bool = True):
    """
    Baselines of the same rows, in this process, each followed by TRUNCATE: a bare COPY (no triggers),
    COPY + the search vectors computed in SQL, and (unless not `bulk_create`) a bare ORM bulk_create.
    """
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.models import Article, Byline, Section, TaggedArticle
    from authors.models import Author
    from tags.models import Tag

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE articles_taggedarticle, articles_byline, articles_article, tags_tag, "
                "authors_author, articles_section RESTART IDENTITY CASCADE"
            )

    def lookups():
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        sections = sorted({r["section"] for r in rows})
        authors = sorted({a["name"] for r in rows for a in r["authors"]})
        tags = sorted({t for r in rows for t in r["tags"]})
        return rows, sections, authors, tags

    results = {}
    cpu = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def cpu_seconds():
        """(client, server) CPU seconds so far: this process and its PostgreSQL backend."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (usage.ru_utime + usage.ru_stime, process_cpu(backend) or 0.0)

    def since(start):
        now = cpu_seconds()
        return (now[0] - start[0], now[1] - start[1])

    def copy_rows(*, vectors):
        """
        The rows with COPY and nothing else: the project's triggers (and foreign-key checks, which are
        triggers too) off for the session, as a bare load would. With `vectors`, then the search vectors
        computed in SQL by the triggers' own function, in one UPDATE (GIN index maintained).
        """
        rows, sections, authors, tags = lookups()
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            raw = cursor.cursor
            with raw.copy("COPY articles_section (name, slug, description, position) FROM STDIN") as copy:
                for name in sections:
                    copy.write_row((name, slugify(name), "", 0))
            with raw.copy(
                "COPY authors_author (name, slug, bio, email, website, twitter_handle, bluesky_handle, "
                "mastodon_handle) FROM STDIN"
            ) as copy:
                for index, name in enumerate(authors):
                    copy.write_row((name, f"{slugify(name)}-{index}", "", "", "", "", "", ""))
            with raw.copy("COPY tags_tag (name, slug, description, kind, article_count) FROM STDIN") as copy:
                for index, name in enumerate(tags):
                    copy.write_row((name, f"{slugify(name)}-{index}", "", "topic", 0))
            section_id = {name: i for i, name in enumerate(sections, 1)}
            author_id = {name: i for i, name in enumerate(authors, 1)}
            tag_id = {name: i for i, name in enumerate(tags, 1)}
            columns = (
                "headline, slug, dek, body, section_id, status, published_at, created_at, modified_at, "
                "legal_hold, legal_hold_reason, version, source, external_id, canonical_url, "
                "import_checksum, import_fingerprint, lead_image_source"
            )
            with raw.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
                for i, r in enumerate(rows):
                    copy.write_row(
                        (r["headline"], f"a-{i}", r["dek"], r["body_html"], section_id[r["section"]],
                         "published", r["published_at"], now, now, False, "", 1, r["source"],
                         r["external_id"], "", "", "", "")
                    )  # fmt: skip
            with raw.copy("COPY articles_byline (article_id, author_id, role, position) FROM STDIN") as copy:
                for i, r in enumerate(rows, 1):
                    for position, a in enumerate(r["authors"]):
                        copy.write_row((i, author_id[a["name"]], "reporting", position))
            with raw.copy("COPY articles_taggedarticle (content_object_id, tag_id) FROM STDIN") as copy:
                for i, r in enumerate(rows, 1):
                    for t in r["tags"]:
                        copy.write_row((i, tag_id[t]))
            if vectors:
                cursor.execute(
                    "UPDATE articles_article a"
                    " SET search_vector = articles_search_document(a.id, a.headline, a.dek, a.body)"
                )
            cursor.execute("SET session_replication_role = DEFAULT")

    # Bare COPY: the ceiling. Parsing the file is included, as every importer has to do it.
    for name, vectors in (("copy", False), ("copy_vector", True)):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        copy_rows(vectors=vectors)
        results[name], cpu[name] = time.perf_counter() - started, since(started_cpu)
        truncate()
    if not bulk_create:
        connection.close()
        return results, cpu

    # Bare bulk_create: the ORM without any of the importer's work.
    started, started_cpu = time.perf_counter(), cpu_seconds()
    rows, sections, authors, tags = lookups()
    section_objs = Section.objects.bulk_create([Section(name=s, slug=slugify(s)) for s in sections])
    author_objs = Author.objects.bulk_create(
        [Author(name=a, slug=f"{slugify(a)}-{i}") for i, a in enumerate(authors)]
    )
    tag_objs = Tag.objects.bulk_create([Tag(name=t, slug=f"{slugify(t)}-{i}") for i, t in enumerate(tags)])
    section_id = {s.name: s.pk for s in section_objs}
    author_id = {a.name: a.pk for a in author_objs}
    tag_id = {t.name: t.pk for t in tag_objs}
    for chunk in range(0, len(rows), 1000):
        part = rows[chunk : chunk + 1000]
        articles = Article.objects.bulk_create(
            [
                Article(
                    headline=r["headline"], slug=f"a-{chunk + i}", dek=r["dek"], body=r["body_html"],
                    section_id=section_id[r["section"]], status="published",
                    published_at=datetime.datetime.fromisoformat(r["published_at"]), source=r["source"],
                    external_id=r["external_id"],
                )
                for i, r in enumerate(part)
            ]
        )  # fmt: skip
        Byline.objects.bulk_create(
            [
                Byline(article_id=a.pk, author_id=author_id[ref["name"]], position=p)
                for a, r in zip(articles, part, strict=True)
                for p, ref in enumerate(r["authors"])
            ]
        )
        TaggedArticle.objects.bulk_create(
            [
                TaggedArticle(content_object_id=a.pk, tag_id=tag_id[t])
                for a, r in zip(articles, part, strict=True)
                for t in r["tags"]
            ]
        )
    results["bulk_create"] = time.perf_counter() - started
    cpu["bulk_create"] = since(started_cpu)
    del rows
    truncate()
    connection.close()
    return results, cpu


def migrated_django(name):
    """
    Django set up on DATABASE_URL (default: a new SQLite file named after `name`), migrated first in a
    subprocess: the environment the worker benches hand to their `db_worker` processes too.
    """
    import tempfile

    root = Path(__file__).resolve().parent.parent
    tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/{name}.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "1")
    env = {**os.environ}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=root, env=env, check=True
    )
    import django

    django.setup()
    return env
