from rest_framework.negotiation import DefaultContentNegotiation


class JsonUnlessAsked(DefaultContentNegotiation):
    """
    JSON whatever the Accept header says; the browsable API (local static files, no CDN) only at
    `?format=api`. The page cache keys responses by their path, so the path alone must decide the format.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) or format_suffix:
            return super().select_renderer(request, renderers, format_suffix)
        return renderers[0], renderers[0].media_type
