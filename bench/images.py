"""
Image pipeline benchmark (issue 6).

    .venv/bin/python bench/images.py [--photos 200] [--megapixels 12] [--repeat 3] [--only ingest|command]

1. Ingest of a 24-megapixel JPEG carrying GPS EXIF and XMP: validate, strip metadata, every rendition
   (5 widths x AVIF/WebP/JPEG + the social card) and the rows, through images.ingest.image_from_file,
   against a bare Pillow open + decode + save of the same photo measured in the same run.
2. `manage.py renditions` over N generated photos, run as its own process: images/s with 1 worker, with one
   per core (threads, the default, and processes), the CPU seconds it and its workers used, and the speedup;
   the baseline is a bare Pillow open + decode + save of each photo on one core.

Photos are generated deterministically (seeded noise at two scales over gradients, so they compress like
photographs, not flat colour). Everything runs in a temporary SQLite database and MEDIA_ROOT.
"""

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate_photo(width, height, seed):
    from PIL import Image

    rnd = random.Random(seed)
    coarse = Image.frombytes(
        "RGB", (width // 40, height // 40), rnd.randbytes((width // 40) * (height // 40) * 3)
    )
    coarse = coarse.resize((width, height), Image.Resampling.BICUBIC)
    gradients = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ],
    )
    fine = Image.frombytes("L", (width // 2, height // 2), rnd.randbytes((width // 2) * (height // 2)))
    fine = fine.resize((width, height)).convert("RGB")
    return Image.blend(Image.blend(coarse, gradients, 0.5), fine, 0.12)


def phone_jpeg(image):
    """JPEG bytes with what a phone writes: GPS, camera serial, XMP."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Bench Phone 1"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "BENCH-SERIAL"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (51.0, 30.0, 26.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif, xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    return buffer.getvalue()


def timed(function, repeat):
    """Median wall time, and CPU time of this process (all threads) over wall time for that run."""
    runs = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        function()
        wall = time.perf_counter() - start
        runs.append((wall, (time.process_time() - cpu) / wall))
    return sorted(runs)[len(runs) // 2]


def setup_django(tmp):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_ingest(repeat):
    from PIL import Image as PILImage

    from images.ingest import image_from_file

    photo = generate_photo(6000, 4000, seed=24)
    data = phone_jpeg(photo)
    print(f"24 MP photo: 6000x4000 JPEG, {len(data) / 1e6:.1f} MB, with GPS EXIF and XMP")

    def bare_pillow():
        with PILImage.open(io.BytesIO(data)) as image:
            image.load()
            image.save(io.BytesIO(), "JPEG", quality=92)

    def ingest():
        image_from_file(io.BytesIO(data), alt="bench")

    baseline, _ = timed(bare_pillow, repeat)
    full, cores_used = timed(ingest, repeat)
    print(f"  bare Pillow open + decode + save (baseline)   {baseline:6.2f} s")
    print(f"  ingest: validate, strip, 16 renditions, rows  {full:6.2f} s = {full / baseline:.1f}x baseline")
    print(f"  CPU time / wall time in ingest: {cores_used:.2f} cores busy ({cores_used * full:.2f} CPU s)")
    print(f"  target < 3 s: {'met' if full < 3 else 'NOT met'}")
    from images.models import Image

    Image.objects.all().delete()  # the command part below counts only its own photos
    return baseline, full


def bench_command(photos, megapixels):
    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    from images import processing
    from images.models import Image, Rendition

    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(width * 3 / 4)
    canvas = generate_photo(width * 2, height * 2, seed=12)
    rnd = random.Random(7)
    originals = []
    for n in range(photos):  # distinct photos: windows at random offsets of a larger generated canvas
        x, y = rnd.randrange(width), rnd.randrange(height)
        upload = io.BytesIO(phone_jpeg(canvas.crop((x, y, x + width, y + height))))
        decoded = processing.decode(upload, max_bytes=1 << 30, max_pixels=10**9)
        data, extension = processing.encode_original(decoded)
        originals.append(data)
        image = Image(alt_text=f"photo {n}", width=width, height=height, format="JPEG")
        image.file.save(f"original.{extension}", ContentFile(data), save=False)
        image.save()
    print(f"\nrenditions command: {photos} photos of {width}x{height} ({width * height / 1e6:.0f} MP)")

    def bare_pillow():
        for data in originals:
            with PILImage.open(io.BytesIO(data)) as image:
                image.load()
                image.save(io.BytesIO(), "JPEG", quality=82)

    baseline, _ = timed(bare_pillow, 1)
    print(f"  bare Pillow open + decode + save, 1 core (baseline)  {photos / baseline:6.1f} images/s")

    def run(workers, executor):
        """Run the command as its own process: RUSAGE_CHILDREN then counts it and every worker it reaped."""
        Rendition.objects.all().delete()  # their files go on commit (autocommit here)
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = [sys.executable, str(ROOT / "manage.py"), "renditions", "--missing", "--quiet"]
        command += ["--workers", str(workers), "--executor", executor]
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, load

    results = {}
    for label, workers, executor in [
        ("1 worker (thread)", 1, "threads"),
        ("2 workers (threads)", 2, "threads"),
        ("2 workers (processes)", 2, "processes"),
    ]:
        wall, cpu, load = run(workers, executor)
        results[label] = photos / wall
        # forkserver workers are not our children, so their CPU time is only counted for threads
        usage = ""
        if executor == "threads":
            usage = f"{cpu / photos:5.2f} CPU s/image, {cpu / wall:4.2f} cores busy"
        print(f"  {label:22} {photos / wall:6.2f} images/s  {wall:6.1f} s wall, {usage:36} load {load:.1f}")
    threads = results["2 workers (threads)"] / results["1 worker (thread)"]
    processes = results["2 workers (processes)"] / results["1 worker (thread)"]
    print(f"  speedup over 1 worker: 2 threads {threads:.2f}x, 2 processes {processes:.2f}x")
    ratio = results["2 workers (processes)"] / (photos / baseline)
    print(f"  default (2 processes) vs baseline: {ratio:.2f}x the baseline's images/s")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--megapixels", type=float, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["ingest", "command"], help="Run one part only.")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        setup_django(tmp)
        from PIL import features

        turbo = features.check_feature("libjpeg_turbo")
        print(f"Pillow AVIF: {features.check('avif')}, libjpeg-turbo: {turbo}")
        if args.only != "command":
            bench_ingest(args.repeat)
        if args.only != "ingest":
            bench_command(args.photos, args.megapixels)


if __name__ == "__main__":
    main()
