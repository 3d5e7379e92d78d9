"""Live updates embed through the embeds app: its local oEmbed server and closed port serve these tests."""

from tests.embeds.conftest import closed_port, oembed, oembed_server  # noqa: F401
