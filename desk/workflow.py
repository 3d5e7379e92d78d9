"""
The editorial workflow: the one place where an article's status changes and where "who may do what" is
decided (over 500 lines on purpose: every transition, its permission and its checks in one module). The
admin, the publish_scheduled command and the tests all call perform(); nothing else writes Article.status
(tests/desk/test_workflow.py greps for it).

States: draft → in_review → (approved) → scheduled / published → unpublished → published again.

Approval is not a state. `approve` keeps the article in review and records the approval on its latest
revision; any later edit makes a new, unapproved revision, which withdraws the approval. `publish` and
`schedule` are offered only while the latest revision is approved, so what goes live is the approved content.
A publisher's own `publish_update` or `republish` counts as their approval of the revision it publishes.

Roles are permission bundles (Django groups Reporter, Editor, Publisher: desk/roles.py); the code
checks permissions, not group names:
- articles.add_article / change_article: create articles, edit own drafts, submit (Reporter);
- articles.review_article: edit anything not yet published, request changes, approve, legal hold (Editor);
- articles.publish_article: publish, schedule, unschedule, unpublish, republish, edit published articles
  (as staged edits), publish updates, corrections (Publisher). Superusers have every permission.
"""

import dataclasses
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import strip_tags

from articles import signals
from articles.models import (
    Article,
    Byline,
    Correction,
    Revision,
    Section,
    Status,
    snapshot_of,
)
from desk.models import Transition
from desk.notifications import NOTIFY, send_notification

HEADLINE_WARN_LENGTH = 110


class WorkflowError(Exception):
    """A workflow action that cannot be done as asked; the message says why, for the person who asked."""


class ActionNotAllowed(WorkflowError, PermissionDenied):
    """The user may not take this action on the article in its current state (HTTP 403 in the admin)."""


class ChecksFailed(WorkflowError):
    """Pre-publish checks: errors block; warnings block unless overridden."""

    def __init__(self, errors, warnings):
        self.errors, self.warnings = errors, warnings
        problems = errors or warnings
        kind = "cannot be published" if errors else "has warnings (confirm to publish anyway)"
        super().__init__(f"The article {kind}: {'; '.join(problems)}.")


# --- roles -------------------------------------------------------------------------------------------------


def is_publisher(user):
    return user.has_perm("articles.publish_article")


def is_editor(user):
    return user.has_perm("articles.review_article")


def is_own(user, article):
    """The user started the article or shares its byline."""
    if article.pk is None:
        return True
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def can_edit(user, article):
    """May `user` save changes to `article`? (Scheduled articles are frozen: unschedule first.)"""
    if not user.is_authenticated or not user.has_perm("articles.change_article"):
        return False
    if article.pk is None:
        return user.has_perm("articles.add_article")
    if article.status == Status.SCHEDULED:
        return False
    if is_publisher(user):
        return True
    if is_editor(user):
        return article.status in (Status.DRAFT, Status.IN_REVIEW)
    return article.status == Status.DRAFT and is_own(user, article)


def edit_refusal(user, article):
    """Why `user` may not edit `article` now (a sentence), or None if they may: can_edit() explained."""
    if can_edit(user, article):
        return None
    if not user.is_authenticated or not user.has_perm("articles.change_article"):
        return "you may not edit articles"
    if article.status == Status.SCHEDULED:
        return "it is scheduled (frozen): unschedule it first"
    if is_editor(user):
        return f"editors may not edit a {article.get_status_display().lower()} article"
    if article.status != Status.DRAFT:
        return f"it is {article.get_status_display().lower()}, and reporters edit drafts only"
    return "it is not your article"


def visible_articles(user, queryset=None):
    """What the admin lists for `user`: everything for editors; a reporter sees own/shared-byline articles
    in any state plus published ones, never other reporters' drafts."""
    queryset = Article.objects.all() if queryset is None else queryset
    if is_editor(user) or is_publisher(user):
        return queryset
    shares_byline = Exists(Byline.objects.filter(article=OuterRef("pk"), author__user=user))
    return queryset.filter(Q(created_by=user) | shares_byline | Q(status=Status.PUBLISHED))


# --- revisions ---------------------------------------------------------------------------------------------


def latest_revision(article):
    return article.revisions.order_by("-number").select_related("user", "approved_by").first()


def pending_revision(article):
    """The staged edit of a published article waiting for "publish update", if any."""
    latest = latest_revision(article)
    return latest if latest is not None and latest.pending else None


