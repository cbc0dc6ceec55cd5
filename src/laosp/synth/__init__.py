"""The synthetic Lao population."""
