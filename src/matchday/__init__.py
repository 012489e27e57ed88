"""matchday: public football results turned into forecasts and decisions.

Importing the package is deliberately cheap: heavy dependencies (pandas, duckdb,
matplotlib, scipy) are imported by the modules that use them.
"""

__version__ = "0.1.0"
