"""Policy as data: the pack format, the expression compiler to Polars, evaluation, traces."""
