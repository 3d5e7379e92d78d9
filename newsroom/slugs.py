from django.utils.text import slugify


def slug_base(text, *, max_length, fallback="item"):
    """The slug `text` would get before collisions are resolved."""
    return slugify(text, allow_unicode=True)[:max_length].strip("-") or fallback


def unique_slug(model, text, *, max_length, fallback="item", exclude_pk=None, also_taken=()):
    """
    A unicode-safe slug for `text` not yet taken in `model`: "name", then "name-2", "name-3", ...
    `also_taken`: slugs claimed but not saved yet (e.g. earlier rows of the same bulk insert).
    """
    base = slug_base(text, max_length=max_length, fallback=fallback)
    taken = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True)) | set(also_taken)
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1
