"""Evaluation: scores for probabilistic forecasts, paired model-vs-market comparisons, calibration.

``metrics``: per-match RPS (normalised by r - 1), log loss, multi-class Brier; paired differences with
(cluster-robust) standard errors; calibration tables and reliability plots.
"""
