"""The web dashboard: server-rendered pages in Lao and English, each with a JSON twin."""
