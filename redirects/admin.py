from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from redirects import importing
from redirects.models import Redirect


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Rows old_path,new_path,status (status empty: 301).")


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "new_path", "status", "hit_count", "last_hit", "created_by", "note"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    search_fields = ["old_path", "new_path", "note"]
    readonly_fields = ["hit_count", "last_hit", "created_by", "created_at"]
    fields = ["old_path", "new_path", "status", "note", "hit_count", "last_hit", "created_by", "created_at"]
    change_list_template = "admin/redirects/redirect/change_list.html"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.save()

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="redirects_redirect_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = importing.import_csv(form.cleaned_data["file"].read(), request.user)
            if not result.errors:
                self.message_user(
                    request,
                    f"Imported: {result.created} redirect(s) created, {result.updated} updated.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:redirects_redirect_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import redirects from CSV",
            "form": form,
            "result": result,
        }
        status = 400 if result is not None and result.errors else 200
        return TemplateResponse(request, "admin/redirects/redirect/import.html", context, status=status)
