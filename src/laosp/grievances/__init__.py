"""Grievances about a person or household (and optionally a scheme)."""
