"""The receiver-side code of docs/webhooks.md, taken from the page itself so the docs cannot drift."""

import re
from pathlib import Path

from django.conf import settings


def documented_verify():
    """The receiver's `verify` exactly as docs/webhooks.md gives it (its first Python block), run here."""
    page = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    section = page[page.index("## Verifying the signature") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    namespace = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)
    return namespace["verify"]
