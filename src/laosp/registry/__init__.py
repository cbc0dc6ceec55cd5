"""Household and person registry: validation, storage, search, import, deduplication."""