def continue_pending_edit(article):
    """
    Put a published article's staged edit, if it has one, onto the (unsaved) instance: the next edit, in
    the admin's form or through the API, continues the staged edit rather than the live text. Returns the
    pending revision, or None.
    """
    pending = pending_revision(article) if article.status == Status.PUBLISHED else None
    if pending is not None:
        for field in ("headline", "slug", "dek", "body", "canonical_url"):
            setattr(article, field, pending.snapshot.get(field, getattr(article, field)))
        article.section_id = pending.snapshot.get("section")
        article.lead_image_id = pending.snapshot.get("lead_image", article.lead_image_id)
    return pending


def is_approved(article):
    latest = latest_revision(article)
    return latest is not None and latest.is_approved


def record_revision(article, user, *, comment="", is_minor=False, pending=False, snapshot=None):
    """Store the article's current content (or `snapshot`) as its next revision."""
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        version=article.version,
        user=user if user and user.is_authenticated else None,
        snapshot=snapshot if snapshot is not None else snapshot_of(article),
        comment=comment[:500],
        is_minor=is_minor,
        pending=pending,
    )


def stage_edit(article, user, snapshot, *, comment="", is_minor=False):
    """
    An edit of a published article: kept as a pending revision, the live row untouched, except that the
    lock version moves on so a concurrent editor's save is refused (raises VersionConflict if stale).
    """
    with transaction.atomic():
        article.save(update_fields=["modified_at"])
        return record_revision(
            article, user, comment=comment, is_minor=is_minor, pending=True, snapshot=snapshot
        )


def apply_snapshot(article, snapshot):
    """Write a revision's content onto the article row, its bylines and tags (for restore and updates)."""
    article.headline = snapshot.get("headline", article.headline)
    article.slug = snapshot.get("slug", article.slug)
    article.dek = snapshot.get("dek", "")
    article.body = snapshot.get("body", "")
    article.canonical_url = snapshot.get("canonical_url", "")
    if "lead_image" in snapshot:  # snapshots from before images existed leave the lead image alone
        from images.models import Image

        image_id = snapshot["lead_image"]
        article.lead_image_id = image_id if image_id and Image.objects.filter(pk=image_id).exists() else None
    section_id = snapshot.get("section")
    article.section_id = section_id if section_id and Section.objects.filter(pk=section_id).exists() else None
    article.save()
    from authors.models import Author

    wanted = snapshot.get("bylines", [])
    existing_authors = set(
        Author.objects.filter(pk__in=[b["author"] for b in wanted]).values_list("pk", flat=True)
    )
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author_id=b["author"], role=b["role"], position=b["position"])
        for b in wanted
        if b["author"] in existing_authors
    )
    article.tags.set(snapshot.get("tags", []))
    return article


def edit_article(article, user, *, section=None, add_tags=(), remove_tags=(), comment=""):
    """
    Change an article's section or tags as `user` (the admin's bulk actions), as the form would: refused
    with the reason (ActionNotAllowed) unless can_edit(); a draft or article in review gets a new revision,
    a published one a staged edit (pending until "publish update"). Atomic. Returns (article, revision),
    the revision None when the article already was as asked.
    """
    with transaction.atomic():
        article = (
            Article.objects.select_for_update(of=("self",))  # the section's outer join is not locked
            .prefetch_related("bylines__author", "tagged_items__tag")
            .select_related("section")
            .get(pk=article.pk)
        )
        reason = edit_refusal(user, article)
        if reason:
            raise ActionNotAllowed(f"Cannot edit: {reason}.")
        pending = pending_revision(article) if article.status == Status.PUBLISHED else None
        base = dict(pending.snapshot) if pending is not None else snapshot_of(article)
        content = dict(base)
        if section is not None:
            content["section"], content["section_name"] = section.pk, section.name
        names = {name.casefold(): name for name in content["tags"]}
        for tag in add_tags:
            names.setdefault(tag.name.casefold(), tag.name)
        for tag in remove_tags:
            names.pop(tag.name.casefold(), None)
        content["tags"] = sorted(names.values(), key=str.casefold)
        if content == base:
            return article, None  # already so: no revision
        if article.status == Status.PUBLISHED:
            return article, stage_edit(article, user, content, comment=comment)
        apply_snapshot(article, content)
        return article, record_revision(article, user, comment=comment)


def restore_revision(article, revision, user):
    """Restoring never erases: it makes a new revision with old content (pending if the article is live)."""
    comment = f"Restored revision {revision.number}"
    if article.status == Status.PUBLISHED:
        return stage_edit(article, user, revision.snapshot, comment=comment)
    with transaction.atomic():
        apply_snapshot(article, revision.snapshot)
        return record_revision(article, user, comment=comment)


