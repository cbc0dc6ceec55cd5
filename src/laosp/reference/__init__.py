"""Lao administrative units and code lists."""
