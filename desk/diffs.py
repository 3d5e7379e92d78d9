"""Readable differences between two article snapshots (revisions), for the history page and conflicts."""

import difflib
import re

from django.utils.html import strip_tags

FIELDS = [
    ("headline", "Headline"),
    ("dek", "Dek"),
    ("body", "Body"),
    ("section_name", "Section"),
    ("lead_image", "Lead image"),
    ("bylines", "Bylines"),
    ("tags", "Tags"),
    ("slug", "Slug"),
    ("canonical_url", "Canonical URL"),
]


def _lines(field, value):
    if field == "body":
        # One line per block element, as text: editors read words, not markup.
        blocks = re.split(r"</(?:p|h[1-6]|li|blockquote|pre|figcaption|tr)>", value or "")
        return [text for block in blocks if (text := " ".join(strip_tags(block).split()))]
    if field == "bylines":
        return [f"{b.get('author_name', b['author'])} ({b['role']})" for b in value or []]
    if field == "tags":
        return list(value or [])
    return [value] if value else []


def diff_snapshots(old, new):
    """[(label, [(sign, text), ...])] for each field that differs; sign is "-", "+" or " "."""
    changes = []
    for field, label in FIELDS:
        before, after = _lines(field, old.get(field)), _lines(field, new.get(field))
        if before == after:
            continue
        rows = []
        for line in difflib.ndiff(before, after):
            if line[:1] in "-+ ":
                rows.append((line[0], line[2:]))
        changes.append((label, rows))
    return changes
