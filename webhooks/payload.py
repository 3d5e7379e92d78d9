"""
The JSON documents POSTed to endpoints. The article in them is the API's article JSON
(`api.serializers.article_document`, exactly what `GET /api/v1/articles/<id>/` returns), never a copy of
its fields: webhooks import the API's serializers only, never its views (pyproject.toml, `api-payload`).
"""

from api.serializers import article_document


def article_payload(article):
    """The article as the API returns it, read fresh from the database (any status)."""
    return article_document(article.pk)


def event_body(event, article_data, *, occurred_at):
    """The JSON document POSTed for one event."""
    return {"event": event, "occurred_at": occurred_at.isoformat(), "article": article_data}
