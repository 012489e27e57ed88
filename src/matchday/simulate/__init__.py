"""Vectorised Monte Carlo on score grids: the one sampler (``sampling``), league seasons and what-if
conditions (``season``, ``conditions``), knockout ties (``tie_play``: the row-level core and
``KnockoutParams``; ``tie_exact``: exact enumeration; ``ties``: the entry points), brackets (``bracket``,
``knockout_state``), extra time and penalties (``extra_time``, ``penalties``).

Submodules are imported where used, so ``import matchday.simulate`` stays cheap.
"""
