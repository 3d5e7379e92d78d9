"""
The "hill" plain-text format: one article per file, as scraped from a news site.

    Headline on the first non-empty line

    Paragraph one (one or more lines; blank lines separate paragraphs).

    Paragraph two.

    Tags Afghanistan Donald Trump Joe Biden Joint Chiefs of Staff
    See all Hill.TV See all Video        <- site boilerplate: never body

The headline is the first non-empty line; each paragraph becomes a ``<p>`` (HTML-escaped); the line
starting with ``Tags `` is the tag line; everything after it, and trailing boilerplate lines like
``See all Hill.TV See all Video`` before it, are dropped. ``external_id`` is the file name without
its extension. There is no date: ``--status published`` uses the time of the import.

Splitting the tag line
----------------------
The tag names are joined by single spaces, so the reader cannot split them alone: it passes the raw
line on (``Record.raw_tag_line``) and the save path calls ``split_tags(line, text=headline+body,
vocabulary=<every tag name in the database>)``.

``split_tags`` is a scored segmentation. Between the n words of the line lie n-1 possible
boundaries; every way of cutting them gives a list of tags. Each candidate tag (a run of at most
``MAX_WORDS`` words) gets a score, a sum of log-odds-like terms:

* a length prior: tags are mostly one or two words, rarely five (``LENGTH_PRIOR``, counted in
  content words, so "of" in "Joint Chiefs of Staff" costs nothing), plus a constant per tag
  (``SEGMENT_BONUS``) so that the product of priors does not simply favour fewer, longer tags;
* the vocabulary: a name already in the database (case-insensitive) is strong evidence (+4);
* the article: the name occurring in the headline or body as whole words (+1 per content word,
  more for multi-word names; half when it only matches ignoring case), or its initials as a word
  ("Environmental Protection Agency" with "EPA" in the text); and cutting between two words that
  stand next to each other in the text costs 2 (so "Department of Health and Human | Services"
  loses to the whole name even though its prefix also occurs);
* capitalization: a tag starts with a capital, a digit or an abbreviation such as "U.S.";
  a lower-case word ("of", "military", "administration") continues the previous name, so a tag that
  starts lower-case, or ends on a joiner ("of", "and", "the", "v." ...), is penalized (-8), less (-2)
  when it is a phrase of several words that the article uses ("border crisis");
* possessives: a name begins with one rather than ending on it ("Women's World Cup"), so a tag of
  several words ending on "'s", or a cut right after one, costs 3;
* matching the text: as written and with possessives dropped ("Milley's" mentions "Milley"), a plural
  counts ("vaccines" mentions "vaccine"), an acronym is a whole word ("AT" in "AT&T" is none).

The ordering of the line is evidence too: tags are listed alphabetically (case-insensitive). A cut
whose tag sorts before the previous tag is penalized (-6). Because that term links neighbouring
tags, the dynamic programme runs over pairs (end of the last tag, start of the last tag):
``best[j][i]`` is the best score of the words before j, cut so that the last tag is words[i:j];
``best[j][i] = score(i, j) + max over k of (best[i][k] - order_penalty(words[k:i], words[i:j]))``.
That is O(n * MAX_WORDS^2) steps: microseconds for a tag line. Penalties rather than hard rules keep
a line that breaks the conventions (unsorted, lower-case tags) splittable.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.importers import Failure, InvalidInput, Record
from ingest.importers.values import problem

EXTENSIONS = (".txt",)

TAG_PREFIX = "Tags "
# Trailing lines the site appends to every article (navigation, footer); never body text.
BOILERPLATE = re.compile(
    r"^(See all\b.*|The Hill\s+\d+ K Street.*|The contents of this site are .*|Copyright \d{4}.*)$"
)

MAX_WORDS = 8
LENGTH_PRIOR = {1: 0.30, 2: 0.45, 3: 0.15, 4: 0.07, 5: 0.02}
# Words inside a name that are no content of their own ("Roe v. Wade", "Joint Chiefs of Staff")
JOINERS = frozenset(
    {
        "of",
        "and",
        "the",
        "for",
        "on",
        "in",
        "at",
        "to",
        "de",
        "del",
        "la",
        "le",
        "von",
        "van",
        "&",
        "v.",
        "vs.",
    }
)
# Without it the product of length priors favours few long tags (every extra tag multiplies in a
# probability below 1); with it two two-word names beat one four-word name, as in real tag lines.
SEGMENT_BONUS = 1.0
VOCABULARY_BONUS = 4.0
INITIALS_BONUS = 2.0
ADJACENT_CUT_PENALTY = 2.0
LOWERCASE_START_PENALTY = 8.0
# A lower-case phrase of several words that the article itself uses ("border crisis", "mask mandates") is
# a plausible tag of its own; a lone lower-case word ("military") still continues the name before it.
LOWERCASE_PHRASE_PENALTY = 2.0
JOINER_END_PENALTY = 8.0
# A possessive begins a name rather than ending one: "Rapinoe | Women's World Cup", not "Rapinoe Women's"
# or "Women's | World Cup" (a lone possessive name, "McDonald's", may still end the line)
POSSESSIVE_END_PENALTY = 3.0
ORDER_PENALTY = 6.0


def sniff(head: bytes) -> bool:
    """Plain text (not JSON, not markup) with a headline line first."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a multi-byte character cut at the end of `head` is fine
            return False
        text = head[: error.start].decode("utf-8-sig", "ignore")
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] not in "{[<"


