from django.utils.text import slugify


def unique_slug(model, text, *, max_length, fallback="item", exclude_pk=None):
    """A unicode-safe slug for `text` not yet taken in `model`: "name", then "name-2", "name-3", ..."""
    base = slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback
    taken = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1
