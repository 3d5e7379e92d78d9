from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from articles import cache, structured_data
from articles.paging import ArticleIds, tag_article_ids
from articles.views import canonical_url, paginate
from tags.models import Tag


@require_safe
@cache.public_page
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = ArticleIds(tag_article_ids(tag))
    page = paginate(request, articles, count_key=f"tag:{tag.pk}")
    url = tag.get_absolute_url()
    description = tag.description or f"The latest stories about {tag.name}."
    return render(
        request,
        "tags/tag_detail.html",
        {
            "tag": tag,
            "page": page,
            "description": description,
            "canonical_url": canonical_url(url, page),
            "structured_data": structured_data.collection_page(
                name=tag.name, description=description, url=url
            ),
        },
    )
