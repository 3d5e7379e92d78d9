"""The API's JSON renderer (api/renderers.py) writes exactly the bytes of DRF's JSONRenderer."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from api.renderers import JSONRenderer
from tests.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def both(data, accepted="application/json"):
    return JSONRenderer().render(data, accepted), DRFJSONRenderer().render(data, accepted)


def test_real_list_and_detail_responses_are_drfs_bytes(client):
    make_article(
        "Ferry “Åland” sails\u2028again",
        dek='Line\u2029separators, quotes " and back\\slashes, tabs\tand <tags> & emoji 🚢',
        body="<p>Control \x01 character</p>",
        section=make_section("Travel"),
        authors=[make_author("Zoë Ångström")],
        tags=[make_tag("Ferries, Baltic")],
    )
    for path in ("/api/v1/articles/", "/api/v1/articles/?fields=body", "/api/v1/tags/", "/api/v1/sections/"):
        response = client.get(path)
        assert response.status_code == 200
        ours, drfs = both(response.data)
        assert ours == drfs == response.content
    assert b"\\u2028" in client.get("/api/v1/articles/").content


def test_what_orjson_refuses_goes_through_drfs_encoder():
    data = {
        "price": Decimal("1.50"),
        "label": gettext_lazy("Published"),
        "big": 2**70,
        "when": datetime.date(2026, 12, 7),
    }
    ours, drfs = both(data)
    assert (
        ours == drfs == b'{"price":1.5,"label":"Published","big":1180591620717411303424,"when":"2026-12-07"}'
    )


def test_an_indent_asked_for_is_drfs_pretty_printing():
    ours, drfs = both({"a": [1, 2]}, "application/json; indent=2")
    assert ours == drfs == b'{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert both(None) == (b"", b"")
