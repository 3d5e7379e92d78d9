"""
CPU per public page request, in process: Django's test Client against the bench_pages database (DEBUG off),
the way bench/pages.py picks its pages. Wall-clock figures from wrk are noisy on a shared machine; CPU time
of the request (time.process_time, the best of a few batches) and cProfile are steadier guides while working.

    .venv/bin/python bench/page_cpu.py --db pages_bench                        # every page, uncached
    .venv/bin/python bench/page_cpu.py --db pages_bench --pages tag --profile  # cProfile of one page
    .venv/bin/python bench/page_cpu.py --db pages_bench --cached               # served from the page cache
    .venv/bin/python bench/page_cpu.py --db pages_bench --cached --floor       # ... and the floor

Needs the database bench/pages.py built (run it once first) and Redis (--redis; per-generation values such
as page counts are cached there even uncached, as in bench/pages.py's "uncached" variant).
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench import data  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench_pages")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="REDIS_URL")
    parser.add_argument("--pages", default="article,tag,author,home", help="comma-separated page names")
    parser.add_argument("--cached", action="store_true", help="keep rendered pages (PUBLIC_PAGE_CACHE on)")
    parser.add_argument("--requests", type=int, default=30, help="requests per batch")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument(
        "--floor", action="store_true", help="also measure the framework floor serving each page's bytes"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the first page's requests")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    return parser.parse_args()


def main():
    args = parse_args()
    floor_dir = tempfile.mkdtemp(prefix="page-cpu-floor-")
    os.environ.update(
        {
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "ERROR",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": f"bench-cpu-{args.db}-{'c' if args.cached else 'u'}",
            "PUBLIC_PAGE_CACHE": "1" if args.cached else "0",
            "BENCH_FLOOR": "1",
            "BENCH_FLOOR_DIR": floor_dir,
            "SECURE_SSL_REDIRECT": "0",  # the test client speaks plain HTTP, as wrk does in bench/pages.py
        }
    )
    data.setup_django(args.db)
    from django.test import Client

    from bench.pages import pick_pages

    pages = pick_pages()
    client = Client()
    names = args.pages.split(",")
    for name in names:
        path = pages[name]
        runs, response = cpu_per_request(client, path, args)
        line = (
            f"{name:9} CPU per request: best {runs[0]:6.3f} ms, median {runs[len(runs) // 2]:6.3f} ms "
            f"({len(response.content):,} bytes)"
        )
        if args.floor:  # the same bytes from memory through the same middleware (bench/floor.py)
            (Path(floor_dir) / f"{name}.body").write_bytes(response.content)
            (Path(floor_dir) / f"{name}.type").write_text(response["Content-Type"])
            floor, _ = cpu_per_request(client, f"/__bench__/floor/{name}/", args)
            line += f"; floor best {floor[0]:6.3f} ms: the page at {floor[0] / runs[0]:.0%} of the floor"
        print(line)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            client.get(pages[names[0]])
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"\n{names[0]}: {stats.total_calls // args.requests:,} function calls per request")
        stats.sort_stats(args.sort).print_stats(40)


def cpu_per_request(client, path, args):
    """Sorted CPU milliseconds per request of `path`, one figure per batch, and the last response."""
    for _ in range(3):  # warm up: connections, templates, per-generation values
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    runs = []
    for _ in range(args.batches):
        started = time.process_time()
        for _ in range(args.requests):
            client.get(path)
        runs.append(1000 * (time.process_time() - started) / args.requests)
    return sorted(runs), response


if __name__ == "__main__":
    main()
