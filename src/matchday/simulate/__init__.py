"""Vectorised Monte Carlo: knockout ties and brackets (``ties``, ``bracket``), extra time and
penalties (``extra_time``, ``penalties``), and league seasons.

Submodules are imported where used, so ``import matchday.simulate`` stays cheap.
"""
