"""Projection benchmarks: one scenario to 2040 by province × sex × single age, and a
sensitivity sweep of 1,000 variants over two processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.registry import BenchmarkContext, Figures, benchmark, timed

ALL_SCHEMES = {"schemes.social_pension.enabled": True}


@benchmark("projection_default")
def projection_default(context: BenchmarkContext) -> Figures:
    """Load, validate and run the default scenario with every scheme switched on."""
    with timed() as imports:
        from laosp.projection import engine
        from laosp.projection.loading import load_scenario
        from laosp.rules.pack import load_pack
    with timed() as load:
        scenario = load_scenario("child_grant_u3", load_pack(), ALL_SCHEMES)
    engine._cached_population.cache_clear()
    with timed() as cold:
        result = engine.run_projection(scenario, end_year=2040)
    with timed() as warm:
        engine.run_projection(scenario, end_year=2040)
    laosp = Path(sys.executable).with_name("laosp")
    with timed() as cli:
        subprocess.run(
            [str(laosp), "project", "-s", "child_grant_u3", "-f", "json", "-o", "/dev/null"],
            check=True,
            capture_output=True,
        )
    cells = result.population.population[0].size
    return {
        "import_seconds": imports.seconds,
        "load_seconds": load.seconds,
        "run_seconds_cold": cold.seconds,
        "run_seconds_cached_population": warm.seconds,
        "cli_end_to_end_seconds": cli.seconds,
        "schemes": len(result.schemes),
        "years": len(result.years),
        "cells_per_year": cells,
        "target_seconds": 2.0,
    }


@benchmark("projection_sweep")
def projection_sweep(context: BenchmarkContext) -> Figures:
    """1,000 variants (GDP growth × take-up × CPI) of the child-grant scenario to 2040."""
    from laosp.projection.loading import load_raw, resolve
    from laosp.projection.sweep import grid, parse_axis, run_sweep
    from laosp.rules.pack import load_pack

    count = int(context.options.get("variants_per_axis", "10"))
    workers = int(context.options.get("workers", "2"))
    raw = load_raw(resolve("child_grant_u3"))
    axes = [
        parse_axis(f"macro.gdp_real_growth=0.02:0.07:{count}"),
        parse_axis(f"schemes.child_grant.take_up=0.4:0.95:{count}"),
        parse_axis(f"macro.cpi_inflation=0.02:0.10:{count}"),
    ]
    variants = grid(axes)
    with timed() as watch:
        result = run_sweep(raw, variants, load_pack(), end_year=2040, workers=workers)
    return {
        "variants": len(variants),
        "workers": workers,
        "seconds": watch.seconds,
        "ms_per_variant": 1000 * watch.seconds / len(variants),
        "years": len(result.years),
        "target_seconds": 300.0,
    }
