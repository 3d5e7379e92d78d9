from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from newsroom.fixed_queries import FixedQuery
from public import cache, structured_data
from public.paging import ArticleIds, tag_page_ids
from public.views import canonical_url, paginate
from tags.models import Tag, TagRedirect

# Run on every tag page: compiled once (newsroom/fixed_queries.py).
_TAG_BY_SLUG = FixedQuery(
    lambda slug: Tag.objects.filter(slug=slug).order_by("pk")[:1],
    model=Tag,
    slug=Tag._meta.get_field("slug"),
)


@require_safe
@cache.public_page
def tag_detail(request, slug):
    tag = next(iter(_TAG_BY_SLUG.instances(slug=slug)), None)
    if tag is None:  # a tag merged into another (merge_tags): its old address moved for good
        moved = get_object_or_404(TagRedirect.objects.select_related("target"), old_slug=slug)
        return redirect(moved.target, permanent=True)
    now = timezone.now()
    articles = ArticleIds(tag_page_ids(tag, now), now=now)
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
