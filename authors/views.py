from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from authors.models import Author
from newsroom.fixed_queries import FixedQuery
from public import cache, structured_data
from public.paging import ArticleIds, author_article_ids
from public.views import canonical_url, paginate

AUTHORS_PER_PAGE = 100

# Run on every author page: compiled once (newsroom/fixed_queries.py).
_AUTHOR_BY_SLUG = FixedQuery(
    lambda slug: Author.objects.select_related("photo").filter(slug=slug),
    model=Author,
    slug=Author._meta.get_field("slug"),
)


@require_safe
@cache.public_page
def author_detail(request, slug):
    author = next(iter(_AUTHOR_BY_SLUG.instances(slug=slug)), None)
    if author is None:
        raise Http404("No Author matches the given query.")
    if author.photo_id:
        prefetch_related_objects([author], "photo__renditions")
    articles = ArticleIds(author_article_ids(author))
    page = paginate(request, articles, count_key=f"author:{author.pk}")
    return render(
        request,
        "authors/author_detail.html",
        {
            "author": author,
            "page": page,
            "canonical_url": canonical_url(author.get_absolute_url(), page),
            "structured_data": structured_data.profile_page(author),
        },
    )


@require_safe
@cache.public_page
def author_list(request):
    page = paginate(request, Author.objects.order_by("name", "pk"), per_page=AUTHORS_PER_PAGE)
    url = "/authors/"
    return render(
        request,
        "authors/author_list.html",
        {
            "page": page,
            "canonical_url": canonical_url(url, page),
            "structured_data": structured_data.collection_page(
                name="Our journalists", description="The reporters and editors of the newsroom.", url=url
            ),
        },
    )
