"""
Parse-only benchmark of the archive and wire readers (no database): for each format, generate N items
with bench/formats.py, then read them in a fresh process and print items/s and that process's peak
memory (ru_maxrss) next to its memory before parsing. Memory must stay flat as N grows: run with
several sizes (`--sizes 20000 100000`) and compare.

    DEBUG=1 .venv/bin/python -m bench.parse_formats --sizes 20000 100000
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import django

FORMATS = ["csv", "wxr", "rss", "nitf", "newsml"]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()


def _parse(name: str, path: str, pipe) -> None:
    _setup()
    from ingest.importers import Failure, Record, format_module

    read = format_module(name).read
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    records = failures = 0
    for item in read(Path(path)):
        if isinstance(item, Record):
            records += 1
        elif isinstance(item, Failure):
            failures += 1
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pipe.send((records, failures, seconds, before // 1024, peak // 1024))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--formats", nargs="+", default=FORMATS, choices=FORMATS)
    parser.add_argument("--keep", help="directory to write the generated files to (kept)")
    args = parser.parse_args(argv)
    _setup()
    from bench.formats import SUFFIXES, WRITERS

    context = multiprocessing.get_context("spawn")  # a clean process per run: its own peak memory
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-formats-"))
    directory.mkdir(parents=True, exist_ok=True)
    columns = ["items", "file MB", "seconds", "items/s", "RSS before", "peak RSS"]
    print(f"{'format':8} " + " ".join(f"{c:>{max(len(c), 8)}}" for c in columns))
    for name in args.formats:
        for n in args.sizes:
            path = directory / f"{name}-{n}{SUFFIXES[name]}"
            if not path.exists():
                WRITERS[name](path, n)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_parse, args=(name, str(path), send))
            process.start()
            records, failures, seconds, before, peak = receive.recv()
            process.join()
            assert records == n and failures == 0, (name, records, failures)
            size = path.stat().st_size / 1e6
            print(
                f"{name:8} {records:>8,} {size:>8.0f} {seconds:>8.1f} {records / seconds:>9,.0f} "
                f"{before:>8} MB {peak:>6} MB",
                flush=True,
            )
            if not args.keep:
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
