"""
Fetching embeds when an article or a live update is saved: every lone URL of an allowed provider (and
a live update's embed URL) gets an Embed row, from the provider's oEmbed endpoint (through micawber, with
settings.EMBED_FETCH_TIMEOUT) unless a fresh one is cached (settings.EMBED_CACHE_DAYS). What could not be
fetched is returned as failures the admin shows the editor; readers then get a plain link. Never called
while a public page renders.
"""

from dataclasses import dataclass

from django.utils import timezone
from micawber.exceptions import InvalidResponseException, ProviderException, ProviderHTTPException

from embeds import providers
from embeds.models import Embed
from embeds.render import lone_urls
from embeds.sanitize import sanitize_provider_html


@dataclass(frozen=True)
class Failure:
    url: str
    host: str
    reason: str
    reached: bool = False  # the provider answered, but not with an embed

    @property
    def message(self):
        if self.reached:
            return (
                f"Could not embed {self.url}: {self.host} {self.reason}. Readers will see a link; "
                "check the URL (a private or deleted post cannot be embedded)."
            )
        return (
            f"Could not reach {self.host} to fetch the embed of {self.url} ({self.reason}); "
            "readers will see a link."
        )


def ensure_embeds(body, *, now=None, refresh=False):
    """Fetch what `body`'s embeds need (all of them with `refresh`); the failures, in body order."""
    return ensure_url_embeds(lone_urls(body), now=now, refresh=refresh)


def ensure_url_embeds(urls, *, now=None, refresh=False):
    """
    The same for URLs given on their own (a live update's embed URL): those of an allowed provider are
    fetched unless cached; any other URL is left alone (readers get a link). The failures, in order.
    """
    now = now or timezone.now()
    registry = providers.registry()
    pairs = ((url, providers.provider_for_url(url, registry)) for url in dict.fromkeys(u for u in urls if u))
    wanted = [(url, provider) for url, provider in pairs if provider is not None]
    cached = {e.url: e for e in Embed.objects.filter(url__in=[url for url, _ in wanted])}
    failures = []
    for url, provider in wanted:
        embed = cached.get(url)
        if embed is not None and not refresh and not embed.is_stale(now):
            continue
        failure = fetch_embed(url, provider, registry, embed=embed, now=now)
        if failure is not None:
            failures.append(failure)
    return failures


def fetch_embed(url, provider, registry, *, embed=None, now=None):
    """Fetch and store one embed; a Failure if it could not be fetched (a usable old copy is kept)."""
    embed = embed or Embed(url=url)
    embed.provider, embed.fetched_at = provider.name, now or timezone.now()
    data, failure = {}, None
    if provider.endpoint:
        try:
            data = registry.request(url, maxwidth=800)
        except ProviderHTTPException as error:
            failure = Failure(url, provider.host, f"answered HTTP {error.status}", reached=True)
        except InvalidResponseException:
            failure = Failure(url, provider.host, "did not answer with oEmbed JSON", reached=True)
        except ProviderException as error:
            failure = Failure(url, provider.host, _reason(error))
    frame_url = provider.frame_url(url, data) if failure is None else ""
    if failure is None and not frame_url:
        failure = Failure(url, provider.host, "sent no frame we may embed", reached=True)
    if failure is not None:
        if not embed.usable:  # keep an older good copy: readers still get it
            embed.status, embed.frame_url = Embed.Status.FAILED, ""
        embed.error = failure.reason[:500]
        embed.save()
        return failure
    embed.status, embed.error, embed.frame_url = Embed.Status.OK, "", frame_url
    embed.title = str(data.get("title") or "")[:500] if data.get("title") != url else ""
    embed.author_name = str(data.get("author_name") or "")[:255]
    embed.html = sanitize_provider_html(str(data.get("html") or ""), provider.frame_hosts)
    embed.width, embed.height = _dimension(data.get("width")), _dimension(data.get("height"))
    embed.save()
    return None


def _reason(error):
    cause = error.__cause__
    reason = getattr(cause, "reason", None) or cause or error
    return str(reason)[:200] or error.__class__.__name__


def _dimension(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10_000 else None
