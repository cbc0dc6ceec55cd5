"""The performance harness: named benchmarks that print figures and write JSON.

Run ``python -m benchmarks`` (all), ``python -m benchmarks NAME ...`` or
``make bench BENCH_ARGS="NAME --scale 0.1"``. Benchmarks are not timed unit tests:
they measure, print and record; the targets live in ``docs/PERFORMANCE.md``.
"""
