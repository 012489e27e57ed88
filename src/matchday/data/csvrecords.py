"""CSV records with the line they start on, for error messages that name the line."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from matchday.data.errors import DataError


def numbered_records(reader: csv.reader, name: str) -> Iterator[tuple[int, list[str]]]:  # type: ignore[valid-type]
    """(1-based line the record starts on, fields) for the records left in ``reader``.

    A quoted field spanning lines keeps its record's first line. Malformed CSV raises DataError naming
    the file and line.
    """
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"malformed CSV: {exc}", file=name, line=reader.line_num) from None
        yield line, fields
        line = reader.line_num + 1
