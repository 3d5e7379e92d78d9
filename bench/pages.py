"""
Public pages under load, beside the framework floor (issue 4, "Speed and caching").

Builds (once; reused while its shape is unchanged, new migrations applied in place) a PostgreSQL
database of N published articles with bench/data.py, runs collectstatic, and starts gunicorns (2 sync
workers each, DEBUG off) on loopback, one per variant: "uncached" renders every page (PUBLIC_PAGE_CACHE=0;
per-generation values such as page counts still come from Redis), "cached" serves stored pages from Redis,
and the optional "cold" caches nothing at all (DISABLE_CACHE=1, as right after a purge). All route the
framework floor (BENCH_FLOOR=1, bench/floor.py): a minimal Django view returning the page's own bytes from
memory through the same gunicorn and middleware. For every page, wrk measures the floor and each variant in
turn, repeated --reps times with the pages interleaved, and the medians are printed with the ratio of each
variant's requests/second to its page's floor.

    .venv/bin/python bench/pages.py                       # 100,000 articles, wrk -t1 -c32 -d10s, 3 reps
    .venv/bin/python bench/pages.py --articles 20000 --duration 3 --reps 1    # a quick look

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432), Redis (--redis) and wrk
(`apt-get install -y wrk`).
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench import data  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--tags", type=int, default=2_000)
    parser.add_argument("--authors", type=int, default=300)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--db", default="bench_pages")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even if it matches")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="REDIS_URL of the servers")
    parser.add_argument("--port", type=int, default=8810, help="the first server's; the others follow")
    parser.add_argument(
        "--variants",
        default="uncached,cached",
        help="servers to measure beside the floor: uncached (PUBLIC_PAGE_CACHE=0: every page rendered, "
        "per-generation values such as page counts still cached), cached, cold (DISABLE_CACHE=1: nothing "
        "cached at all, as right after a purge)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pages", default="", help="comma-separated page names to measure (default all)")
    return parser.parse_args()


def log(message):
    print(message, file=sys.stderr, flush=True)


def pick_pages():
    """{name: path} for the measured pages, chosen from the data: the busiest tag and author, and so on."""
    from django.urls import NoReverseMatch, reverse

    from articles.models import Article
    from authors.models import Author
    from tags.models import Tag

    count = Article.objects.count()
    article = Article.objects.get(pk=count // 2)
    tag = Tag.objects.get(pk=1)  # Zipf rank 1: the most used tag
    tag_pages = -(-Article.objects.published().filter(tags=tag).count() // 20)
    searched = Tag.objects.get(pk=40)  # a named subject on about 1% of the stories
    rare = Tag.objects.filter(article_count__gt=0).order_by("article_count", "pk").first()
    pages = {
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "tag-deep": f"{tag.get_absolute_url()}?page={max(tag_pages // 2, 1)}",
        "author": Author.objects.get(pk=1).get_absolute_url(),
        "home": "/",
        "search": "/search/?q=" + searched.name.replace(" ", "+"),
        # issue 15: a term on many stories (the busiest tag), its second page, and a rare one.
        "search-common": "/search/?q=" + tag.name.replace(" ", "+"),
        "search-page2": "/search/?q=" + tag.name.replace(" ", "+") + "&page=2",
        "search-rare": "/search/?q=" + rare.name.replace(" ", "+"),
        "feed-tag": tag.get_absolute_url() + "feed/",
        "feed-author": Author.objects.get(pk=1).get_absolute_url() + "feed/",
        "feed-section": article.section.get_absolute_url() + "feed/",
        # issue 17: the content API's first page of articles and one article, anonymous.
        "api-list": "/api/v1/articles/",
        "api-detail": f"/api/v1/articles/{article.pk}/",
    }
    try:
        pages["feed"] = reverse("feeds:latest")
    except NoReverseMatch:
        pages["feed"] = "/feeds/latest/"
    return pages


class Server:
    def __init__(self, name, port, env, logs):
        self.name, self.url = name, f"http://127.0.0.1:{port}"
        self.ping = "/__bench__/floor/none/"  # a floor page once one exists (a 404 is logged each time)
        self.log_path = logs / f"gunicorn-{name}.log"
        command = [
            str(PROJECT / ".venv" / "bin" / "gunicorn"),
            "newsroom.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=sync",
            "--backlog=2048",
            "--timeout=60",
            f"--error-logfile={self.log_path}",
        ]
        self.process = subprocess.Popen(command, cwd=PROJECT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/__bench__/floor/none/", timeout=2)
            except urllib.error.HTTPError:
                break  # a 404 from Django: the server answers
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit(f"gunicorn ({name}) did not start; see {self.log_path}")
                time.sleep(0.2)

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return response.status, response.headers.get("Content-Type"), response.read()

    def drain(self, limit=120):
        """Wait until requests queued by the last wrk run are done: a floor request answers promptly."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                urllib.request.urlopen(self.url + self.ping, timeout=limit).read()
            except urllib.error.HTTPError:
                pass
            if time.monotonic() - started < 0.05:
                return
        log(f"  warning: {self.name} still busy after {limit} s")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, args):
    command = [
        "wrk",
        "-t1",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout=10s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        p: float(value) * UNIT[unit]
        for p, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if bad or (errors and re.search(r"timeout [1-9]", errors.group(1))):
        log(f"  warning: {url}: {bad.group(0) if bad else ''} {errors.group(0) if errors else ''}")
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"]}


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    data.setup_django(args.db)
    shape = data.Shape(args.articles, args.tags, args.authors, args.sections)
    started = time.perf_counter()
    data.ensure_database(args.db, shape, rebuild=args.rebuild, log=log)
    log(f"database ready in {time.perf_counter() - started:.0f} s")

    from django.db import connection

    pages = pick_pages()
    if args.pages:
        pages = {name: path for name, path in pages.items() if name in args.pages.split(",")}
    connection.close()

    env = {
        **os.environ,
        "DATABASE_URL": data.admin_url(args.db),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        "BENCH_FLOOR": "1",
        "PYTHONPATH": str(PROJECT),
        # In production the load balancer ends TLS (docs/deployment.md); wrk here speaks plain HTTP.
        "SECURE_SSL_REDIRECT": "0",
    }
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    env["BENCH_FLOOR_DIR"] = str(folder)
    prefix = f"bench-{args.db}"
    variants = {  # server name -> environment; the floor is served by the first
        "uncached": {"PUBLIC_PAGE_CACHE": "0", "REDIS_URL": args.redis, "CACHE_KEY_PREFIX": f"{prefix}-u"},
        "cached": {"REDIS_URL": args.redis, "CACHE_KEY_PREFIX": f"{prefix}-c"},
        "cold": {"DISABLE_CACHE": "1"},
    }
    variants = {name: variants[name] for name in args.variants.split(",")}
    servers = {}
    try:
        for offset, (name, extra) in enumerate(variants.items()):
            servers[name] = Server(name, args.port + offset, {**env, **extra}, folder)
        first = next(iter(servers.values()))

        measured = {}
        for name, path in pages.items():
            try:
                status, content_type, body = first.get(path)
                for server in servers.values():
                    server.get(path)  # warms up (and fills the cache of the cached server)
            except urllib.error.HTTPError as error:
                log(f"skipping {name} ({path}): HTTP {error.code} (not built yet?)")
                continue
            (folder / f"{name}.body").write_bytes(body)
            (folder / f"{name}.type").write_text(content_type)
            measured[name] = path
            for server in servers.values():
                server.ping = f"/__bench__/floor/{name}/"
            log(f"{name}: {path} ({len(body):,} bytes)")

        uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        results = {}  # (page, variant) -> [runs]
        for rep in range(args.reps):
            for name, path in measured.items():
                urls = [("floor", f"{first.url}/__bench__/floor/{name}/")]
                urls += [(variant, server.url + path) for variant, server in servers.items()]
                for variant, url in urls:
                    run = wrk(url, args)
                    for server in servers.values():
                        server.drain()
                    results.setdefault((name, variant), []).append(run)
                    log(
                        f"rep {rep + 1} {name:9} {variant:8} {run['rps']:8.1f} req/s  p50 {run['p50']:.1f} ms"
                    )
        uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    finally:
        for server in servers.values():
            server.stop()

    print(
        f"\n{args.articles:,} articles, {args.tags:,} tags, {args.authors} authors, "
        f"{args.sections} sections; gunicorn 2 sync workers; "
        f"wrk -t1 -c{args.connections} -d{args.duration}s, median of {args.reps}\n"
        f"uptime before: {uptime_before}\nuptime after:  {uptime_after}\n"
    )
    header = ["page", "floor req/s (p50 / p99 ms)"]
    for variant in variants:
        header += [f"{variant} req/s (p50 / p99 ms)", "ratio"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, path in measured.items():
        median = {
            variant: {
                key: statistics.median(run[key] for run in results[(name, variant)])
                for key in ("rps", "p50", "p99")
            }
            for variant in ["floor", *variants]
        }
        floor = median["floor"]["rps"]
        cells = [
            f"{name} `{path}`",
            f"{floor:.0f} ({median['floor']['p50']:.1f} / {median['floor']['p99']:.1f})",
        ]
        for variant in variants:
            m = median[variant]
            cells += [
                f"{m['rps']:.0f} ({m['p50']:.1f} / {m['p99']:.1f})",
                f"{100 * m['rps'] / floor:.1f}%" if floor else "n/a",
            ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
