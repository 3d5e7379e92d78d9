from django.shortcuts import get_object_or_404, redirect, render

from articles.models import Article
from articles.views import paginate
from tags.models import Tag, TagRedirect


def tag_detail(request, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:  # a tag merged into another (merge_tags): its old address moved for good
        moved = get_object_or_404(TagRedirect.objects.select_related("target"), old_slug=slug)
        return redirect(moved.target, permanent=True)
    page = paginate(request, Article.objects.published().filter(tags=tag).newest_first().for_listing())
    return render(request, "tags/tag_detail.html", {"tag": tag, "page": page})
