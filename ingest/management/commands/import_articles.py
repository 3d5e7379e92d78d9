"""
Import articles from files in any format of ``ingest.importers.FORMATS``.

Files are read as streams; records are written in batches by ``ingest.importers.save.Importer``
(one transaction per batch, every article atomic). Failures are reported as ``path:line: reason`` on
stderr as they happen and counted; the run goes on. Once everything is written, stdout has one line per
file (its counts, or why it holds no article) and, last, the summary; ``--report`` writes every item's
outcome as JSON Lines. The exit status is 1 when anything failed.
"""

import os
import threading
import time
from collections import Counter
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.models import Status
from ingest.importers import (
    FORMATS,
    Failure,
    InvalidInput,
    NoItems,
    Skipped,
    detect_format,
    format_module,
)
from ingest.importers.save import (
    CREATED,
    FAILED,
    IMAGE_NOT_ATTACHED,
    KEPT_LOCAL_EDITS,
    OLDER_VERSION,
    UNCHANGED,
    UPDATED,
    Importer,
)


class Command(BaseCommand):
    help = (
        "Import articles from files or directories (recursed, in name order). Reports every failure as "
        "path:line: reason and ends with 'created N, updated N, unchanged N, failed N'; "
        "exits 1 if any failed."
    )
    missing_args_message = "name at least one file or directory to import"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="input format; auto (default) decides per file by extension, then by content",
        )
        parser.add_argument(
            "--status",
            default=Status.DRAFT,
            choices=[Status.DRAFT, Status.PUBLISHED],
            help="status of records that carry none (default draft); published dates them now if undated",
        )
        parser.add_argument("--source", default="", help="source name for records that carry none")
        parser.add_argument("--dry-run", action="store_true", help="parse and validate; write nothing")
        parser.add_argument(
            "--overwrite-local-edits",
            action="store_true",
            help="update articles even if an editor changed them since they were imported",
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="download lead images named by http(s) URL (otherwise the URL is only recorded)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress output")
        parser.add_argument(
            "--progress-every",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="when stderr is not a terminal, print a progress line this often (default 10)",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="articles per transaction")
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE.jsonl",
            help="write one JSON line per item: path, line, external_id, outcome, reason",
        )

    def handle(self, *args, paths, format, status, source, dry_run, overwrite_local_edits, quiet, **options):
        if format != "auto" and format not in FORMATS:  # call_command() skips argparse's choices
            raise CommandError(f"unknown format {format!r}; choose from {', '.join(['auto', *FORMATS])}")
        if status not in (Status.DRAFT, Status.PUBLISHED):
            raise CommandError(f"--status must be draft or published, not {status!r}")
        self.format_name = format
        self.quiet = quiet
        self.progress_every = options["progress_every"]
        self.tty = self.stderr._out.isatty() and not quiet
        # A terminal that reports no size (some ptys) would make tqdm draw nothing.
        self.ncols = None if self.tty and _columns(self.stderr._out) else 100
        self.bars = []
        self.results: dict[Path, Counter] = {}  # per file: outcome -> number, in the order files come
        self.no_items: dict[Path, str] = {}  # why a file holds no article item
        self.report = self.open_report(options.get("report"))
        self.report_lock = threading.Lock()  # outcomes come from the writer thread too
        self.importer = Importer(
            default_status=status,
            default_source=source,
            dry_run=dry_run,
            overwrite_local_edits=overwrite_local_edits,
            batch_size=options["batch_size"],
            on_failure=self.report_failure,
            on_outcome=self.record_outcome,
            fetch_images=options.get("fetch_images", False),
        )
        self.skipped = {}
        self.done = 0
        self.started = self.last_progress = time.monotonic()

        files = self.collect([Path(p) for p in paths])
        self.overall = self.bar(files, position=0, desc="overall")
        try:
            for index, path in enumerate(files, start=1):
                self.current = f"{path} ({index}/{len(files)})"
                self.import_file(path)
            self.importer.close()
        except KeyboardInterrupt:
            self.importer.abandon()
            self.close_bars()
            self.close_report()
            written = self.importer.counts[CREATED] + self.importer.counts[UPDATED]
            raise CommandError(
                f"interrupted after {written} articles written; nothing read after them was saved, and "
                "no article is half-written. Run the same command again to finish.",
                returncode=130,
            ) from None
        self.close_bars()
        self.close_report()

        if options["verbosity"] > 0:
            for path, counts in self.results.items():
                self.stdout.write(self.file_result(path, counts))
            self.stdout.write(self.summary(dry_run))
        failed = self.importer.counts[FAILED]
        if failed:
            raise CommandError(f"{failed} failed to import (see the messages above)", returncode=1)

    # --- files ---------------------------------------------------------------------------------------

    def collect(self, paths):
        """Every file to read, in order; missing paths are failures."""
        claimed = {
            ext for name in ([self.format_name] if self.format_name != "auto" else FORMATS)
            for ext in format_module(name).EXTENSIONS
        }  # fmt: skip
        files = []
        for path in paths:
            if path.is_dir():
                found = sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in claimed
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
                files += found
            elif path.exists():
                files.append(path)
            else:
                self.results.setdefault(path, Counter())
                self.importer.fail(path, None, "no such file or directory")
        return files

    def import_file(self, path):
        self.results.setdefault(path, Counter())
        try:
            if path.stat().st_size == 0:
                raise InvalidInput("empty file")
            fmt = self.format_name if self.format_name != "auto" else detect_format(path)
            module = format_module(fmt)
            total = module.count(path) if self.tty and hasattr(module, "count") else None
            # read_deferred: the records of items the database already has unchanged are never built
            read = getattr(module, "read_deferred", module.read)
            with self.file_bar(path, total) as bar:
                for item in read(path):
                    if isinstance(item, Failure):
                        self.importer.fail(path, item.line, item.reason)
                    elif isinstance(item, NoItems):
                        self.no_items[path] = item.reason
                        continue
                    elif isinstance(item, Skipped):
                        key = (fmt, item.kind)
                        self.skipped[key] = self.skipped.get(key, 0) + 1
                        self.results[path][f"skipped {fmt} {item.kind}"] += 1
                        self.write_report(path, item.line, "", f"skipped {item.kind}", item.reason)
                    else:
                        self.importer.add(item, path=path, format_name=fmt)
                    self.tick(bar)
        except InvalidInput as error:
            self.importer.fail(path, error.line, error.reason)
        except OSError as error:
            self.importer.fail(path, None, f"cannot read: {error.strerror or error}")

    # --- output --------------------------------------------------------------------------------------

    def record_outcome(self, path, line, external_id, outcome, reason):
        self.results.setdefault(path, Counter())[outcome] += 1
        self.write_report(path, line, external_id, outcome, reason)

    def open_report(self, path):
        if path is None:
            return None
        try:
            return path.open("wb")
        except OSError as error:
            raise CommandError(f"--report {path}: cannot write: {error.strerror or error}") from None

    def write_report(self, path, line, external_id, outcome, reason):
        if self.report is None:
            return
        entry = {
            "path": str(path),
            "line": line,
            "external_id": external_id,
            "outcome": outcome,
            "reason": reason,
        }
        with self.report_lock:
            self.report.write(orjson.dumps(entry) + b"\n")

    def close_report(self):
        if self.report is not None:
            self.report.close()

    def file_result(self, path, counts):
        """`path: created N, ...` (the summary's parts for one file), or why it holds no article item."""
        if path in self.no_items and not counts:
            return f"{path}: 0 items: {self.no_items[path]}"
        return f"{path}: {', '.join(_parts(counts))}"

    def report_failure(self, path, line, reason):
        where = f"{path}:{line}" if line else f"{path}"
        message = f"{where}: {reason}"
        if self.tty and self.bars:
            tqdm.write(message, file=self.stderr._out)
        else:
            self.stderr.write(message)

    def summary(self, dry_run):
        counts = Counter(self.importer.counts)
        for (fmt, kind), number in self.skipped.items():
            counts[f"skipped {fmt} {kind}"] = number
        line = ", ".join(_parts(counts))
        return f"{line} (dry run: nothing written)" if dry_run else line

    def bar(self, files, *, position, desc):
        if not self.tty:
            return None
        totals = []
        for path in files:
            try:
                fmt = self.format_name if self.format_name != "auto" else detect_format(path)
                module = format_module(fmt)
                totals.append(module.count(path) if hasattr(module, "count") else None)
            except (InvalidInput, OSError):
                totals.append(0)
        total = None if None in totals else sum(totals)
        bar = tqdm(
            total=total,
            desc=desc,
            unit=" articles",
            position=position,
            file=self.stderr._out,
            ncols=self.ncols,
        )
        self.bars.append(bar)
        return bar

    def file_bar(self, path, total):
        if not self.tty:
            return _NoBar()
        bar = tqdm(
            total=total,
            desc=path.name[-30:],
            unit=" articles",
            position=1,
            leave=False,
            file=self.stderr._out,
            ncols=self.ncols,
        )
        return bar

    def tick(self, bar):
        self.done += 1
        if self.tty:
            bar.update()
            self.overall.update()
        elif not self.quiet:
            now = time.monotonic()
            if now - self.last_progress >= self.progress_every:
                self.last_progress = now
                rate = self.done / max(now - self.started, 1e-9)
                self.stderr.write(f"progress: {self.done} articles read ({rate:,.0f}/s), {self.current}")

    def close_bars(self):
        for bar in self.bars:
            bar.close()
        self.bars = []


def _parts(counts) -> list[str]:
    """`created N, updated N, unchanged N, failed N`, then the other outcomes that happened."""
    parts = [f"{name} {counts[name]}" for name in (CREATED, UPDATED, UNCHANGED, FAILED)]
    parts += [
        f"{name} {counts[name]}"
        for name in (KEPT_LOCAL_EDITS, IMAGE_NOT_ATTACHED, OLDER_VERSION)
        if counts[name]
    ]
    parts += [f"{name} {number}" for name, number in sorted(counts.items()) if name.startswith("skipped ")]
    return parts


def _columns(stream):
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        return 0


class _NoBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
