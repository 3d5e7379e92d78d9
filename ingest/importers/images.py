"""
Lead images named in imports: a Record's ``lead_image`` {"path" | "url", "alt", "caption", "credit"}.

    source(entry)                  the path or URL the entry names, as recorded on the article
    attach(entry, import_path, ...)  a new library Image, or None for a remote URL that is only recorded;
                                   raises ImageProblem with the reason

A path (or a URL without a scheme, as WordPress and feeds write relative files) is resolved against the
directory of the import file and must stay inside it; the file is validated, cleaned and rendered like an
upload (images.ingest.image_from_path). An http(s) URL is recorded, not fetched, unless `fetch` is set:
then it is downloaded with a bounded client (timeout, the upload size limit, http and https only, no
proxies from the environment) and ingested like a local file.
"""

from __future__ import annotations

import functools
import io
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from images.ingest import InvalidImage, image_from_file, image_from_path
from ingest.importers.values import url_parts

FETCH_TIMEOUT = 10  # seconds, per connection attempt and read
SCHEMES = ("http", "https")


class ImageProblem(Exception):
    pass


def source(entry: dict) -> str:
    return str(entry.get("path") or entry.get("url") or "").strip()


def is_remote(entry: dict) -> bool:
    return "://" in source(entry) or source(entry).startswith("//")


def local_file(entry: dict, import_path: Path) -> Path:
    """The file a relative path names, inside the import file's directory; ImageProblem otherwise."""
    name = source(entry)
    base = import_path.resolve().parent
    try:
        resolved = (base / name).resolve()
    except (OSError, ValueError) as error:
        raise ImageProblem(f"cannot resolve the path: {error}") from None
    if not resolved.is_relative_to(base):
        raise ImageProblem("the path leads outside the import file's directory")
    return resolved


def details(entry: dict, headline: str) -> dict:
    # Alt text is required in the library; many feeds have none, so the caption (or the headline) stands in.
    caption = str(entry.get("caption") or "").strip()
    alt = str(entry.get("alt") or "").strip() or caption or headline
    return {"alt": alt, "caption": caption, "credit": str(entry.get("credit") or "").strip()}


def attach(entry: dict, import_path: Path, *, headline: str, fetch: bool):
    """A new library Image for the entry, or None when it is a remote URL to record only."""
    if is_remote(entry):
        url = source(entry)
        if url.startswith("//"):
            url = "https:" + url
        if url_parts(url).scheme.lower() not in SCHEMES:
            raise ImageProblem("only http and https URLs can be recorded or fetched")
        if not fetch:
            return None
        data = download(url)
        try:
            return image_from_file(io.BytesIO(data), **details(entry, headline))
        except InvalidImage as error:
            raise ImageProblem(str(error)) from None
    path = local_file(entry, import_path)
    if not path.is_file():
        raise ImageProblem("no such file")
    try:
        return image_from_path(path, **details(entry, headline))
    except InvalidImage as error:
        raise ImageProblem(str(error)) from None


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if url_parts(newurl).scheme.lower() not in SCHEMES:
            raise ImageProblem(f"redirected to a non-http URL: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@functools.cache
def _opener():
    # Built on first use: an HTTPS handler loads the system's CA certificates (~50 ms), which every
    # process importing this module (the site, each command) would otherwise pay at start-up.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _Redirects())


def download(url: str) -> bytes:
    """The body at `url`, at most the upload size limit; ImageProblem with the reason otherwise."""
    limit = settings.IMAGE_MAX_UPLOAD_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "newsroom-import"})
    try:
        with _opener().open(request, timeout=FETCH_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ImageProblem(f"download is {int(length)} bytes; the limit is {limit}")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise ImageProblem(f"download failed: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise ImageProblem(f"download failed: {error.reason}") from None
    except (OSError, ValueError) as error:  # timeouts, resets, malformed URLs
        raise ImageProblem(f"download failed: {error}") from None
    if len(data) > limit:
        raise ImageProblem(f"download is larger than the limit of {limit} bytes")
    return data
