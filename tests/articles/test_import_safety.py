"""
Hostile XML is refused by every XML importer before any item is read: no entity is expanded, no DTD
loaded, no file or URL fetched. The files are in tests/fixtures/hostile/.
"""

import importlib
import socket
import threading
import time
from pathlib import Path

import pytest

from articles.importers import FORMATS, InvalidInput

HOSTILE = Path(__file__).parent.parent / "fixtures" / "hostile"
XML_FORMATS = ["wxr", "rss", "nitf", "newsml"]


def reader(name):
    return importlib.import_module(FORMATS[name]).read


@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize(
    "hostile, reason",
    [
        ("billion_laughs.xml", "rejected: the DOCTYPE declares entities (lol, lol2, lol3, lol4, lol5, ...)"),
        ("quadratic_blowup.xml", "rejected: the DOCTYPE declares entities (a)"),
        ("external_entity_file.xml", "rejected: the DOCTYPE declares entities (secret)"),
        ("external_entity_url.xml", "rejected: the DOCTYPE declares entities (remote)"),
        ("parameter_entity.xml", "rejected: the DOCTYPE declares entities (remote)"),
        ("dtd_retrieval.xml", "rejected: the DOCTYPE refers to an external DTD (http://127.0.0.1:9/xhtml1-"),
    ],
)
def test_hostile_files_are_rejected_before_any_item_is_read(name, hostile, reason):
    items = reader(name)(HOSTILE / hostile)
    started = time.perf_counter()

    with pytest.raises(InvalidInput) as error:
        next(items)

    assert error.value.reason.startswith(reason)
    assert error.value.line == 1
    # Not a benchmark: an expanded billion laughs would take minutes and gigabytes, so a generous bound
    # proves that nothing was expanded.
    assert time.perf_counter() - started < 1


def test_an_entity_used_in_an_attribute_of_the_root_is_rejected_too(tmp_path):
    path = tmp_path / "feed.xml"
    laughs = (HOSTILE / "billion_laughs.xml").read_text()
    path.write_text(laughs.replace("<rss>", '<rss a="&lol9;">'))

    with pytest.raises(InvalidInput, match="^rejected: "):
        list(reader("rss")(path))


def test_hostile_files_in_utf_16_are_rejected_as_well(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes((HOSTILE / "external_entity_file.xml").read_text().encode("utf-16"))

    with pytest.raises(InvalidInput, match=r"^rejected: the DOCTYPE declares entities \(secret\)"):
        list(reader("rss")(path))


def test_no_file_content_leaks_when_entities_are_not_declared_but_used(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel><item><guid>1</guid><title>&secret;</title></item></channel></rss>")

    with pytest.raises(InvalidInput, match="not well-formed XML: Entity 'secret' not defined") as error:
        list(reader("rss")(path))

    assert error.value.line == 1


@pytest.fixture
def listener():
    """A TCP server on a free loopback port that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY remote SYSTEM "http://127.0.0.1:{port}/secret">]>',
        '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %remote;]>',
        '<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/rss.dtd">',
    ],
)
def test_no_network_request_is_ever_made(tmp_path, listener, name, doctype):
    port, connections = listener
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        + doctype.format(port=port)
        + "\n<rss><channel><item><guid>1</guid><title>&remote;</title></item></channel></rss>"
    )

    with pytest.raises(InvalidInput, match="^rejected: "):
        list(reader(name)(path))

    time.sleep(0.05)
    assert connections == []
