from django.shortcuts import get_object_or_404, render

from articles.models import Article
from articles.views import paginate
from tags.models import Tag


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.published().filter(tags=tag).newest_first().for_listing())
    return render(request, "tags/tag_detail.html", {"tag": tag, "page": page})
