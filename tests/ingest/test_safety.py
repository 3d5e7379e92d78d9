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

from ingest.importers import FORMATS, InvalidInput

HOSTILE = Path(__file__).parent.parent / "fixtures" / "hostile"
XML_FORMATS = ["wxr", "rss", "nitf", "newsml"]


def reader(name):
    return importlib.import_module(FORMATS[name]).read


ENTITIES_NOT_ALLOWED = (
    "entity declarations are not allowed (they enable billion-laughs and quadratic-blowup attacks)"
)


# The reason and the line are the safe-XML layer's own, pinned exactly: they must not change with the
# libxml2 that lxml ships (lxml 6.2's libxml2 stops entity amplification itself, at a later line).
@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize(
    "hostile, line, reason",
    [
        (
            "billion_laughs.xml",
            3,
            "rejected: the DOCTYPE declares entities (lol, lol2, lol3, lol4, lol5, ...): "
            + ENTITIES_NOT_ALLOWED,
        ),
        ("quadratic_blowup.xml", 2, f"rejected: the DOCTYPE declares entities (a): {ENTITIES_NOT_ALLOWED}"),
        (
            "external_entity_file.xml",
            2,
            "rejected: the DOCTYPE declares external entities (secret -> file:///etc/passwd): "
            "they would read local files or URLs into the import",
        ),
        (
            "external_entity_url.xml",
            2,
            "rejected: the DOCTYPE declares external entities (remote -> http://127.0.0.1:9/secret.txt): "
            "they would read local files or URLs into the import",
        ),
        (
            "parameter_entity.xml",
            2,
            "rejected: the DOCTYPE declares parameter entities (%remote -> http://127.0.0.1:9/evil.dtd): "
            "they would load DTD text from elsewhere",
        ),
    ],
)
def test_hostile_files_are_rejected_before_any_item_is_read(name, hostile, line, reason):
    items = reader(name)(HOSTILE / hostile)
    started = time.perf_counter()

    with pytest.raises(InvalidInput) as error:
        next(items)

    assert error.value.reason == reason
    assert error.value.line == line
    # Not a benchmark: an expanded billion laughs would take minutes and gigabytes, so a generous bound
    # proves that nothing was expanded.
    assert time.perf_counter() - started < 1


def test_a_parameter_entity_reference_alone_is_rejected(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [\n  %remote;\n]>\n<rss><channel/></rss>\n')

    with pytest.raises(InvalidInput) as error:
        list(reader("rss")(path))

    assert error.value.line == 3
    assert error.value.reason.startswith("rejected: the DOCTYPE uses parameter entities (%remote;)")


def test_declarations_inside_comments_and_literals_are_not_mistaken_for_entities(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- <!ENTITY no "comment"> -->\n'
        "<!DOCTYPE rss [\n  <!-- <!ENTITY no 'comment'> -->\n"
        "  <!NOTATION note SYSTEM \"<!ENTITY no 'literal'> ]>\">\n]>\n"
        "<rss><channel><item><guid>1</guid><title>Kept</title></item></channel></rss>\n"
    )

    assert [record.headline for record in reader("rss")(path)] == ["Kept"]


def test_an_entity_after_a_long_harmless_internal_subset_is_still_found(tmp_path):
    path = tmp_path / "feed.xml"
    attributes = "".join(f'  <!ATTLIST rss a{n} CDATA "{"x" * 100}">\n' for n in range(2000))
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{attributes}  <!ENTITY late "boom">\n]>\n<rss/>\n'
    )

    with pytest.raises(InvalidInput) as error:
        list(reader("rss")(path))

    assert error.value.line == 2003
    assert error.value.reason.startswith("rejected: the DOCTYPE declares entities (late)")


@pytest.mark.parametrize("name", XML_FORMATS)
def test_a_doctype_that_only_names_an_external_dtd_is_imported_without_loading_it(name):
    # dtd_retrieval.xml names http://127.0.0.1:9/xhtml1-transitional.dtd; loading it would fail.
    items = list(reader(name)(HOSTILE / "dtd_retrieval.xml"))

    assert all(not isinstance(item, InvalidInput) for item in items)


def test_an_entity_used_in_an_attribute_of_the_root_is_rejected_too(tmp_path):
    path = tmp_path / "feed.xml"
    laughs = (HOSTILE / "billion_laughs.xml").read_text()
    path.write_text(laughs.replace("<rss>", '<rss a="&lol9;">'))

    with pytest.raises(InvalidInput, match="^rejected: "):
        list(reader("rss")(path))


def test_hostile_files_in_utf_16_are_rejected_as_well(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes((HOSTILE / "external_entity_file.xml").read_text().encode("utf-16"))

    with pytest.raises(
        InvalidInput,
        match=r"^rejected: the DOCTYPE declares external entities \(secret -> file:///etc/passwd\)",
    ):
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
    "doctype, refused",
    [
        ('<!DOCTYPE rss [<!ENTITY remote SYSTEM "http://127.0.0.1:{port}/secret">]>', True),
        ('<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %remote;]>', True),
        ('<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/rss.dtd">', False),
        ('<!DOCTYPE rss PUBLIC "-//Example//DTD RSS//EN" "http://127.0.0.1:{port}/rss.dtd">', False),
    ],
)
def test_no_network_request_is_ever_made(tmp_path, listener, name, doctype, refused):
    port, connections = listener
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        + doctype.format(port=port)
        + "\n<rss><channel><item><guid>1</guid><title>Title</title></item></channel></rss>"
    )

    if refused:
        with pytest.raises(InvalidInput, match="^rejected: "):
            list(reader(name)(path))
    else:  # the external DTD is ignored, not fetched, and the file is read
        list(reader(name)(path))

    time.sleep(0.05)
    assert connections == []


FIXTURES = Path(__file__).parent.parent / "fixtures"
ONE_FILE = {
    "wxr": "wxr/export.xml",
    "rss": "rss/feed.xml",
    "nitf": "nitf/story.xml",
    "newsml": "newsml/message.xml",
}


@pytest.mark.parametrize("name", XML_FORMATS)
@pytest.mark.parametrize("lead", [b"\n\n", b"  \r\n\t", b"\xef\xbb\xbf\n \n"], ids=["blank", "crlf", "bom"])
def test_whitespace_or_a_bom_before_the_xml_declaration_is_accepted_and_lines_stay_right(
    tmp_path, name, lead
):
    original = (FIXTURES / ONE_FILE[name]).read_bytes()
    path = tmp_path / "leading.xml"
    path.write_bytes(lead + original)
    newlines = lead.count(b"\n")

    expected = list(reader(name)(FIXTURES / ONE_FILE[name]))
    got = list(reader(name)(path))

    assert len(got) == len(expected) > 0
    # the whitespace is moved after the declaration (line 1), so everything below it keeps its line
    assert [item.line for item in got] == [item.line + newlines for item in expected]


@pytest.mark.parametrize("name", XML_FORMATS)
def test_the_doctype_check_sees_the_file_as_libxml2_will_after_leading_whitespace(tmp_path, name):
    path = tmp_path / "leading.xml"
    path.write_bytes(b"\n\n" + (HOSTILE / "billion_laughs.xml").read_bytes())

    with pytest.raises(InvalidInput) as error:
        next(reader(name)(path))

    assert error.value.reason.startswith("rejected: the DOCTYPE declares entities (lol, lol2")
    assert error.value.line == 3 + 2
