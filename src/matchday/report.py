"""Markdown rendering shared by the generated documents (validation, calibration, case study)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def markdown_table(frame: pd.DataFrame, digits: Mapping[str, int] | None = None) -> str:
    """A GitHub-flavoured Markdown table; ``digits`` fixes decimals (and right-aligns) those columns.

    Missing values print as empty cells.
    """
    digits = dict(digits or {})
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---:" if c in digits else "---" for c in frame.columns) + " |"
    lines = [header, rule]
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("")
            elif column in digits:
                cells.append(f"{float(value):.{digits[column]}f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
