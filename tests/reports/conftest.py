"""The API's fixtures (a seeded registry, one user per role, a client) for the briefs."""

from tests.api.conftest import client, seeded_url, settings

__all__ = ["client", "seeded_url", "settings"]
