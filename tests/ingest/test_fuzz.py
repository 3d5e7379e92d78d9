"""
Property: whatever bytes a file holds, every importer either yields records, failures and skips, or
raises InvalidInput for the whole file. No other exception ever escapes a reader. The inputs are random
bytes and the valid fixtures of each format with bytes flipped, inserted, deleted, duplicated or cut.
And a format's read_deferred, its items built, gives exactly what its read gives, whatever the bytes.
"""

import importlib
import importlib.util
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.importers import FORMATS, Deferred, Failure, InvalidInput, NoItems, Record, Skipped
from ingest.importers.values import problem

FIXTURES = Path(__file__).parent.parent / "fixtures"
AVAILABLE = [name for name, module in FORMATS.items() if importlib.util.find_spec(module) is not None]
DEFERRED = [name for name in AVAILABLE if hasattr(importlib.import_module(FORMATS[name]), "read_deferred")]


def seeds(name):
    """The format's fixtures and its real-shaped corpus (tests/fixtures/realworld/<format>/)."""
    paths = [*(FIXTURES / name).glob("*"), *(FIXTURES / "realworld" / name).glob("*")]
    return sorted(p.read_bytes() for p in paths if p.is_file())


@st.composite
def mutated(draw, originals):
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        if action == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(
                st.sampled_from([b"<", b">", b"&", b'"', b"\n", b"\x00", b"\xff", b"]]>", b"<!--", b","])
                | st.binary(max_size=8)
            )
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif action == "duplicate":
            data[position:position] = data[position : position + draw(st.integers(1, 200))]
        elif action == "truncate":
            del data[position:]
    return bytes(data)


def check(name, content: bytes, suffix: str):
    read = importlib.import_module(FORMATS[name]).read
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input{suffix}"
        path.write_bytes(content)
        try:
            for item in read(path):
                assert isinstance(item, Record | Failure | Skipped | NoItems), item
                if isinstance(item, Record):
                    assert problem(item) is None or item.raw_tag_line  # records are always saveable
        except InvalidInput as error:
            assert error.reason


PROPERTY = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("name", AVAILABLE)
@PROPERTY
@given(data=st.data())
def test_mutated_valid_files_import_or_fail_with_an_import_error(name, data):
    originals = seeds(name) or [b""]
    module = importlib.import_module(FORMATS[name])
    check(name, data.draw(mutated(originals)), module.EXTENSIONS[0])


@pytest.mark.parametrize("name", AVAILABLE)
@PROPERTY
@given(content=st.binary(max_size=2000))
def test_random_bytes_import_or_fail_with_an_import_error(name, content):
    module = importlib.import_module(FORMATS[name])
    check(name, content, module.EXTENSIONS[0])


def everything(items) -> list:
    """
    What a reader yields, deferred items built, and how it ends (an InvalidInput, or not). A deferred
    item is built twice: as it is read (from its parsed element) and at the end (from its bytes); both
    must give the same.
    """
    result, deferred = [], []
    try:
        for item in items:
            if isinstance(item, Deferred):
                deferred.append((len(result), item))
                item = item.build()
            result.append(item)
    except InvalidInput as error:
        result.append(("InvalidInput", error.reason, error.line))
    for position, item in deferred:
        assert item.build() == result[position]
    return result


@pytest.mark.parametrize("name", DEFERRED)
@PROPERTY
@given(data=st.data())
def test_read_deferred_builds_what_read_reads_from_mutated_files(name, data):
    module = importlib.import_module(FORMATS[name])
    content = data.draw(mutated(seeds(name) or [b""]))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input{module.EXTENSIONS[0]}"
        path.write_bytes(content)
        assert everything(module.read_deferred(path)) == everything(module.read(path))
