"""
Import/export benchmark on PostgreSQL.

    .venv/bin/python bench/import_export.py [--n 20000] [--database-url postgres://postgres@127.0.0.1:5432/bench_imports]

1. generates N deterministic articles as JSON Lines (bench/formats.py: realistic text from bench/text.py,
   300-1,500 words each; 3,000 tags with a Zipf long tail, 2-8 per article; 400 authors, 1-3 per
   article; 12 sections);
2. drops and re-creates the database named in --database-url and migrates it (and drops it at the
   end unless --keep);
3. baselines, in this process: the same rows written with a bare COPY (no triggers: the ceiling), the
   same COPY followed by the search vectors computed in SQL (what any full-text import must pay), and a
   bare ORM bulk_create (no validation, sanitizing, matching or slugs), each followed by TRUNCATE;
4. times `import_articles` (all new), `import_articles` again (all unchanged) and `export_articles`,
   each in its own subprocess, reporting articles/s and the subprocess's peak RSS (ru_maxrss from
   wait4, i.e. the whole Python process including Django, not only the data);
5. prints a table with ratios to the COPY and bulk_create baselines, and the load average.

`--formats csv wxr rss nitf newsml` runs the same for the archive and wire formats first
(bench/import_formats.py); `--formats-only` skips the JSON Lines phases.

The machine may be shared: compare ratios, and look at the load printed with the figures.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.formats import write_jsonl  # noqa: E402
from bench.measuring import baselines, drop_database, measure, recreate_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_imports"),
    )
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--copy-baseline-only", action="store_true", help="measure the COPY baseline but not bulk_create"
    )
    parser.add_argument(
        "--formats", nargs="+", default=[], metavar="FORMAT",
        help="also import N articles in each of these formats: csv wxr rss nitf newsml",
    )  # fmt: skip
    parser.add_argument("--formats-only", action="store_true", help="skip the JSON Lines phases")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    options = parser.parse_args()

    # DEBUG off, as in production (with DEBUG on, Django also keeps a log of recent queries).
    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "SECRET_KEY": "bench-only",
        "CONN_MAX_AGE": "0",
    }
    env.pop("DEBUG", None)
    env.pop("REDIS_URL", None)
    # Compiled bytecode, as an installed deployment has it: with PYTHONDONTWRITEBYTECODE set (some shells
    # and CI images set it) every command would recompile the project's modules, ~0.1 s of each start-up.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update(env)
    os.environ.pop("DEBUG", None)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    python = sys.executable
    manage = str(ROOT / "manage.py")
    n = options.n

    if options.formats:
        from bench.import_formats import run_formats

        with tempfile.TemporaryDirectory() as tmp:
            run_formats(
                options.formats, n=n, env=env, python=python, manage=manage,
                database_url=options.database_url, root=ROOT, tmp=tmp,
                bulk_create=not options.copy_baseline_only, baseline=not options.skip_baselines,
            )  # fmt: skip
        if options.formats_only:
            return

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "articles.jsonl"
        started = time.perf_counter()
        write_jsonl(data, n)
        print(
            f"generated {n:,} articles ({data.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        recreate_database(options.database_url)
        subprocess.run([python, manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)

        base, base_cpu = (
            ({}, {})
            if options.skip_baselines
            else baselines(data, n, bulk_create=not options.copy_baseline_only)
        )
        # The fixed cost of a command (Python, Django, connecting): an import of nothing.
        empty = Path(tmp) / "empty"
        empty.mkdir()
        startup = measure(
            [python, manage, "import_articles", str(empty), "--quiet"], env, options.database_url
        )
        phases = []
        command = [python, manage, "import_articles", str(data), "--quiet", "--format", "jsonl"]
        url = options.database_url
        seconds, rss, cpu, server, out = measure(command, env, url)
        assert out.strip().endswith(f"created {n}, updated 0, unchanged 0, failed 0"), out
        phases.append(("import (all new)", seconds, rss, cpu, server))
        seconds, rss, cpu, server, out = measure(command, env, url)
        assert out.strip().endswith(f"created 0, updated 0, unchanged {n}, failed 0"), out
        phases.append(("re-import (all unchanged)", seconds, rss, cpu, server))
        exported = Path(tmp) / "export.jsonl"
        seconds, rss, cpu, server, out = measure(
            [python, manage, "export_articles", "--output", str(exported), "-v0"], env, url
        )
        lines = sum(1 for _ in exported.open("rb"))
        assert lines == n, lines
        phases.append(("export", seconds, rss, cpu, server))

    if not options.keep:
        drop_database(options.database_url)
    load = os.getloadavg()
    print(
        f"\nN = {n:,} articles; PostgreSQL {urlsplit(options.database_url).path[1:]}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs"
    )
    print(
        f"{'phase':<26} {'seconds':>7} {'articles/s':>10} {'CPU client':>10} {'CPU server':>10} "
        f"{'CPU-bound rate':>14} {'peak RSS':>8}  ratios to baselines"
    )
    for name, seconds in base.items():
        client, server = base_cpu[name]
        print(
            f"baseline {name:<17} {seconds:7.2f} {n / seconds:10,.0f} {client:9.1f}s {server:9.1f}s "
            f"{n / (client + server):14,.0f}"
        )
    for name, seconds, rss, cpu, server in phases:
        rate = n / seconds
        ratios = "  ".join(f"{rate / (n / s):.2f}x {k}" for k, s in base.items())
        print(
            f"{name:<26} {seconds:7.2f} {rate:10,.0f} {cpu:9.1f}s {server:9.1f}s "
            f"{n / (cpu + server):14,.0f} {rss:4.0f} MiB  {ratios}"
        )
    seconds, rss, cpu, server, _ = startup
    print(
        f"{'start-up (import nothing)':<26} {seconds:7.2f} {'':>10} {cpu:9.1f}s {server:9.1f}s {'':>14}",
        end="",
    )
    print(f" {rss:4.0f} MiB")
    for name, _seconds, _rss, phase_cpu, phase_server in phases:
        net = phase_cpu - cpu + phase_server
        print(
            f"  {name.split(' (')[0] + ', net':<24} {'':>18} {phase_cpu - cpu:9.1f}s {phase_server:9.1f}s"
            f" {f'{n / net:,.0f}' if net > 0 else 'n/a (N too small)':>14}"
        )
    print(
        "CPU client: user+sys of the command's process; CPU server: of the PostgreSQL backend serving it"
        " (sampled every 50 ms);\nCPU-bound rate: N / (client + server CPU), the rate on an otherwise idle"
        " machine if nothing else (disk, locks) limits it; peak RSS: ru_maxrss of the command's process."
    )


if __name__ == "__main__":
    main()
