from django import template

from planning.models import Story

register = template.Library()


@register.inclusion_tag("admin/planning/story/my_assignments.html", takes_context=True)
def my_assignments(context):
    """The desk dashboard's "My assignments": the signed-in reporter's open plans (one query)."""
    user = context["request"].user
    if not user.has_perm("planning.view_story"):
        return {"hidden": True, "assignments": []}
    return {"assignments": list(Story.objects.assigned_to(user)[:50])}
