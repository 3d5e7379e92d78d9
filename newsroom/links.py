from django.conf import settings


def absolute_url(url):
    """
    An absolute URL for feeds, sitemaps, Open Graph and JSON-LD: site-relative paths get settings.SITE_URL,
    storage URLs that are already absolute (S3, a CDN) are kept, protocol-relative ones get https.
    """
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    return settings.SITE_URL + url
