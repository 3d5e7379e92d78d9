"""
The article form of the admin: the body editor (prose editor, then our allow-list), tag names with
suggestions, and optimistic locking (a stale version is a validation error saying who changed what).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.forms import TagField

from articles.models import Article, snapshot_of
from articles.sanitize import sanitize_html
from desk import autosave, workflow
from desk.diffs import diff_snapshots
from tags.models import Tag

# What the body editor offers; everything it produces is then cleaned by our own allow-list
# (articles.sanitize), the same one imports go through.
PROSE_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Strike": True,
        "Underline": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False},
        "History": True,
    }
}


class TagInput(forms.TextInput):
    """Comma-separated tag names with suggestions from existing tags (a <datalist> filled by tag-input.js)."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "list": "tag-suggestions",
                "autocomplete": "off",
                "class": "vTextField tag-input",
                "data-suggestions-url": reverse_lazy("admin:articles_article_tag_suggestions"),
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        names = [getattr(tag, "name", tag) for tag in value]
        return ", ".join(f'"{n}"' if "," in n else n for n in sorted(names, key=str.casefold))


class ArticleAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        config=PROSE_EDITOR_CONFIG, sanitize=sanitize_html, required=False, widget=AdminProseEditorWidget
    )
    tags = TagField(
        required=False,
        widget=TagInput,
        help_text="Comma-separated; new names become new tags. Suggestions appear as you type.",
    )
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    is_minor = forms.BooleanField(
        label="Minor edit", required=False, help_text="A typo fix: the public “updated” time stays as it is."
    )
    revision_comment = forms.CharField(
        label="What changed", required=False, max_length=500, help_text="Optional; shown in the history."
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "dek",
            "body",
            "section",
            "tags",
            "slug",
            "canonical_url",
            "source",
            "external_id",
        ]
        widgets = {"dek": forms.Textarea(attrs={"rows": 2})}

    class Media:
        js = ["articles/admin/workflow.js", "articles/admin/autosave.js"]
        css = {"all": ["articles/admin/workflow.css"]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pending = getattr(self.instance, "pending_snapshot", None)
        if pending is not None:
            self.initial["tags"] = [Tag(name=name) for name in pending["tags"]]
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.version
        restored = getattr(self.instance, "restored_autosave", None)
        if restored is not None and not self.is_bound:
            # Saved against the version the autosaved form was loaded at: a colleague's save since then
            # is shown as a conflict, not overwritten.
            self.initial.update(autosave.form_initial(restored, self))
            if self.initial.get("body"):  # typed into a browser: clean it before the editor shows it
                self.initial["body"] = sanitize_html(self.initial["body"])
            self.initial["loaded_version"] = restored.based_on_version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        loaded = cleaned.get("loaded_version")
        # Locks the row until the admin's transaction ends (PostgreSQL), so nobody saves in between.
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if loaded is not None and current is not None and loaded != current:
            # Keep everything typed; the next save (after reading the changes) is against the current version.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(current)
            raise ValidationError(conflict_message(self.instance, loaded))
        return cleaned


def staged_snapshot(article, form):
    """
    The revision snapshot of a valid ArticleAdminForm's content, for a staged edit of a live article (the
    admin's and the API's): `article` is the form's instance, carrying the form's values unsaved; its
    bylines are the saved ones (the admin replaces them with its inline's).
    """
    snapshot = snapshot_of(article)
    section = form.cleaned_data.get("section")
    snapshot["section"] = section.pk if section else None
    snapshot["section_name"] = section.name if section else ""
    snapshot["body"] = sanitize_html(snapshot["body"])
    snapshot["tags"] = sorted(form.cleaned_data.get("tags") or [], key=str.casefold)
    return snapshot


def conflict_message(article, loaded_version):
    """Who saved since `loaded_version`, when, and what they changed (HTML, escaped)."""
    revisions = list(
        article.revisions.filter(version__gt=loaded_version).select_related("user").order_by("number")
    )
    transitions = list(
        article.transitions.filter(version__gt=loaded_version).select_related("actor").order_by("pk")
    )
    events = [
        (r.created_at, r.user.get_username() if r.user else "someone", f"saved revision {r.number}")
        for r in revisions
    ] + [(t.created_at, t.actor_name, f"did “{t.action}”") for t in transitions]
    events.sort()
    who = (
        format_html_join(
            "; ",
            "{} {} at {}",
            (
                (name, what, timezone.localtime(when).strftime("%H:%M:%S on %Y-%m-%d"))
                for when, name, what in events
            ),
        )
        or "someone"
    )
    base = article.revisions.filter(version__lte=loaded_version).order_by("-number").first()
    latest = revisions[-1] if revisions else None
    changes = ""
    if base and latest:
        changes = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (label, ", ".join(f"{sign} {text}" for sign, text in rows if sign != " ")[:300])
                for label, rows in diff_snapshots(base.snapshot, latest.snapshot)
            ),
        )
    return format_html(
        "This article was changed after you opened it: {}. Your edits are kept below and were NOT saved. "
        "What they changed: <ul class='conflict-diff'>{}</ul>Review it, then save again to overwrite.",
        who,
        changes or format_html("<li>{}</li>", "state or settings only"),
    )


def parse_local_datetime(value):
    """A <input type=datetime-local> value in the current time zone, or None."""
    if not value:
        return None
    try:
        naive = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise workflow.WorkflowError(
            f"“{value}” is not a date and time (expected YYYY-MM-DDTHH:MM)."
        ) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive
