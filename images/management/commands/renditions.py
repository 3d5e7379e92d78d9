"""
Generate image renditions for images already in the library, on every core.

    manage.py renditions            same as --missing: only renditions an image lacks (idempotent)
    manage.py renditions --all      re-render every rendition (after changing sizes or quality settings)
    manage.py renditions --check-files   also re-render renditions whose rows exist but files do not
                                    (say, after restoring media from an older backup)

Workers only run Pillow (images.processing.render_stored: bytes in, encoded files out), in threads by default
processes by default (or threads: Pillow releases the GIL in decode, resize and encode); this process reads
originals, writes files and rows, so storage and database connections stay in one place. Each image's
results are stored under a row lock that re-checks what exists, so concurrent runs never store one twice.
"""

import collections
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from images import processing
from images.models import Image, Rendition


class Command(BaseCommand):
    help = "Generate missing image renditions (--missing, the default) or re-render all of them (--all)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--missing", action="store_true", help="Only what is missing (the default).")
        which.add_argument("--all", action="store_true", help="Re-render every rendition of every image.")
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 2, help="Parallel workers (default: one a core)."
        )
        parser.add_argument(
            "--executor",
            choices=["processes", "threads"],
            default="processes",
            help="Worker kind. Processes (default) scaled best in bench/images.py on a busy machine, where "
            "threads lose time handing the GIL back and forth between Pillow calls.",
        )
        parser.add_argument(
            "--check-files",
            action="store_true",
            help="With --missing: also treat a rendition whose file is gone from storage as missing (one "
            "existence check per rendition: a HEAD request each on S3).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        replace = options["all"]
        pks = list(Image.objects.order_by("pk").values_list("pk", flat=True))
        progress = tqdm(
            total=len(pks),
            unit="image",
            file=sys.stderr,
            disable=options["quiet"] or not sys.stderr.isatty(),
        )
        self.written = self.failed = 0
        jobs = self.plan(pks, replace, progress, check_files=options["check_files"])
        window = options["workers"] * 2  # originals read ahead of the workers, not all at once
        with progress, self.executor(options["executor"], options["workers"]) as pool:
            pending = collections.deque()

            def feed():
                while len(pending) < window and (job := next(jobs, None)):
                    image, widths, social = job
                    if (data := self.read(image)) is not None:
                        future = pool.submit(processing.render_job, (data, widths, social, image.focal))
                        pending.append((image, future))

            feed()
            while pending:
                image, future = pending.popleft()
                feed()  # keep the workers busy while this process stores the results
                self.store(image, future, replace)
                progress.update()
        self.stdout.write(f"{len(pks)} images, {self.written} renditions written, {self.failed} failed")
        if self.failed:
            raise CommandError(f"{self.failed} images failed", returncode=1)

    def plan(self, pks, replace, progress, *, check_files=False, batch=200):
        """(image, widths, social) for every image with work to do; others only advance the progress bar."""
        for start in range(0, len(pks), batch):
            chunk = Image.objects.with_renditions().filter(pk__in=pks[start : start + batch]).order_by("pk")
            for image in chunk:
                planned = image.planned_renditions()
                if not replace:
                    renditions = list(image.renditions.all())
                    if check_files:
                        renditions = self.drop_lost_files(image, renditions)
                    planned -= {(r.kind, r.width, r.format) for r in renditions}
                if planned:
                    widths = sorted({width for kind, width, _ in planned if kind == "width"})
                    yield image, widths, any(kind == "social" for kind, _, _ in planned)
                else:
                    progress.update()

    def drop_lost_files(self, image, renditions):
        """Delete the rows of renditions whose files are gone (pages then skip them until re-rendered)."""
        lost = [r for r in renditions if not r.file.storage.exists(r.file.name)]
        if lost:
            Rendition.objects.filter(pk__in=[r.pk for r in lost]).delete()
            getattr(image, "_prefetched_objects_cache", {}).pop("renditions", None)
        return [r for r in renditions if r not in lost]

    def store(self, image, future, replace):
        try:
            self.written += image.store_renditions(future.result(), replace=replace)
            if replace:
                image.drop_stale_renditions()
        except Exception as error:  # one bad original must not stop the others
            self.failed += 1
            self.stderr.write(f"image {image.pk} ({image.file.name}): {error}")

    def read(self, image):
        try:
            with image.file.open("rb") as fileobj:
                return fileobj.read()
        except OSError as error:
            self.failed += 1
            self.stderr.write(f"image {image.pk}: cannot read {image.file.name}: {error}")
            return None

    @staticmethod
    def executor(kind, workers):
        if kind == "threads":
            return ThreadPoolExecutor(max_workers=workers)
        # forkserver: workers start from a clean interpreter, never a fork of this (threaded) process.
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
