"""SDG 8.5.2, the unemployment rate, from the registry's ILO labour force status.

ILO definition (resolution concerning statistics of work, employment and labour
underutilization, 19th ICLS, 2013; SDG metadata 08-05-02): unemployed persons as a share
of the labour force (employed + unemployed), persons aged 15 and over. The registry's
``employment_status`` is that ILO status (``registry.md``: ``employed``, ``unemployed``,
``inactive``; children under 15 are ``inactive``). The age groups are ILO's reporting
groups for the indicator: 15-24 (youth) and 25+.
"""

from __future__ import annotations

import polars as pl

#: The minimum age of the labour force (ILO, SDG 8.5.2).
LABOUR_FORCE_MIN_AGE = 15
#: The upper end of ILO's youth group (15-24).
YOUTH_MAX_AGE = 24

_age = pl.col("age")
_status = pl.col("employment_status")

working_age = _age >= LABOUR_FORCE_MIN_AGE
unemployed = working_age & (_status == "unemployed")
labour_force = working_age & ((_status == "employed") | (_status == "unemployed"))
youth = _age <= YOUTH_MAX_AGE
adult = _age > YOUTH_MAX_AGE