def count(path: Path) -> int:
    return 1


def read(path: Path) -> Iterator[Record | Failure]:
    raw = _read_bytes(path)
    text = _decode(raw)
    if not text.strip():
        raise InvalidInput("empty file")
    record = parse(text, external_id=path.stem)
    if isinstance(record, Record) and (reason := problem(record)):
        yield Failure(record.line, reason)
    else:
        yield record


def parse(text: str, *, external_id: str) -> Record | Failure:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip())
    headline = lines[start].strip()
    if headline.startswith(TAG_PREFIX) or headline == TAG_PREFIX.strip():
        return Failure(start + 1, "no headline: the first non-empty line is the tag line")

    body_lines = lines[start + 1 :]
    raw_tag_line = ""
    # The last such line: a paragraph may happen to begin with "Tags ", the tag line comes at the end.
    for index in range(len(body_lines) - 1, -1, -1):
        line = body_lines[index]
        if line.startswith(TAG_PREFIX) or line.rstrip() == TAG_PREFIX.strip():
            raw_tag_line = line[len(TAG_PREFIX) :].strip()
            body_lines = body_lines[:index]
            break
    while body_lines and (not body_lines[-1].strip() or BOILERPLATE.match(body_lines[-1].strip())):
        body_lines.pop()

    paragraphs, current = [], []
    for line in body_lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    body_html = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return Record(
        external_id=external_id,
        headline=headline,
        line=start + 1,
        body_html=body_html,
        raw_tag_line=raw_tag_line,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read: {error.strerror or error}") from None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InvalidInput(
            f"not UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start} cannot be decoded",
            line=line,
        ) from None


# --- splitting the tag line -----------------------------------------------------------------------


