"""The API's fixtures (a seeded registry, one user per role, a client) for the pages."""

from tests.api.conftest import client, seeded_url, settings

__all__ = ["client", "seeded_url", "settings"]
