"""
The API's JSON renderer: DRF's output, byte for byte, written by orjson when the data is plain.

json.dumps was a tenth of an uncached list page's CPU (bench/RESULTS.md, "Content API"); orjson writes the
same compact, non-ASCII-as-is JSON about ten times faster. Whatever orjson refuses (lazy translation strings,
Decimals, integers beyond 64 bits) goes through DRF's encoder as before. Floats are where the two differ
(orjson writes 0.00001 for json's 1e-05, null for NaN); the API's documents hold none today
(tests/api/test_renderers.py compares its real responses byte for byte).
"""

import orjson
from rest_framework import renderers

# DRF escapes these two so that its JSON is also valid JavaScript; orjson leaves them as they are.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data)
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        return encoded.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
