"""
The content API (docs/api.md). Anonymous reads see Article.objects.published() only and are served through
the public page cache (public.cache.public_page: same generation, ETag, 304, purge). A Bearer token's
requests are never cached; `read:drafts` widens reads to what the admin lists for the token's user.
Writes go through the admin's form (validation, sanitizing, optimistic locking) and desk.workflow.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api.models import Scope
from api.rows import LIST_FILTERS, PublishedPage, article_rows, articles_json, filtered, rows_json
from api.serializers import (
    ArticleSerializer,
    ArticleSummarySerializer,
    ArticleWriteSerializer,
    AuthorSerializer,
    ImageSerializer,
    SectionSerializer,
    StagedEditSerializer,
    TagSerializer,
    TransitionSerializer,
    articles_for_api,
)
from articles.models import Article, Section, Status, VersionConflict, snapshot_of
from authors.models import Author
from desk import workflow
from desk.forms import ArticleAdminForm, staged_snapshot
from images.models import Image
from public.cache import public_page
from tags.models import Tag


def token_of(request):
    return request.auth if request.auth is not None and hasattr(request.auth, "has_scope") else None


def has_scope(request, scope):
    token = token_of(request)
    return token is not None and token.has_scope(scope)


def visible_articles(request):
    if has_scope(request, Scope.READ_DRAFTS):
        return workflow.visible_articles(request.user)
    return Article.objects.published()


class ArticleCursor(CursorPagination):
    ordering = "-id"  # unique and never changes: a cursor stays valid while articles are edited
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"

    def _get_position_from_instance(self, instance, ordering):
        # The list pages through article_rows() tuples, whose first column is the id (the ordering).
        return (
            str(instance[0])
            if isinstance(instance, tuple)
            else super()._get_position_from_instance(instance, ordering)
        )


FILTERS = [
    OpenApiParameter("section", str, description="A section's slug."),
    OpenApiParameter("tag", str, description="A tag's slug."),
    OpenApiParameter("author", str, description="An author's slug."),
    OpenApiParameter("updated_since", str, description="ISO 8601; articles changed at or after it."),
    OpenApiParameter("fields", str, description="`body`: include each article's body (left out by default)."),
]


@extend_schema(parameters=FILTERS, methods=["GET"], responses=ArticleSummarySerializer(many=True))
class ArticleList(generics.ListAPIView):
    """Articles newest first, without their bodies unless `?fields=body` (the detail always has it)."""

    serializer_class = ArticleSerializer
    pagination_class = ArticleCursor

    def filters(self):
        """The list's filters given in the query string, parsed."""
        params = self.request.query_params
        filters = {name: params[name] for name in LIST_FILTERS if params.get(name)}
        if "updated_since" in filters:
            filters["updated_since"] = parse_datetime(filters["updated_since"])
            if filters["updated_since"] is None:
                raise ValidationError({"updated_since": ["Give an ISO 8601 date and time."]})
        return filters

    def with_body(self):
        return "body" in self.request.query_params.get("fields", "").split(",")

    def get_queryset(self):
        body = self.with_body()
        if has_scope(self.request, Scope.READ_DRAFTS):
            articles = filtered(workflow.visible_articles(self.request.user), **self.filters())
            return article_rows(articles, body=body)
        return PublishedPage(timezone.now(), self.filters(), body=body)

    def list(self, request, *args, **kwargs):
        # The paginator reads the page's rows, sections joined; the JSON is written from them (api/rows.py).
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(rows_json(page, body=self.with_body()))

    @extend_schema(request=ArticleWriteSerializer, responses={201: ArticleSerializer})
    def post(self, request):
        require_scope(request, Scope.WRITE_DRAFTS)
        form = ArticleAdminForm(data=form_data(request.data))
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data(escape_html=True))
        with transaction.atomic():
            article = form.save(commit=False)
            article.created_by = request.user
            article.save()
            form.save_m2m()
            article.refresh_from_db(fields=["version"])
            workflow.record_revision(article, request.user, comment=request.data.get("comment") or "Created")
        return article_response(request, article, status.HTTP_201_CREATED)


def require_scope(request, scope):
    if not has_scope(request, scope):
        raise PermissionDenied(f"This needs a token with the `{scope}` scope.")


def tag_text(names):
    """Tag names as the admin's tag field reads them (a name with a comma quoted)."""
    return ", ".join(f'"{name}"' if "," in name else name for name in names)


