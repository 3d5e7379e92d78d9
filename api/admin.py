"""
Tokens are created in the admin, for oneself only. The admin already requires a two-factor-verified session
for staff (accounts/middleware.py); creating a token checks it again, since the token then stands in for
that session (docs/api.md, "Tokens and two-factor").
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from api.models import Scope, Token


def is_verified(request):
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    fields = ["name", "scopes", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "scopes":
            from django import forms

            return forms.TypedMultipleChoiceField(
                choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.user_id == request.user.pk or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request):
        return request.user.is_staff

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        if not is_verified(request):
            raise PermissionDenied("Creating an API token needs a two-factor-verified session.")
        token, key = Token.issue(
            request.user, name=obj.name, scopes=form.cleaned_data["scopes"], expires_at=obj.expires_at
        )
        obj.pk = token.pk
        obj.__dict__.update(Token.objects.filter(pk=token.pk).values()[0])
        messages.warning(request, f"Your new key (shown once, copy it now): {key}")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
