from django.shortcuts import get_object_or_404, render

from articles.models import Article
from articles.views import paginate
from authors.models import Author


def author_detail(request, slug):
    author = get_object_or_404(
        Author.objects.select_related("photo").prefetch_related("photo__renditions"), slug=slug
    )
    page = paginate(request, Article.objects.published().filter(authors=author).newest_first().for_listing())
    return render(request, "authors/author_detail.html", {"author": author, "page": page})
