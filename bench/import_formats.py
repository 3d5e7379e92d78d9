"""
The archive and wire formats end to end on PostgreSQL, run by `bench/import_export.py --formats ...`.

For each format: the same N deterministic articles (bench/formats.py) written in that format and as
JSON Lines; a fresh database; the baselines of bench/measuring.py on those same rows (a plain COPY,
the ceiling, with no trigger; the same COPY followed by the search vectors computed in SQL; and a bare
bulk_create; none with --skip-baselines), in the same run; then
`import_articles --format <name>` (all new) and again (all unchanged), each in its own process, with its
peak RSS and CPU time and the CPU time of the PostgreSQL backend serving it.
"""

import subprocess
import time
from pathlib import Path

from bench.formats import SUFFIXES, WRITERS, write_jsonl
from bench.measuring import baselines, measure, recreate_database

FORMATS = list(WRITERS)


def run_formats(names, *, n, env, python, manage, database_url, root, tmp, bulk_create=True, baseline=True):
    results = []
    for name in names:
        started = time.perf_counter()
        data = WRITERS[name](Path(tmp) / f"bench{SUFFIXES[name]}", n)
        same_rows = write_jsonl(Path(tmp) / f"bench-{name}.jsonl", n)
        print(f"{name}: generated {n:,} articles ({data.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        recreate_database(database_url)
        subprocess.run([python, manage, "migrate", "-v0"], env=env, cwd=root, check=True)
        base = baselines(same_rows, n, bulk_create=bulk_create)[0] if baseline else {}
        command = [python, manage, "import_articles", str(data), "--quiet", "--format", name]
        seconds, rss, cpu, server, out = measure(command, env, database_url)
        assert out.strip().endswith(f"created {n}, updated 0, unchanged 0, failed 0"), out
        again, again_rss, again_cpu, again_server, out = measure(command, env, database_url)
        assert out.strip().endswith(f"created 0, updated 0, unchanged {n}, failed 0"), out
        results.append((name, base, seconds, rss, cpu, server, again, again_rss, again_cpu, again_server))
        data.unlink()
        same_rows.unlink()
        print(
            f"{name}: import {n / seconds:,.0f}/s (CPU {cpu:.1f}/{server:.1f} s), "
            f"re-import {n / again:,.0f}/s (CPU {again_cpu:.1f}/{again_server:.1f} s)",
            flush=True,
        )

    print(f"\nFormats, N = {n:,} articles each; CPU: the command's process / its PostgreSQL backend")
    print("COPY: bare (no triggers); COPY+vec: bare COPY, then the search vectors in one SQL UPDATE")
    print(f"{'format':<7} {'import/s':>8} {'CPU s':>11} {'peak RSS':>9} {'COPY/s':>7} {'ratio':>6} "
          f"{'COPY+vec/s':>10} {'ratio':>6} {'bulk_create/s':>13} {'ratio':>6} {'re-import/s':>11} "
          f"{'CPU s':>11} {'peak RSS':>9}")  # fmt: skip
    for name, base, seconds, rss, cpu, server, again, again_rss, again_cpu, again_server in results:
        rate = n / seconds
        copy = (
            f"{n / base['copy']:7,.0f} {rate / (n / base['copy']):5.2f}x"
            if "copy" in base
            else f"{'-':>7} {'-':>6}"
        )
        vectors = (
            f"{n / base['copy_vector']:10,.0f} {rate / (n / base['copy_vector']):5.2f}x"
            if "copy_vector" in base
            else f"{'-':>10} {'-':>6}"
        )
        bulk = (
            f"{n / base['bulk_create']:13,.0f} {rate / (n / base['bulk_create']):5.2f}x"
            if "bulk_create" in base
            else f"{'-':>13} {'-':>6}"
        )
        print(
            f"{name:<7} {rate:8,.0f} {cpu:5.0f}/{server:<5.0f} {rss:5.0f} MiB {copy} {vectors} "
            f"{bulk} {n / again:11,.0f} {again_cpu:5.1f}/{again_server:<5.1f} {again_rss:5.0f} MiB"
        )
