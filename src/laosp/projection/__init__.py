"""Financing projections: demography, macro, costing, NHI fund, scenarios."""