# --- pre-publish checks ------------------------------------------------------------------------------------


def _lead_image_without_alt(article):
    # Images arrive in a later issue; this works once Article has a `lead_image` (with `alt_text`) or a
    # `lead_image_alt` field, and is silent before.
    image = getattr(article, "lead_image", None)
    if not image:
        return False
    alt = getattr(article, "lead_image_alt", None) or getattr(image, "alt_text", None) or ""
    return not alt.strip()


def check_article(article, snapshot=None):
    """(errors, warnings) for publishing `article`, or the content in `snapshot` if given."""
    content = snapshot or snapshot_of(article)
    errors, warnings = [], []
    if not content["headline"].strip():
        errors.append("the headline is empty")
    body_text = re.sub(r"(&nbsp;|\s)+", "", strip_tags(content["body"] or ""))
    if not body_text:
        errors.append("the body is empty")
    if not content["bylines"]:
        errors.append("there is no byline")
    if not content["section"]:
        errors.append("no section is chosen")
    if not content["tags"]:
        warnings.append("there are no tags")
    if not content["dek"].strip():
        warnings.append("there is no dek")
    if len(content["headline"]) > HEADLINE_WARN_LENGTH:
        warnings.append(f"the headline is longer than {HEADLINE_WARN_LENGTH} characters")
    if _lead_image_without_alt(article):
        warnings.append("the lead image has no alt text")
    return errors, warnings


# --- actions -----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_states: tuple
    to_status: str | None  # None: the status stays
    role: str  # "author" (may edit the draft), "editor", "publisher"
    comment: str = "optional"  # "optional" or "required"
    checks: bool = False  # run the pre-publish checks
    needs_approval: bool = False
    blocked_by_hold: bool = False
    help: str = ""


S = Status
ACTIONS = {
    a.name: a
    for a in [
        Action("submit", "Submit for review", (S.DRAFT,), S.IN_REVIEW, "author"),
        Action(
            "request_changes", "Request changes", (S.IN_REVIEW,), S.DRAFT, "editor", comment="required",
            help="Sends it back to the reporter; say what to change.",
        ),
        Action("approve", "Approve", (S.IN_REVIEW,), None, "editor", help="Approves the current revision."),
        Action(
            "publish", "Publish now", (S.IN_REVIEW, S.SCHEDULED), S.PUBLISHED, "publisher",
            checks=True, needs_approval=True, blocked_by_hold=True,
        ),
        Action(
            "schedule", "Schedule", (S.IN_REVIEW,), S.SCHEDULED, "publisher",
            checks=True, needs_approval=True, blocked_by_hold=True,
        ),
        Action("unschedule", "Unschedule", (S.SCHEDULED,), S.IN_REVIEW, "publisher"),
        Action(
            "unpublish", "Unpublish", (S.PUBLISHED, S.SCHEDULED), S.UNPUBLISHED, "publisher",
            comment="required", help="Takes it off the site; give the reason.",
        ),
        Action(
            "republish", "Republish", (S.UNPUBLISHED,), S.PUBLISHED, "publisher",
            checks=True, blocked_by_hold=True,
        ),
        Action(
            "publish_update", "Publish update", (S.PUBLISHED,), None, "publisher",
            checks=True, blocked_by_hold=True, help="Makes the pending edit live.",
        ),
        Action(
            "discard_update", "Discard pending edit", (S.PUBLISHED,), None, "publisher",
            help="Drops the pending edit; the live version stays.",
        ),
        Action(
            "hold", "Set legal hold", tuple(Status), None, "editor", comment="required",
            help="Blocks publishing and scheduling until lifted; give the reason.",
        ),
        Action("lift_hold", "Lift legal hold", tuple(Status), None, "editor", comment="required"),
    ]
}  # fmt: skip
# Done by publish_scheduled, never offered to people.
SYSTEM_ACTIONS = {
    "go_live": Action("go_live", "Go live", (S.SCHEDULED,), S.PUBLISHED, "system"),
    "expire": Action("expire", "Expire", (S.PUBLISHED,), S.UNPUBLISHED, "system"),
}


def _has_role(user, article, role):
    if role == "publisher":
        return is_publisher(user)
    if role == "editor":
        return is_editor(user)
    if role == "author":
        return can_edit(user, article)
    return False


