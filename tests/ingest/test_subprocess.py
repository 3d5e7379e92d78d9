"""
import_articles as a separate process, the way operators run it: interrupted mid-import (Ctrl-C and a
hard kill), then run again; and its progress bars on a terminal. The process works on a database of
its own (a SQLite file, or a `<test db>_sub` PostgreSQL database), migrated once for this module.
"""

import fcntl
import json
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
N = 6000
BATCH = 100


@pytest.fixture(scope="module")
def process_db(tmp_path_factory):
    """(DATABASE_URL, a function running one SQL count) for a freshly migrated database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"{db['TEST'].get('NAME') or 'test_' + db['NAME']}_sub"
        host = f"{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{host}/{name}"
        with psycopg.connect(f"postgres://{host}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

        def count(sql):
            with psycopg.connect(url) as conn:
                return conn.execute(sql).fetchone()[0]

    else:
        path = tmp_path_factory.mktemp("subprocess-db") / "db.sqlite3"
        url = f"sqlite:///{path}"

        def count(sql):
            with sqlite3.connect(path) as conn:
                return conn.execute(sql).fetchone()[0]

    subprocess.run(manage("migrate", "-v0"), env=environment(url), check=True, cwd=ROOT)
    yield url, count
    if db["ENGINE"].endswith("postgresql"):
        with psycopg.connect(f"postgres://{host}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args):
    return [sys.executable, str(ROOT / "manage.py"), *args]


def environment(url):
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "REDIS_URL"}}
    return {**env, "DATABASE_URL": url, "DEBUG": "1", "CONN_MAX_AGE": "0"}


def articles_file(directory, prefix, n):
    path = directory / f"{prefix}.jsonl"
    with path.open("w") as f:
        for i in range(n):
            record = {
                "source": prefix,
                "external_id": str(i),
                "headline": f"Article {i} of {prefix}",
                "body_html": "<p>" + "Words of the body. " * 40 + "</p>",
                "tags": [f"Tag {i % 50}", f"Topic {i % 7}"],
                "authors": [{"name": f"Writer {i % 20}"}],
            }
            f.write(json.dumps(record) + "\n")
    return path


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_an_interrupted_import_leaves_only_whole_articles_and_a_rerun_finishes_it(process_db, tmp_path, stop):
    url, count = process_db
    prefix = f"interrupt{stop}"
    path = articles_file(tmp_path, prefix, N)
    articles = f"SELECT count(*) FROM articles_article WHERE source = '{prefix}'"
    command = manage("import_articles", str(path), "--quiet", "--batch-size", str(BATCH))

    process = subprocess.Popen(
        command, env=environment(url), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while count(articles) < 3 * BATCH and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)

    assert process.returncode in ((130,) if stop == signal.SIGINT else (-signal.SIGKILL,)), (out, err)
    if stop == signal.SIGINT:
        assert "interrupted after" in err and "Run the same command again to finish." in err
    written = count(articles)
    assert 0 < written < N
    assert written % BATCH == 0  # only whole batches committed
    incomplete = (
        f"SELECT count(*) FROM articles_article a WHERE a.source = '{prefix}' AND ("
        "(SELECT count(*) FROM articles_taggedarticle t WHERE t.content_object_id = a.id) != 2 OR "
        "(SELECT count(*) FROM articles_byline b WHERE b.article_id = a.id) != 1)"
    )
    assert count(incomplete) == 0

    rerun = subprocess.run(command, env=environment(url), cwd=ROOT, capture_output=True, text=True)

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.splitlines() == [
        f"{path}: created {N - written}, updated 0, unchanged {written}, failed 0",
        f"created {N - written}, updated 0, unchanged {written}, failed 0",
    ]
    assert count(articles) == N and count(incomplete) == 0


def test_on_a_terminal_progress_bars_show_articles_rate_and_eta(process_db, tmp_path):
    url, _ = process_db
    path = articles_file(tmp_path, "tty", 300)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"headline": "no id"}\n')
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 120 columns

    process = subprocess.Popen(
        manage("import_articles", str(bad), str(path)),
        env=environment(url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    out, _ = process.communicate(timeout=60)
    os.close(controller)
    text = shown.decode(errors="replace")

    assert process.returncode == 1
    assert out.decode().splitlines() == [
        f"{bad}: created 0, updated 0, unchanged 0, failed 1",
        f"{path}: created 300, updated 0, unchanged 0, failed 0",
        "created 300, updated 0, unchanged 0, failed 1",
    ]
    assert f"{bad}:1: missing required field 'external_id'" in text
    assert "overall" in text and "301/301" in text  # the overall bar counts every item read
    assert "articles/s" in text and "<" in text  # the rate and tqdm's ETA
