"""
Demo content for ``make demo``: the hill sample article (published, through the same save path as
``import_articles``), a few sections, authors and articles, and one staff user per newsroom role.

Also a small story budget (plans for today and tomorrow, one of them overdue) and a redirect example.
The embed article's YouTube URL gets its cached embed without any network (the YouTube frame is made
from the URL alone), so the demo shows a click-to-load placeholder offline; an existing row is kept.

Idempotent: sections and users are got-or-created, articles are matched by (source, external_id) and
come back ``unchanged``; plans are matched by slug (their times move to today and tomorrow on each run) and
the redirect by its old path. The passwords are printed because they are for development only; the command
refuses to run with DEBUG off unless --force is given.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Section, Status
from authors.models import Author
from embeds import providers
from embeds.models import Embed
from ingest.importers import AuthorRef, Record, hill
from ingest.importers.save import Importer
from live.demo import load_live_blog
from planning.models import Desk, Story
from redirects.models import Redirect

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
SAMPLE = DEMO_DIR / "000_03d6219c7e6dd54c.txt"
SOURCE = "demo"

SECTIONS = [("News", "news"), ("World", "world"), ("Politics", "politics"), ("Business", "business")]
# username, group, password (development only), author name linked to the user
USERS = [
    ("reporter", "Reporter", "reporter-dev-only", "Alex Rivera"),
    ("editor", "Editor", "editor-dev-only", "Priya Raman"),
    ("publisher", "Publisher", "publisher-dev-only", None),
]
ADMIN = ("admin", "admin-dev-only")
# The demo embed (docs/media.md): the Blender Foundation's open film, under CC BY.
DEMO_EMBED_URL = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"
DEMO_EMBED_TITLE = "Big Buck Bunny 60fps 4K - Official Blender Foundation Short Film"


def _date(day, hour):
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=datetime.UTC)


def _body(*paragraphs):
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


ARTICLES = [
    Record(
        external_id="harbour-bridge",
        headline="Harbour bridge reopens after two years of repairs",
        dek="Commuters get their shortest route back, with a new cycle lane.",
        body_html=_body(
            "The harbour bridge reopened to traffic on Monday morning after a repair programme that ran "
            "eight months over schedule.",
            "City engineers said the new deck should last fifty years. A protected cycle lane now runs "
            "along the eastern side.",
        ),
        section="News",
        authors=[AuthorRef("Alex Rivera")],
        tags=["Infrastructure", "Transport"],
        published_at=_date(20, 9),
    ),
    Record(
        external_id="council-budget",
        headline="Council agrees budget with more money for libraries",
        dek="Opening hours return to pre-2020 levels in all branches.",
        body_html=_body(
            "The city council passed next year's budget by 31 votes to 12 after a six-hour debate.",
            "Libraries get an extra 2.1 million, reversing cuts that shortened opening hours.",
        ),
        section="Politics",
        authors=[AuthorRef("Priya Raman"), AuthorRef("Jonas Berg", role="additional_reporting")],
        tags=["City Council", "Libraries"],
        published_at=_date(21, 14),
    ),
    Record(
        external_id="port-volumes",
        headline="Port volumes hit a record as shipping routes shift",
        dek="Container traffic rose 14 percent in the third quarter.",
        body_html=_body(
            "The port handled more containers between July and September than in any quarter on record.",
            "Operators credited longer routes around conflict zones, which favour deep-water harbours.",
        ),
        section="Business",
        authors=[AuthorRef("Jonas Berg")],
        tags=["Shipping", "Economy", "Transport"],
        published_at=_date(23, 7),
    ),
    Record(
        external_id="night-trains",
        headline="Night trains return to three European capitals",
        dek="Sleeper services link the city with Vienna, Berlin and Paris from December.",
        body_html=_body(
            "Three overnight routes start on December 10, the first sleeper services from the city in "
            "a decade.",
            "Tickets go on sale next week; a couchette berth starts at 49 euros.",
        ),
        section="World",
        authors=[AuthorRef("Sam Okafor"), AuthorRef("Alex Rivera", role="photos")],
        tags=["Rail", "Transport", "Europe"],
        published_at=_date(24, 18),
    ),
    Record(  # a live blog (live/demo.py adds its updates)
        external_id="election-night-live",
        headline="Election night: the council results as they come in",
        dek="Live coverage of the city council election count.",
        body_html=_body("Follow the count ward by ward; the newest update comes first."),
        section="Politics",
        authors=[AuthorRef("Priya Raman")],
        tags=["City Council", "Elections"],
        published_at=_date(25, 22),
    ),
    Record(
        external_id="open-film-night",
        headline="Film club opens its season with an open-source animation",
        dek="The Blender Foundation's short screens at the library on Friday.",
        body_html=_body(
            "The film club opens its winter season with Big Buck Bunny, made entirely with free software.",
            DEMO_EMBED_URL,
            "Entry is free; the screening starts at 7 p.m. in the main library's hall.",
        ),
        section="News",
        authors=[AuthorRef("Sam Okafor")],
        tags=["Film", "Libraries"],
        published_at=_date(25, 12),
    ),
]


class Command(BaseCommand):
    help = "Load demo content and demo users (development only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with published passwords: run it with DEBUG=1 (or --force)."
            )
        with transaction.atomic():
            for position, (name, slug) in enumerate(SECTIONS):
                Section.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
            counts = self.load_articles()
            self.load_embed()
            users = self.load_users()
            plans = self.load_budget()
            self.load_redirect()
            live_blog = Article.objects.get(source=SOURCE, external_id="election-night-live")
            load_live_blog(live_blog, Author.objects.filter(name="Priya Raman").first())
        self.stdout.write(
            "Demo articles: "
            + ", ".join(f"{name} {counts[name]}" for name in ("created", "updated", "unchanged"))
        )
        sample = Article.objects.get(source=SOURCE, external_id=SAMPLE.stem)
        self.stdout.write(f"Sample article: {settings.SITE_URL}{sample.get_absolute_url()}")
        self.stdout.write(f"Story budget: {plans} plans, {settings.SITE_URL}/admin/planning/story/budget/")
        self.stdout.write(f"Live blog: {settings.SITE_URL}{live_blog.get_absolute_url()}")
        self.stdout.write("Demo users (development only):")
        for username, group, password in users:
            self.stdout.write(f"  {username:<10} {password:<20} {group}")

    def load_articles(self):
        failures = []
        importer = Importer(
            default_status=Status.PUBLISHED,
            default_source=SOURCE,
            on_failure=lambda path, line, reason: failures.append(f"{path}:{line}: {reason}"),
        )
        [sample] = hill.read(SAMPLE)
        sample.section = "World"
        sample.dek = "The Joint Chiefs chairman raised the offer with his Russian counterpart, a report says."
        sample.authors = [AuthorRef("Sam Okafor"), AuthorRef("Priya Raman", role="additional_reporting")]
        importer.add(sample, path=SAMPLE, format_name="hill")
        for record in ARTICLES:
            importer.add(record, path=Path(__file__), format_name="demo")
        importer.close()
        if failures:
            raise CommandError("demo content failed to load:\n" + "\n".join(failures))
        return importer.counts

    def load_embed(self):
        provider = providers.provider_for_url(DEMO_EMBED_URL)
        Embed.objects.get_or_create(
            url=DEMO_EMBED_URL,
            defaults={
                "provider": provider.name,
                "title": DEMO_EMBED_TITLE,
                "author_name": "Blender",
                "frame_url": provider.frame_url(DEMO_EMBED_URL),
            },
        )

    def load_users(self):
        User = get_user_model()
        users = []
        for username, group_name, password, author_name in USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
            user.is_staff = True
            user.set_password(password)
            user.save()
            # The workflow migration creates these groups with their permissions; reuse them if present.
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
            if author_name and not Author.objects.filter(user=user).exists():
                author = Author.objects.filter(name=author_name, user__isnull=True).first()
                if author:
                    author.user = user
                    author.save(update_fields=["user"])
            users.append((username, group_name, password))
        username, password = ADMIN
        admin, _ = User.objects.get_or_create(username=username)
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        users.append((username, "superuser", password))
        return users

    def load_budget(self):
        """A few plans for today and tomorrow (one overdue), by slug; their times follow the calendar."""
        User = get_user_model()
        reporter, editor = User.objects.get(username="reporter"), User.objects.get(username="editor")
        today = timezone.localdate()

        def at(days, hour):
            day = today + datetime.timedelta(days=days)
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

        sections = {s.slug: s for s in Section.objects.all()}
        # slug, working headline, desk, section, status, due (days, hour), slot (days, hour), words
        plans = [
            ("tram-strike", "Tram drivers vote on strike", Desk.NEWS, "news", Story.Status.IN_PROGRESS,
             (0, 0), (0, 12), 600),  # due at midnight: overdue all day
            ("budget-reaction", "Business reacts to the council budget", Desk.BUSINESS, "business",
             Story.Status.ASSIGNED, (0, 16), (0, 18), 800),
            ("derby-preview", "Derby preview: both sides unbeaten", Desk.SPORT, "news", Story.Status.ASSIGNED,
             (1, 10), (1, 12), 500),
            ("summit-explainer", "What the summit could decide", Desk.WORLD, "world", Story.Status.IDEA,
             (1, 15), (1, 17), 1200),
        ]  # fmt: skip
        for slug, headline, desk, section, status, due, slot, words in plans:
            story, _ = Story.objects.update_or_create(
                slug=slug,
                defaults={
                    "working_headline": headline,
                    "desk": desk,
                    "section": sections.get(section),
                    "status": status,
                    "editor": editor,
                    "due_at": at(*due),
                    "publish_slot": at(*slot),
                    "target_words": words,
                },
            )
            story.reporters.set([] if status == Story.Status.IDEA else [reporter])
        return len(plans)

    def load_redirect(self):
        """An old CMS address of a demo story: /2019/harbour-bridge.html answers 301 with the story."""
        article = Article.objects.get(source=SOURCE, external_id="harbour-bridge")
        Redirect.objects.update_or_create(
            old_path="/2019/harbour-bridge.html",
            defaults={
                "new_path": article.get_absolute_url(),
                "status": 301,
                "note": "Demo: the old CMS's URL",
            },
        )