def refusal(action, user, article, *, latest=None):
    """Why `user` may not take `action` on `article` now (a sentence), or None if they may."""
    spec = ACTIONS.get(action)
    if spec is None:
        return f"“{action}” is not a workflow action"
    if user is None or not user.is_authenticated or not user.is_active:
        return "you are not logged in"
    if not _has_role(user, article, spec.role):
        return f"you may not {spec.label.lower()} this article"
    if article.status not in spec.from_states:
        return f"not possible while the article is {article.get_status_display().lower()}"
    if spec.blocked_by_hold and article.legal_hold:
        return "the article is on legal hold"
    # A scheduled article whose time has come is live before the scheduler marks it published: taking it
    # down is an unpublish (with its reason), not an unschedule.
    if action == "unschedule" and article.is_published():
        return "it is already live; unpublish it instead"
    if action == "unpublish" and article.status == S.SCHEDULED and not article.is_published():
        return "it is not live yet; unschedule it instead"
    if action == "hold" and article.legal_hold:
        return "the article is already on legal hold"
    if action == "lift_hold" and not article.legal_hold:
        return "the article is not on legal hold"
    if action in ("approve", "publish", "schedule", "publish_update", "discard_update"):
        latest = latest if latest is not None else latest_revision(article)
        approved = latest is not None and latest.is_approved
        if action == "approve" and approved:
            return "the current revision is already approved"
        if spec.needs_approval and article.status == S.IN_REVIEW and not approved:
            return "the current revision is not approved yet"
        if action in ("publish_update", "discard_update") and not (latest and latest.pending):
            return "there is no pending edit"
    return None


def available_actions(user, article, *, latest=None):
    """The actions `user` may take on `article` now, in display order."""
    if latest is None and article.pk:
        latest = latest_revision(article)
    return [spec for name, spec in ACTIONS.items() if refusal(name, user, article, latest=latest) is None]


def perform(
    action,
    article,
    user,
    *,
    comment="",
    publish_at=None,
    override_warnings=False,
    expected_version=None,
    now=None,
):
    """
    Do `action` to `article` as `user` (None only for the scheduler's system actions).

    Checks the permission and the current state (ActionNotAllowed), the comment and time (WorkflowError),
    the pre-publish checks (ChecksFailed); then writes the new state and a Transition in one transaction.
    Notifications and signals go out after commit. `expected_version` (the version the person was looking
    at) refuses the action if someone changed the article meanwhile. Returns the updated article.
    """
    now = now or timezone.now()
    comment = (comment or "").strip()
    system = action in SYSTEM_ACTIONS
    with transaction.atomic():
        # Work on the current row, locked on PostgreSQL (SQLite serializes writers anyway).
        article = Article.objects.select_for_update().get(pk=article.pk)
        if system:
            spec = SYSTEM_ACTIONS[action]
            if article.status not in spec.from_states:
                raise WorkflowError(f"{action}: article {article.pk} is {article.status}")
        else:
            spec = ACTIONS.get(action)
            reason = refusal(action, user, article)
            if reason:
                raise ActionNotAllowed(f"Cannot {spec.label.lower() if spec else action}: {reason}.")
        if expected_version is not None and int(expected_version) != article.version:
            raise WorkflowError(
                "The article changed since you loaded it (it is now at version "
                f"{article.version}, you saw {expected_version}); reload and try again."
            )
        if spec.comment == "required" and not comment:
            raise WorkflowError(f"{spec.label}: a comment is required. {spec.help}".strip())
        if action == "schedule":
            if publish_at is None:
                raise WorkflowError("Schedule: give the date and time to publish at.")
            if publish_at <= now:
                raise WorkflowError(
                    f"Schedule: the publish time {publish_at:%Y-%m-%d %H:%M %Z} is not in the future."
                )

        latest = latest_revision(article)
        if latest is None:  # articles made before the workflow (imports): snapshot them first
            latest = record_revision(article, user, comment="Snapshot taken by the workflow")
        if spec.checks:
            snapshot = latest.snapshot if action == "publish_update" else None
            errors, warnings = check_article(article, snapshot)
            if errors or (warnings and not override_warnings):
                raise ChecksFailed(errors, warnings)

        from_status = article.status
        _apply(action, article, latest, user, now=now, publish_at=publish_at, comment=comment)
        if spec.to_status is not None:
            article.status = spec.to_status
        article.save()
        if action == "publish_update":  # the applied revision now describes the live row
            Revision.objects.filter(pk=latest.pk).update(version=article.version)
        transition = Transition.objects.create(
            article=article,
            actor=user if user is not None and user.is_authenticated else None,
            action=action,
            from_status=from_status,
            to_status=article.status,
            comment=comment,
            version=article.version,
            created_at=now,
        )
        transaction.on_commit(lambda: _after_commit(article, transition, user))
    return article


