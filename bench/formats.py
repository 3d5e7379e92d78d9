"""
Deterministic generators of import files for the benchmarks: the same `n` articles (seeded, realistic
sizes: a 5-9 paragraph body, 1-3 authors out of 400, 2-8 tags out of a 3,000-name vocabulary, one of 12
sections) written in each archive and wire format, streaming, so a file of any size costs no memory.

    write_csv(path, n)      write_wxr(path, n)      write_rss(path, n)
    write_nitf(path, n)     write_newsml(path, n)   (NITF: n stories in one wrapper element;
                                                     NewsML-G2: one newsMessage with n newsItems)

`articles(n)` yields the same articles as plain dicts (for a COPY baseline of the same rows).
"""

from __future__ import annotations

import csv
import datetime
import json
import random
from html import escape
from itertools import accumulate
from pathlib import Path

from bench.text import article_words, vocabulary

SEED = 20240101
SECTIONS = ["News", "Politics", "Business", "Sport", "Culture", "Science", "Health", "Opinion", "World",
            "Local", "Technology", "Weather"]  # fmt: skip
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jon", "Kai", "Lena",
         "Mo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara"]  # fmt: skip
LAST = ["Ali", "Berg", "Cho", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jones",
        "Khan", "Lopez", "Meyer", "Novak", "Okafor", "Park", "Quist", "Rossi", "Singh", "Tran"]  # fmt: skip
START = datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC)


TAGS = 3000


def articles(n: int):
    """
    The `n` benchmark articles as dicts, always the same for the same n: realistic text (bench/text.py),
    300-1,500 words each, tags from a few thousand names with a Zipf (long-tail) popularity.
    """
    rng = random.Random(SEED)
    words = vocabulary(SEED)
    tags = words.tag_names(rng, TAGS)
    rng.shuffle(tags)
    tag_weights = list(accumulate(1 / rank**1.1 for rank in range(1, len(tags) + 1)))
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}" for i in range(400)]
    for i in range(n):
        chosen = list(dict.fromkeys(rng.choices(tags, cum_weights=tag_weights, k=rng.randint(2, 8))))
        yield {
            "external_id": f"bench-{i:07d}",
            "headline": f"{words.headline(rng)} ({i})",
            "dek": words.sentence(rng, rng.randint(15, 30)),
            "paragraphs": words.paragraphs(rng, article_words(rng)),
            "section": rng.choice(SECTIONS),
            "authors": rng.sample(authors, rng.choice([1, 1, 1, 2, 2, 3])),
            "tags": chosen,
            "published_at": START + datetime.timedelta(minutes=37 * i + rng.randint(0, 30)),
        }


def _body(article):
    return "".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])


def write_csv(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["external_id", "headline", "dek", "body", "body_format", "section", "authors",
                         "tags", "status", "published_at"])  # fmt: skip
        for a in articles(n):
            writer.writerow([
                a["external_id"], a["headline"], a["dek"], "\n\n".join(a["paragraphs"]), "text", a["section"],
                "; ".join(a["authors"]), "; ".join(a["tags"]), "published", a["published_at"].isoformat(),
            ])  # fmt: skip
    return path


def _cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_wxr(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            "<channel><title>Bench</title><wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        for i, a in enumerate(articles(n)):
            date = a["published_at"].strftime("%Y-%m-%d %H:%M:%S")
            categories = f'<category domain="category" nicename="s">{_cdata(a["section"])}</category>'
            categories += "".join(
                f'<category domain="post_tag" nicename="t">{_cdata(t)}</category>' for t in a["tags"]
            )
            body = "\n".join(f"<!-- wp:paragraph --><p>{escape(p)}</p>" for p in a["paragraphs"])
            out.write(
                f"<item><title>{_cdata(a['headline'])}</title>"
                f"<link>https://bench.example.com/?p={i + 1}</link>"
                + "".join(f"<dc:creator>{_cdata(name)}</dc:creator>" for name in a["authors"])
                + f'<guid isPermaLink="false">{a["external_id"]}</guid>'
                f"<content:encoded>{_cdata(body)}</content:encoded>"
                f"<excerpt:encoded>{_cdata(a['dek'])}</excerpt:encoded>"
                f"<wp:post_id>{i + 1}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"{categories}</item>\n"
            )  # fmt: skip
        out.write("</channel></rss>\n")
    return path


def write_rss(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench</title>\n'
        )
        for a in articles(n):
            out.write(
                f"<item><title>{escape(a['headline'])}</title><guid>{a['external_id']}</guid>"
                + "".join(f"<dc:creator>{escape(name)}</dc:creator>" for name in a["authors"])
                + "".join(f"<category>{escape(t)}</category>" for t in a["tags"])
                + f"<pubDate>{a['published_at'].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                f"<description>{escape(a['dek'])}</description>"
                f"<content:encoded>{_cdata(_body(a))}</content:encoded></item>\n"
            )
        out.write("</channel></rss>\n")
    return path


def write_nitf(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<nitf-batch>\n')
        for a in articles(n):
            keywords = "".join(f'<keyword key="{escape(t)}"/>' for t in a["tags"])
            out.write(
                f'<nitf><head><docdata><doc-id id-string="{a["external_id"]}"/>'
                f'<date.issue norm="{a["published_at"].strftime("%Y%m%dT%H%M%SZ")}"/>'
                f"<key-list>{keywords}</key-list></docdata></head>"
                f"<body><body.head><hedline><hl1>{escape(a['headline'])}</hl1><hl2>{escape(a['dek'])}</hl2></hedline>"
                f"<byline>By {escape(' and '.join(a['authors']))}</byline></body.head>"
                f"<body.content>{_body(a)}</body.content></body></nitf>\n"
            )  # fmt: skip
        out.write("</nitf-batch>\n")
    return path


def write_newsml(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>\n'
        )
        for a in articles(n):
            when = a["published_at"].isoformat()
            subjects = "".join(f"<subject><name>{escape(t)}</name></subject>" for t in a["tags"])
            out.write(
                f'<newsItem guid="urn:bench:{a["external_id"]}" version="1" standard="NewsML-G2">'
                f'<itemMeta><itemClass qcode="ninat:text"/><versionCreated>{when}</versionCreated>'
                f'<pubStatus qcode="stat:usable"/></itemMeta>'
                f"<contentMeta><by>{escape(' and '.join(a['authors']))}</by>{subjects}"
                f"<headline>{escape(a['headline'])}</headline>"
                f'<description role="drol:summary">{escape(a["dek"])}</description></contentMeta>'
                '<contentSet><inlineXML contenttype="application/xhtml+xml">'
                f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{_body(a)}</body></html>'
                "</inlineXML></contentSet></newsItem>\n"
            )  # fmt: skip
        out.write("</itemSet></newsMessage>\n")
    return path


WRITERS = {"csv": write_csv, "wxr": write_wxr, "rss": write_rss, "nitf": write_nitf, "newsml": write_newsml}
SUFFIXES = {"csv": ".csv", "wxr": ".wxr", "rss": ".rss", "nitf": ".nitf", "newsml": ".newsml"}


def write_jsonl(path: Path, n: int) -> Path:
    """The same articles in the JSON Lines import format (for the COPY baseline of the same rows)."""
    with open(path, "w", encoding="utf-8") as out:
        for a in articles(n):
            row = {
                "source": "bench", "external_id": a["external_id"], "headline": a["headline"],
                "dek": a["dek"], "body_html": _body(a), "section": a["section"],
                "authors": [{"name": x} for x in a["authors"]], "tags": a["tags"], "status": "published",
                "published_at": a["published_at"].isoformat(),
            }  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
