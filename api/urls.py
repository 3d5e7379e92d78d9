from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views
from api.views import cached_for_readers as cached

app_name = "api"

urlpatterns = [
    path("articles/", cached(views.ArticleList.as_view()), name="article-list"),
    path("articles/<int:pk>/", cached(views.ArticleDetail.as_view()), name="article-detail"),
    path("articles/<int:pk>/transitions/", views.ArticleTransitions.as_view(), name="article-transitions"),
    path("articles/by-slug/<str:slug>/", cached(views.ArticleBySlug.as_view()), name="article-by-slug"),
    path("sections/", cached(views.SectionList.as_view()), name="section-list"),
    path("tags/", cached(views.TagList.as_view()), name="tag-list"),
    path("authors/", cached(views.AuthorList.as_view()), name="author-list"),
    path("images/", cached(views.ImageList.as_view()), name="image-list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
