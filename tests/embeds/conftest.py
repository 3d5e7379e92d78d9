"""
A local oEmbed server for the embeds tests: a real http.server thread answering each provider's recorded
response (tests/fixtures/oembed/<provider>.json, in that provider's own format) for the URL it was recorded
for, and 404 for any other URL, as the providers do. settings.EMBED_OEMBED_ENDPOINTS points at it.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "oembed"

# The URL each recorded response answers, by provider.
RECORDED = {
    "youtube": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "vimeo": "https://vimeo.com/76979871",
    "bluesky": "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
    "datawrapper": "https://datawrapper.dwcdn.net/Ot7sV/2/",
    "x": "https://twitter.com/Interior/status/507185938620219395",
    "tiktok": "https://www.tiktok.com/@scout2015/video/6718335390845095173",
    "mastodon": "https://mastodon.social/@Gargron/113375330935212133",
    "documentcloud": "https://www.documentcloud.org/documents/20059068-the-mueller-report",
}
# Instagram has no recorded response: Meta's oEmbed needs an app token, so we never ask it (docs/media.md).
INSTAGRAM = "https://www.instagram.com/p/C5dGzXuM0Tq/"


class OEmbedHandler(BaseHTTPRequestHandler):
    requests = []  # (provider, url, format) of every request, for the tests to read

    def do_GET(self):
        parts = urlsplit(self.path)
        provider = parts.path.strip("/")
        query = parse_qs(parts.query)
        url = query.get("url", [""])[0]
        self.requests.append((provider, url, query.get("format", [""])[0]))
        if provider == "hang-up":
            return  # closes the connection without answering, as a crashing proxy does
        if RECORDED.get(provider) != url:
            self.send_error(404, "Not Found")
            return
        body = (FIXTURES / f"{provider}.json").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def oembed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), OEmbedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def oembed(oembed_server, settings):
    """Every provider's endpoint on the local server; returns the log of the requests it gets."""
    settings.EMBED_OEMBED_ENDPOINTS = {name: f"{oembed_server}/{name}" for name in RECORDED}
    OEmbedHandler.requests.clear()
    return OEmbedHandler.requests


@pytest.fixture
def closed_port():
    """A local port nothing listens on: connecting is refused at once (the network is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recorded(provider):
    return json.loads((FIXTURES / f"{provider}.json").read_text())