def form_data(data, article=None, *, tag_names=None):
    """
    The admin form's fields from JSON, the article's current values where PATCH leaves them out (its tags,
    or `tag_names`: a staged edit's).
    """
    fields = ArticleAdminForm._meta.fields
    values = {}
    if article is not None:
        for field in fields:
            values[field] = getattr(article, field + "_id" if field == "section" else field, "")
        values["tags"] = tag_text(
            tag_names if tag_names is not None else [t.name for t in article.tags.all()]
        )
        values["loaded_version"] = article.version
    for field in fields:
        if field in data:
            value = data[field]
            if field == "tags" and isinstance(value, list):
                value = tag_text(value)
            values[field] = "" if value is None else value
    return values


def article_response(request, article, code=status.HTTP_200_OK):
    article = articles_for_api(Article.objects.filter(pk=article.pk)).get()
    response = Response(ArticleSerializer(article, context={"request": request}).data, status=code)
    response["ETag"] = f'"{article.version}"'
    return response


def expected_version(request, article):
    """The version the client wrote against, from If-Match (the ETag a token's GET returned)."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    try:
        return int(header.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ValidationError({"If-Match": ["Give the article's version, as in its ETag."]}) from None


IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The article's version (its ETag)."
)


class ArticleDetail(generics.RetrieveAPIView):
    serializer_class = ArticleSerializer

    def get_queryset(self):
        return visible_articles(self.request)

    def retrieve(self, request, *args, **kwargs):
        lookup = {self.lookup_field: kwargs[self.lookup_field]}
        article = get_object_or_404(self.get_queryset().only("pk"), **lookup)
        response = Response(articles_json([article.pk])[0])
        if token_of(request) is not None:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(
        request=ArticleWriteSerializer,
        responses={200: ArticleSerializer, 202: StagedEditSerializer},
        parameters=[IF_MATCH],
        description=(
            "Edit an article (`write:drafts`). A published article's edit needs `publish` too and a user "
            "who may edit live articles; as in the admin it is staged: saved as a pending revision (202), "
            "the live version unchanged until the `publish_update` transition."
        ),
    )
    def patch(self, request, pk):
        require_scope(request, Scope.WRITE_DRAFTS)
        article = get_object_or_404(workflow.visible_articles(request.user), pk=pk)
        live = article.status == Status.PUBLISHED
        if live:
            require_scope(request, Scope.PUBLISH)
        refusal = workflow.edit_refusal(request.user, article)
        if refusal:
            raise PermissionDenied(f"You may not edit this article: {refusal}.")
        version = expected_version(request, article)
        if version is None:
            return precondition_response(428, "Send If-Match with the article's version (its ETag).")
        if version != article.version:
            return precondition_response(
                412, f"The article is at version {article.version}, you wrote against {version}; reload."
            )
        if live:
            return stage_live_edit(request, article, version)
        data = form_data(request.data, article)
        data["loaded_version"] = version
        with transaction.atomic():
            form = ArticleAdminForm(data=data, instance=article)
            if not form.is_valid():
                if "__all__" in form.errors:  # the form's own version check lost a race
                    return precondition_response(412, form.errors["__all__"][0])
                raise ValidationError(form.errors.get_json_data(escape_html=True))
            article = form.save(commit=False)
            article.version = version  # the UPDATE matches only this version (Article._do_update)
            article.save()
            form.save_m2m()
            article.refresh_from_db(fields=["version"])
            workflow.record_revision(article, request.user, comment=request.data.get("comment") or "")
        return article_response(request, article)


# Stored on the article row, not in a revision: a staged edit cannot carry them.
NOT_STAGED = ("source", "external_id")


def stage_live_edit(request, article, version):
    """
    A published article's edit, as the admin makes it (desk/admin.py, save_related): validated by the same
    form, kept as a pending revision that continues an earlier staged edit; readers keep the live version
    until a publisher's `publish_update` (blocked by a legal hold, like publishing).
    """
    unchanged = {field: getattr(article, field) for field in NOT_STAGED}
    pending = workflow.continue_pending_edit(article)
    bylines = pending.snapshot["bylines"] if pending is not None else snapshot_of(article)["bylines"]
    data = form_data(request.data, article, tag_names=pending.snapshot["tags"] if pending else None)
    data["loaded_version"] = version
    with transaction.atomic():
        form = ArticleAdminForm(data=data, instance=article)
        if not form.is_valid():
            if "__all__" in form.errors:
                return precondition_response(412, form.errors["__all__"][0])
            raise ValidationError(form.errors.get_json_data(escape_html=True))
        changed = [field for field in NOT_STAGED if form.cleaned_data.get(field) != unchanged[field]]
        if changed:
            raise ValidationError(
                {
                    field: ["Not part of a staged edit: change it while the article is not live."]
                    for field in changed
                }
            )
        snapshot = staged_snapshot(article, form)
        snapshot["bylines"] = bylines
        fresh = Article.objects.get(pk=article.pk)
        fresh.version = version  # stage_edit's save matches only this version
        try:
            revision = workflow.stage_edit(
                fresh, request.user, snapshot, comment=request.data.get("comment") or ""
            )
        except VersionConflict:
            return precondition_response(412, "The article changed while you saved; reload.")
    fresh.refresh_from_db(fields=["version"])
    response = Response(
        {
            "detail": (
                f"Saved as pending revision {revision.number}: readers see the live version until the "
                "publish_update transition."
            ),
            "revision": revision.number,
            "version": fresh.version,
        },
        status=status.HTTP_202_ACCEPTED,
    )
    response["ETag"] = f'"{fresh.version}"'
    return response


def precondition_response(code, message):
    return Response({"detail": message}, status=code)


class ArticleBySlug(ArticleDetail):
    lookup_field = "slug"
    http_method_names = ["get", "head", "options"]  # writes go to the article's id (a slug can change)


class ArticleTransitions(generics.GenericAPIView):
    serializer_class = TransitionSerializer

    @extend_schema(request=TransitionSerializer, responses={200: ArticleSerializer}, parameters=[IF_MATCH])
    def post(self, request, pk):
        action = request.data.get("transition", "")
        # The publisher's actions (publish, schedule, unpublish, republish, publish or discard an update, …)
        # need the `publish` scope; the others `write:drafts`.
        spec = workflow.ACTIONS.get(action)
        require_scope(
            request, Scope.PUBLISH if spec is not None and spec.role == "publisher" else Scope.WRITE_DRAFTS
        )
        article = get_object_or_404(workflow.visible_articles(request.user), pk=pk)
        if action not in workflow.ACTIONS:
            raise ValidationError({"transition": [f"Unknown transition; one of {sorted(workflow.ACTIONS)}."]})
        version = expected_version(request, article)
        if version is None:
            return precondition_response(428, "Send If-Match with the article's version (its ETag).")
        if version != article.version:
            return precondition_response(
                412, f"The article is at version {article.version}, you wrote against {version}; reload."
            )
        publish_at = None
        if request.data.get("publish_at"):
            publish_at = parse_datetime(request.data["publish_at"])
            if publish_at is None:
                raise ValidationError({"publish_at": ["Give an ISO 8601 date and time."]})
        try:
            article = workflow.perform(
                action,
                article,
                request.user,
                comment=request.data.get("comment", ""),
                publish_at=publish_at,
                expected_version=version,
            )
        except workflow.ActionNotAllowed as error:
            raise PermissionDenied(str(error)) from None
        except workflow.ChecksFailed as error:
            raise ValidationError({"checks": [str(e) for e in (*error.args[0], *error.args[1])]}) from None
        except workflow.WorkflowError as error:
            raise ValidationError({"transition": [str(error)]}) from None
        return article_response(request, article)


class SectionList(generics.ListAPIView):
    serializer_class = SectionSerializer
    queryset = Section.objects.order_by("position", "name")
    pagination_class = None


class TagList(generics.ListAPIView):
    serializer_class = TagSerializer
    pagination_class = ArticleCursor

    def get_queryset(self):
        return Tag.objects.filter(tagged_articles__content_object__in=Article.objects.published()).distinct()


class AuthorList(generics.ListAPIView):
    serializer_class = AuthorSerializer
    pagination_class = ArticleCursor

    def get_queryset(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()


class ImageList(generics.ListAPIView):
    """Images used as the lead image of a published article (a draft's photos stay private)."""

    serializer_class = ImageSerializer
    pagination_class = ArticleCursor

    def get_queryset(self):
        return (
            Image.objects.filter(lead_image_articles__in=Article.objects.published())
            .distinct()
            .with_renditions()
        )


def cached_for_readers(view):
    """Anonymous requests through the public page cache; a token's never stored."""
    cached = public_page(view)

    def wrapped(request, *args, **kwargs):
        if "HTTP_AUTHORIZATION" in request.META or request.method not in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        return cached(request, *args, **kwargs)

    for attribute in ("csrf_exempt", "cls", "initkwargs", "view_class", "view_initkwargs"):
        if hasattr(view, attribute):
            setattr(wrapped, attribute, getattr(view, attribute))
    return wrapped
