from django.urls import path, register_converter

from articles import views


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/<dd:month>/<dd:day>/<str:slug>/", views.article_detail, name="detail"),
    path("sections/<str:slug>/", views.section_detail, name="section"),
    path("preview/<str:token>/", views.preview, name="preview"),  # workflow (issue 3)
]
