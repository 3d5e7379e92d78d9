"""
Get-or-create of the rows an article refers to: its section, its authors and its tags.

Sections, authors and tags of the written records are looked up in per-run caches, then in one query
each for the misses (tags by case-insensitive name or slug, authors by slug or case-insensitive name,
sections by case-insensitive name or slug), and bulk-created when new. A tag merged into another
(``merge_tags``) is never created again: its old slug leads to the target. Names as stored are kept by
primary key for the revision snapshots. A record's tag line is split here too (``split_tags``), with the
whole tag vocabulary of the database as its evidence.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower

from articles.models import Section
from authors.models import Author
from ingest.importers.hill import split_tags
from ingest.importers.validation import AUTHOR_SLUG_MAX, TAG_SLUG_MAX, Item, check_tag
from newsroom.slugs import slug_base, unique_slug
from tags.models import Tag, TagRedirect


class RelatedRows:
    """
    The sections, authors and tags of a run's articles: found in per-run caches, then in one query each
    for the misses, and bulk-created when new. A new instance starts with empty caches (after a batch
    rolled back, whose rows the caches may name).
    """

    def __init__(self) -> None:
        self._section_ids: dict[str, int] = {}
        self._author_ids: dict[tuple, int] = {}
        self._tag_ids: dict[str, int] = {}
        # Names as stored, by primary key, for the revision snapshots.
        self.section_names: dict[int, str] = {}
        self.author_names: dict[int, str] = {}
        self.tag_names_by_id: dict[int, str] = {}
        self._vocabulary: set[str] | None = None

    def tag_names(self, item: Item) -> list[str]:
        names = [" ".join(name.split()) for name in item.record.tags]
        if item.record.raw_tag_line:
            if self._vocabulary is None:
                # The whole vocabulary, once per run: the splitter's best evidence.
                self._vocabulary = {name.casefold() for name in Tag.objects.values_list("name", flat=True)}
            text = f"{item.headline}\n{item.record.body_html}"
            names += split_tags(item.record.raw_tag_line, text=text, vocabulary=self._vocabulary)
        unique: dict[str, str] = {}
        for name in names:  # one tag per case-insensitive name, spelled as first seen
            if name:
                unique.setdefault(name.casefold(), name)
        for name in unique.values():
            check_tag(name)
        return list(unique.values())

    def sections(self, names: list[str]) -> dict[str, int]:
        wanted = {name.strip().casefold(): name.strip() for name in names if name.strip()}
        missing = [key for key in wanted if key not in self._section_ids]
        if missing:
            slugs = {slug_base(wanted[key], max_length=100, fallback="section"): key for key in missing}
            for pk, name, slug in (
                Section.objects.annotate(lname=Lower("name"))
                .filter(Q(lname__in=_lower_forms(wanted[key] for key in missing)) | Q(slug__in=slugs))
                .values_list("pk", "name", "slug")
            ):
                self._section_ids.setdefault(name.casefold(), pk)
                self.section_names[pk] = name
                if slug in slugs:
                    self._section_ids.setdefault(slugs[slug], pk)
            for key in missing:
                if key not in self._section_ids:
                    section = Section.objects.create(name=wanted[key])
                    self._section_ids[key] = section.pk
                    self.section_names[section.pk] = section.name
        return {key: self._section_ids[key] for key in wanted}

    def authors(self, refs) -> dict[tuple, int]:
        wanted = {author_key(ref): ref for ref in refs}
        missing = {key: ref for key, ref in wanted.items() if key not in self._author_ids}
        if missing:
            slugs = {
                ref.slug or slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                for ref in missing.values()
            }
            names = _lower_forms(ref.name.strip() for ref in missing.values() if not ref.slug)
            found_slug, found_name = {}, {}
            for pk, name, slug in (
                Author.objects.annotate(lname=Lower("name"))
                .filter(Q(slug__in=slugs) | Q(lname__in=names))
                .order_by("pk")
                .values_list("pk", "name", "slug")
            ):
                found_slug[slug] = pk
                found_name.setdefault(name.casefold(), pk)
                self.author_names[pk] = name
            new = {}
            for key, ref in missing.items():
                if ref.slug:
                    pk = found_slug.get(ref.slug)
                else:
                    pk = found_name.get(ref.name.strip().casefold()) or found_slug.get(
                        slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                    )
                if pk is not None:
                    self._author_ids[key] = pk
                else:
                    slug = ref.slug or slug_base(ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author")
                    if slug in new or slug == "author":
                        slug = unique_slug(
                            Author, ref.name, max_length=AUTHOR_SLUG_MAX, fallback="author", also_taken=new
                        )
                    new[slug] = (key, Author(name=ref.name.strip(), slug=slug))
            if new:
                Author.objects.bulk_create([author for _, author in new.values()])
                for key, author in new.values():
                    self._author_ids[key] = author.pk
                    self.author_names[author.pk] = author.name
        return {key: self._author_ids[key] for key in wanted}

    def tags(self, names: list[str]) -> dict[str, int]:
        wanted = {}
        for name in names:  # the first spelling seen names a new tag
            wanted.setdefault(name.casefold(), name)
        missing = {key: name for key, name in wanted.items() if key not in self._tag_ids}
        if missing:
            slugs = {}
            for key, name in missing.items():
                slugs.setdefault(_tag_slug(name), key)
            by_name, by_slug = {}, {}
            for pk, name, slug in (
                Tag.objects.annotate(lname=Lower("name"))
                .filter(Q(lname__in=_lower_forms(missing.values())) | Q(slug__in=list(slugs)))
                .values_list("pk", "name", "slug")
            ):
                by_name[name.casefold()] = pk
                by_slug[slug] = pk
                self.tag_names_by_id[pk] = name
            # A tag merged into another (merge_tags) must not come back: its slug leads to the target.
            merged = {}
            for old_slug, target_id, target_name in TagRedirect.objects.filter(
                old_slug__in=list(slugs)
            ).values_list("old_slug", "target_id", "target__name"):
                merged[old_slug] = target_id
                self.tag_names_by_id[target_id] = target_name
            new = {}
            for key, name in missing.items():
                slug = _tag_slug(name)
                pk = by_name.get(key) or by_slug.get(slug) or merged.get(slug)
                if pk is not None:
                    self._tag_ids[key] = pk
                elif slug in new:  # "C.I.A." and "CIA" arriving together: one tag
                    new[slug][0].append(key)
                else:
                    new[slug] = ([key], Tag(name=name, slug=slug))
            if new:
                Tag.objects.bulk_create([tag for _, tag in new.values()])
                for keys, tag in new.values():
                    self.tag_names_by_id[tag.pk] = tag.name
                    for key in keys:
                        self._tag_ids[key] = tag.pk
                    if self._vocabulary is not None:
                        self._vocabulary.add(tag.name.casefold())
        return {key: self._tag_ids[key] for key in wanted}


def _tag_slug(name: str) -> str:
    return slug_base(name, max_length=TAG_SLUG_MAX, fallback="tag")


def _lower_forms(names) -> list[str]:
    """
    What the database's LOWER() may have made of these names: their casefold (the cache key) and their
    lower() differ for some letters ("Straße": "strasse" / "straße"), and the unique index on tag
    names uses LOWER(); looking up both finds the row that index would clash with.
    """
    forms = set()
    for name in names:
        forms.update((name.casefold(), name.lower()))
    return sorted(forms)


def author_key(ref) -> tuple:
    return ("slug", ref.slug) if ref.slug else ("name", ref.name.strip().casefold())
