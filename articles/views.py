import datetime

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from articles.models import Article, Section

PAGE_SIZE = 20


def paginate(request, queryset):
    """Page `queryset` by ?page=N; a page out of range (or not a number) is a 404, not an error."""
    paginator = Paginator(queryset, PAGE_SIZE, allow_empty_first_page=True)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404("No such page") from None
    if number < 1 or number > paginator.num_pages:
        raise Http404("No such page")
    return paginator.page(number)


def home(request):
    articles = Article.objects.published().newest_first().for_listing()[:PAGE_SIZE]
    return render(request, "articles/home.html", {"articles": articles})


def article_detail(request, year, month, day, slug):
    article = get_object_or_404(
        Article.objects.published()
        .select_related("section", "lead_image")
        .prefetch_related("bylines__author", "tags", "lead_image__renditions"),
        slug=slug,
    )
    try:
        requested = datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    if timezone.localtime(article.published_at).date() != requested:
        return redirect(article, permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, Article.objects.published().filter(section=section).newest_first().for_listing())
    return render(request, "articles/section_detail.html", {"section": section, "page": page})