def split_tags(line: str, *, text: str = "", vocabulary: Iterable[str] = ()) -> list[str]:
    """
    Split a line of space-joined tag names into names, using the article `text` (headline and body,
    plain or HTML) and a `vocabulary` of known names as evidence (see the module docstring).

    `vocabulary` may be any container of names; pass a set of casefolded names (as the save path does)
    to avoid re-casefolding a large vocabulary on every call.
    """
    words = line.split()
    if not words:
        return []
    n = len(words)
    known = vocabulary if isinstance(vocabulary, (set, frozenset)) else {v.casefold() for v in vocabulary}
    evidence = _Evidence(text)

    def score(i, j):
        segment = words[i:j]
        name = " ".join(segment)
        content = sum(1 for w in segment if w.lower() not in JOINERS)
        total = SEGMENT_BONUS + math.log(LENGTH_PRIOR.get(content, 0.01))
        if name.casefold() in known:
            total += VOCABULARY_BONUS
        total += evidence.score(segment, content)
        if not _starts_name(segment[0]):
            phrase = content > 1 and segment[0].lower() not in JOINERS and evidence.mentions(name)
            total -= LOWERCASE_PHRASE_PENALTY if phrase else LOWERCASE_START_PENALTY
        if j - i > 1 and segment[-1].lower() in JOINERS:
            total -= JOINER_END_PENALTY
        if (j - i > 1 or j < n) and _POSSESSIVE.search(segment[-1]):
            total -= POSSESSIVE_END_PENALTY
        if j < n and evidence.adjacent(words[j - 1], words[j]):
            total -= ADJACENT_CUT_PENALTY
        return total

    # best[j][i]: best score for words[:j] whose last tag is words[i:j]; back[j][i]: the k before it.
    best = [dict() for _ in range(n + 1)]
    back = [dict() for _ in range(n + 1)]
    for j in range(1, n + 1):
        for i in range(max(0, j - MAX_WORDS), j):
            own = score(i, j)
            if i == 0:
                best[j][i], back[j][i] = own, None
                continue
            current = " ".join(words[i:j]).casefold()
            choice, value = None, -math.inf
            for k, previous_score in best[i].items():
                before = " ".join(words[k:i]).casefold()
                candidate = previous_score - (ORDER_PENALTY if before > current else 0.0)
                if candidate > value:
                    choice, value = k, candidate
            best[j][i], back[j][i] = own + value, choice
    i = max(best[n], key=best[n].get)
    tags, j = [], n
    while i is not None:
        tags.append(" ".join(words[i:j]))
        i, j = back[j][i], i
    return tags[::-1]


_POSSESSIVE = re.compile(r"[\u2019']s$")
# An acronym standing alone ("EPA"), not the letters of "AT&T" or "U.S.-Mexico"
_ACRONYM = re.compile(r"(?<![\w&.\-])[A-Z]{2,}(?![\w&.\-])")


def _starts_name(word: str) -> bool:
    first = word[0]
    return first.isupper() or first.isdigit() or not first.isalpha()


class _Evidence:
    """Whole-word occurrences of candidate names (and their initials) in the article text."""

    def __init__(self, text: str):
        plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\u2019", "'").split())
        # The text as written ("Women's World Cup"), and without possessives: "Milley's" mentions "Milley".
        self.texts = (f" {plain} ", " " + re.sub(r"'s\b", "", plain) + " ")
        self.folded = tuple(text.casefold() for text in self.texts)
        self.tokens = set(_ACRONYM.findall(plain))

    def score(self, segment: list[str], content: int) -> float:
        if not self.texts[0].strip():
            return 0.0
        name = " ".join(segment).replace("\u2019", "'")
        strength = 0.5 + 1.0 * (content - 1) if content > 1 else 0.5
        if self.mentions(name):
            return strength
        if any(self._contains(folded, name.casefold()) for folded in self.folded):
            return strength / 2
        if content > 1:
            initials = "".join(w[0] for w in segment if w.lower() not in JOINERS and w[0].isupper())
            if len(initials) >= 2 and initials in self.tokens:
                return INITIALS_BONUS
        return 0.0

    def mentions(self, name: str) -> bool:
        """Does the text use `name` as whole words (as written, or with possessives dropped)?"""
        return any(self._contains(text, name) for text in self.texts)

    def adjacent(self, left: str, right: str) -> bool:
        return self.mentions(f"{left} {right}".replace("\u2019", "'"))

    @staticmethod
    def _contains(haystack: str, name: str) -> bool:
        start = haystack.find(name)
        while start != -1:
            before = haystack[start - 1] if start else " "
            end = start + len(name)
            after = haystack[end] if end < len(haystack) else " "
            if after == "s" and end + 1 < len(haystack):  # a plural: "vaccines" mentions "vaccine"
                after = haystack[end + 1]
            if not before.isalnum() and not after.isalnum():
                return True
            start = haystack.find(name, start + 1)
        return False
