"""Helpers for the import/export tests: run a command and see what an operator would see."""

from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE = FIXTURES / "hill" / "000_03d6219c7e6dd54c.txt"
SAMPLE_TAGS = [
    "Afghanistan",
    "Donald Trump",
    "Joe Biden",
    "Joint Chiefs of Staff",
    "Kremlin",
    "Lloyd Austin",
    "Mark Milley",
    "Russia",
    "Russian Armed Forces",
    "U.S. military",
    "Vladimir Putin",
]


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    @property
    def summary(self):
        return self.out.strip().splitlines()[-1] if self.out.strip() else ""

    @property
    def errors(self):
        return [line for line in self.err.splitlines() if line and not line.startswith("progress:")]


def run(command, *args, **options):
    """call_command, returning the exit status it would have and both output streams."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err, **options)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(f"CommandError: {error}\n")
    return Result(code, out.getvalue(), err.getvalue())


def import_articles(*args, **options):
    options.setdefault("quiet", True)
    return run("import_articles", *args, **options)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
