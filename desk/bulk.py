"""
The article list's bulk actions (publish, unpublish, add or remove a tag, change the section): each
selected article goes through desk.workflow on its own, in its own transaction, with the acting user's
permission checked for it; the report says how many were done and why each refused one was refused.

Publishing runs the pre-publish checks: articles with errors are refused; articles with warnings only (no
tags, no dek, ...) are listed on a confirmation page with their warnings, whose "Publish over warnings"
publishes each of them with override_warnings, again through the workflow (permission, state, approval,
hold and errors checked anew per article), and refuses any that changed since the page was shown.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from articles.models import Section, Status
from desk import workflow
from tags.models import Tag


class TagChoiceForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.order_by("name"), label="Tag")


class SectionChoiceForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.all(), label="Section")


class UnpublishForm(forms.Form):
    comment = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded on every article."
    )


def report(modeladmin, request, label, done, refused, *, note=""):
    """The per-item report: one line for what was done, one per refused article with its reason."""
    level = messages.SUCCESS if done else messages.WARNING
    modeladmin.message_user(request, f"{label}: {done} done{note}, {len(refused)} refused.", level)
    for article, reason in refused:
        modeladmin.message_user(request, f"“{article.headline}” (#{article.pk}): {reason}", messages.ERROR)


def each(queryset, do, *, warned=None):
    """
    Run do(article) for each; (number done, [(article, reason)]). A refused article is left unchanged.
    With a `warned` list, an article whose pre-publish checks found warnings only goes there instead, as
    (article, warnings), for the user to confirm.
    """
    done, refused = 0, []
    for article in queryset.order_by("pk"):
        try:
            do(article)
        except workflow.ChecksFailed as failed:
            if warned is not None and failed.warnings and not failed.errors:
                warned.append((article, failed.warnings))
            else:
                refused.append((article, str(failed).removesuffix(".")))
        except workflow.WorkflowError as error:
            refused.append((article, str(error).removesuffix(".")))
        else:
            done += 1
    return done, refused


def intermediate(modeladmin, request, queryset, form, *, title, action, button):
    """The page that asks for the action's choice (tag, section, reason) before applying it."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "articles": queryset.order_by("pk"),
        "form": form,
        "action": action,
        "button": button,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/articles/article/bulk_action.html", context)


def bulk_publish(modeladmin, request, queryset):
    """
    Publish (or republish an unpublished article); the pre-publish checks and approval apply. Articles
    with warnings only wait on a confirmation page; confirming it publishes them over their warnings.
    """
    override = "apply" in request.POST and request.POST.get("override_warnings") == "1"

    def publish(article):
        action = "republish" if article.status == Status.UNPUBLISHED else "publish"
        # Over warnings, only at the version the confirmation page showed: its warnings may have changed.
        seen = request.POST.get(f"version_{article.pk}", "") if override else None
        if override and not seen.isdigit():
            raise workflow.WorkflowError(
                "Its warnings were not on the page you confirmed: select it again to see them"
            )
        workflow.perform(action, article, request.user, override_warnings=override, expected_version=seen)

    warned = []
    done, refused = each(queryset, publish, warned=None if override else warned)
    note = f", {len(warned)} waiting for you to confirm their warnings" if warned else ""
    report(modeladmin, request, "Publish over warnings" if override else "Publish", done, refused, note=note)
    if not warned:
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Publish over warnings?",
        "opts": modeladmin.model._meta,
        "warned": warned,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/articles/article/bulk_publish_warnings.html", context)


def bulk_unpublish(modeladmin, request, queryset):
    form = UnpublishForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            modeladmin, request, queryset, form, title="Unpublish articles", action="bulk_unpublish",
            button="Unpublish",
        )  # fmt: skip
    comment = form.cleaned_data["comment"]
    done, refused = each(queryset, lambda a: workflow.perform("unpublish", a, request.user, comment=comment))
    report(modeladmin, request, "Unpublish", done, refused)
    return None


def _edit(modeladmin, request, queryset, *, label, comment, **changes):
    unchanged, staged = [], []

    def edit(article):
        article, revision = workflow.edit_article(article, request.user, comment=comment, **changes)
        if revision is None:
            unchanged.append(article)
        elif revision.pending:
            staged.append(article)

    done, refused = each(queryset, edit)
    note = ""
    if staged:
        note += f" ({len(staged)} published: staged as pending edits until “Publish update”)"
    if unchanged:
        note += f" ({len(unchanged)} already so, unchanged)"
    report(modeladmin, request, label, done, refused, note=note)


def bulk_add_tag(modeladmin, request, queryset):
    form = TagChoiceForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            modeladmin, request, queryset, form, title="Add a tag", action="bulk_add_tag", button="Add tag"
        )
    tag = form.cleaned_data["tag"]
    _edit(modeladmin, request, queryset, label=f"Add tag “{tag.name}”", add_tags=[tag],
          comment=f"Tag “{tag.name}” added (bulk action)")  # fmt: skip
    return None


def bulk_remove_tag(modeladmin, request, queryset):
    form = TagChoiceForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            modeladmin, request, queryset, form, title="Remove a tag", action="bulk_remove_tag",
            button="Remove tag",
        )  # fmt: skip
    tag = form.cleaned_data["tag"]
    _edit(modeladmin, request, queryset, label=f"Remove tag “{tag.name}”", remove_tags=[tag],
          comment=f"Tag “{tag.name}” removed (bulk action)")  # fmt: skip
    return None


def bulk_change_section(modeladmin, request, queryset):
    form = SectionChoiceForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            modeladmin, request, queryset, form, title="Change the section", action="bulk_change_section",
            button="Change section",
        )  # fmt: skip
    section = form.cleaned_data["section"]
    _edit(modeladmin, request, queryset, label=f"Move to {section.name}", section=section,
          comment=f"Section changed to {section.name} (bulk action)")  # fmt: skip
    return None


bulk_publish.short_description = "Publish selected articles"
bulk_unpublish.short_description = "Unpublish selected articles…"
bulk_add_tag.short_description = "Add a tag to selected articles…"
bulk_remove_tag.short_description = "Remove a tag from selected articles…"
bulk_change_section.short_description = "Change the section of selected articles…"
ACTIONS = [bulk_publish, bulk_unpublish, bulk_add_tag, bulk_remove_tag, bulk_change_section]
