"""Ministerial briefs (PDF and Excel, in Lao or English): coverage and financing."""
