"""
"Create draft from plan": the article a plan asks for, started as a draft with the plan's working headline,
section and the assigned reporters' bylines, and its first revision recorded by the workflow.
"""

from django.db import transaction

from articles.models import Article, Byline, Status
from authors.models import Author
from desk import workflow
from planning.models import Story


class DraftRefused(Exception):
    """The plan cannot be drafted (already drafted, or not by this user); the message says why."""


def may_update_status(user, story):
    """Editors change any plan; a reporter with the status permission moves only plans assigned to them."""
    if user.has_perm("planning.change_story"):
        return True
    return user.has_perm("planning.update_story_status") and story.is_assigned_to(user)


def draft_refusal(user, story):
    if story.article_id is not None:
        return "it already has an article"
    if story.status in Story.DONE:
        return f"the plan is {story.get_status_display().lower()}"
    if not user.has_perm("articles.add_article"):
        return "you may not create articles"
    if not may_update_status(user, story):
        return "the plan is not assigned to you"
    return None


def create_draft(story, user):
    """The plan's draft article (raises DraftRefused); an assigned plan moves on to "in progress"."""
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        reason = draft_refusal(user, story)
        if reason:
            raise DraftRefused(f"Cannot create a draft from “{story.slug}”: {reason}.")
        article = Article.objects.create(
            headline=story.working_headline, section=story.section, status=Status.DRAFT, created_by=user
        )
        reporters = list(story.reporters.order_by("pk"))
        authors = {author.user_id: author for author in Author.objects.filter(user__in=reporters)}
        for position, reporter in enumerate(reporters):
            author = authors.get(reporter.pk) or Author.objects.create(
                name=reporter.get_full_name() or reporter.get_username(), user=reporter
            )
            Byline.objects.create(article=article, author=author, position=position)
        workflow.record_revision(article, user, comment=f"Drafted from the plan “{story.slug}”")
        story.article = article
        if story.status == Story.Status.ASSIGNED:
            story.status = Story.Status.IN_PROGRESS
        story.save(update_fields=["article", "status", "modified_at"])
    return article
