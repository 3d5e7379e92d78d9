"""
Merge duplicate tags: `manage.py merge_tags "donald trump" trump INTO "Donald Trump"`.

Tags are named by slug or by name (case-insensitively). The merge is Tag.objects.merge(): one
transaction, every article moved to the target, no duplicate links, the old tags deleted, their slugs
kept as TagRedirects so /tags/<old-slug>/ answers 301 to the target's page.
"""

from django.core.management.base import BaseCommand, CommandError

from tags.models import Tag, TagRedirect


class Command(BaseCommand):
    help = "Merge tags: merge_tags SOURCE [SOURCE ...] INTO TARGET (slugs or names)."
    missing_args_message = "usage: merge_tags SOURCE [SOURCE ...] INTO TARGET"

    def add_arguments(self, parser):
        parser.add_argument("words", nargs="+", metavar="SOURCE... INTO TARGET")

    def handle(self, *args, words, **options):
        separators = [i for i, word in enumerate(words) if word.upper() == "INTO"]
        if len(separators) != 1 or separators[0] == 0 or separators[0] != len(words) - 2:
            raise CommandError(f"{self.missing_args_message} (got: {' '.join(words)})")
        *source_names, _, target_name = words
        target = self._tag(target_name)
        sources = list(dict.fromkeys(self._tag(name) for name in source_names))
        if target in sources:
            raise CommandError(f"{target.name!r} is both a source and the target")
        moved = Tag.objects.merge(sources, into=target)
        names = ", ".join(repr(tag.name) for tag in sources)
        self.stdout.write(
            self.style.SUCCESS(f"Merged {names} into {target.name!r}: {moved} article(s) moved.")
        )
        for tag in sources:
            self.stdout.write(f"/tags/{tag.slug}/ now redirects to {target.get_absolute_url()}")

    def _tag(self, name):
        tag = Tag.objects.filter(slug=name).first() or Tag.objects.filter(name__iexact=name).first()
        if tag is not None:
            return tag
        moved = TagRedirect.objects.select_related("target").filter(old_slug=name).first()
        if moved is not None:
            raise CommandError(f"{name!r} was already merged into {moved.target.name!r}")
        raise CommandError(f"no tag with the slug or name {name!r}")