def _apply(action, article, latest, user, *, now, publish_at, comment):
    """The field changes of each action, besides the status."""
    if action in ("approve", "publish", "schedule", "republish", "publish_update") and not latest.is_approved:
        Revision.objects.filter(pk=latest.pk).update(approved_by=user, approved_at=now)
    elif action == "request_changes":  # the reviewed content was not good enough: no approval stands
        Revision.objects.filter(pk=latest.pk).update(approved_by=None, approved_at=None)
    if action == "publish":
        article.published_at = now
        article.publish_at = None
    elif action == "schedule":
        # Invariant for public lists: a scheduled article's published_at is its publish_at.
        article.publish_at = publish_at
        article.published_at = publish_at
    elif action == "unschedule":
        article.publish_at = None
        article.published_at = None
    elif action == "unpublish":
        article.publish_at = None  # a scheduled article taken down while live keeps its published_at
    elif action == "go_live":
        article.published_at = article.publish_at or now
    elif action == "republish":
        article.published_at = article.published_at or now
        article.updated_at = now
    elif action == "publish_update":
        apply_snapshot(article, latest.snapshot)
        Revision.objects.filter(pk=latest.pk).update(pending=False)
        if not latest.is_minor:
            article.updated_at = now
    elif action == "discard_update":
        # The newest revision describes the live row again; the discarded one stays in the history.
        Revision.objects.filter(pk=latest.pk).update(
            pending=False, comment=f"{latest.comment} (discarded)"[:500]
        )
        record_revision(article, user, comment=f"Discarded pending revision {latest.number}")
    elif action == "hold":
        article.legal_hold = True
        article.legal_hold_reason = comment
    elif action == "lift_hold":
        article.legal_hold = False
        article.legal_hold_reason = ""


def add_correction(article, user, *, kind, text, now=None):
    """A publisher appends a public correction or clarification; it bumps the public 'updated' time."""
    now = now or timezone.now()
    if not (user and is_publisher(user)):
        raise ActionNotAllowed("Only publishers may add corrections.")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Correction: the text is required.")
    if kind not in Correction.Kind.values:
        kinds = ", ".join(Correction.Kind.values)
        raise WorkflowError(f"Correction: unknown type {kind!r}; use one of {kinds}.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status != Status.PUBLISHED:
            raise WorkflowError("Corrections can only be added to published articles.")
        correction = Correction.objects.create(
            article=article, kind=kind, text=text, created_by=user, created_at=now
        )
        article.updated_at = now
        article.save(update_fields=["updated_at", "modified_at"])
        record_revision(article, user, comment=f"{correction.get_kind_display()} added: {text[:400]}")
        transaction.on_commit(
            lambda: signals.article_changed.send(Article, article=article, action="correction", actor=user)
        )
    return correction


# --- after commit: signals and notifications ---------------------------------------------------------------


def _after_commit(article, transition, user):
    action = transition.action
    # Cache purge and other listeners hook in here (articles/signals.py).
    signals.article_changed.send(Article, article=article, action=action, actor=user)
    if action in ("publish", "go_live", "republish", "publish_update"):
        signals.article_published.send(Article, article=article, action=action, actor=user)
    elif action in ("unpublish", "expire"):
        signals.article_unpublished.send(Article, article=article, action=action, actor=user)
    if action in NOTIFY:  # e-mail is the worker's job (desk/notifications.py): a slow mail server never
        send_notification.enqueue(transition.pk)  # holds up the desk


# --- scheduling --------------------------------------------------------------------------------------------


def due_for_publishing(now):
    return Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now, legal_hold=False)


def due_for_expiry(now):
    return Article.objects.filter(status=Status.PUBLISHED, unpublish_at__lte=now)


def run_scheduled(now=None, *, dry_run=False):
    """
    Finalize what time has already decided: scheduled articles whose publish_at has passed become
    published (published_at = publish_at), published ones past unpublish_at become unpublished.

    Safe to run concurrently: each article is claimed with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL
    (another run skips it) and re-checked inside its own transaction; the versioned UPDATE refuses a
    double transition anywhere else. Returns (published, expired) lists of article ids.
    """
    now = now or timezone.now()
    done = {"go_live": [], "expire": []}
    for action, due in (("go_live", due_for_publishing), ("expire", due_for_expiry)):
        ids = list(due(now).order_by("pk").values_list("pk", flat=True))
        if dry_run:
            done[action] = ids
            continue
        for pk in ids:
            with transaction.atomic():
                claimed = due(now).filter(pk=pk).select_for_update(skip_locked=True).first()
                if claimed is None:  # another run has it, or it changed
                    continue
                perform(action, claimed, None, now=now)
                done[action].append(pk)
    return done["go_live"], done["expire"]
