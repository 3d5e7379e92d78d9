"""A minimal format for the tests of the Skipped mechanism: each line is 'article <id>' or 'page <id>'."""

from ingest.importers import Record, Skipped

EXTENSIONS = (".lines",)


def sniff(head: bytes) -> bool:
    return False


def read(path):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        kind, ident = line.split()
        if kind == "article":
            yield Record(external_id=ident, headline=f"Article {ident}", line=number)
        else:
            yield Skipped(number, f"a {kind} is not an article", kind)
