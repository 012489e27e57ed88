"""CSV records with the line they start on, for error messages that name the line."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from matchday.data.errors import DataError


def numbered_records(
    reader: csv.reader, name: str, *, multiline: bool = False  # type: ignore[valid-type]
) -> Iterator[tuple[int, list[str]]]:
    """(1-based line the record starts on, fields) for the records left in ``reader``.

    A quoted field spanning lines keeps its record's first line. With ``multiline=False`` (no source
    matchday reads puts a line break inside a field) such a field is a DataError at the line where its
    quote opens: an unclosed quote otherwise swallows the rest of the file into one field, and the
    error would surface hundreds of lines later (or never). Malformed CSV (for example a field over the
    csv module's size limit, which is what an unclosed quote in a large file runs into) raises DataError
    naming the line where the record that failed starts.
    """
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(
                f"malformed CSV: {exc} in the record starting here (an unclosed quote?)", file=name, line=line,
                expected="every opening quote closed on the same line",
            ) from None
        if not multiline and reader.line_num > line:
            for column, cell in enumerate(fields, start=1):
                if "\n" in cell or "\r" in cell:
                    raise DataError(
                        f"a quoted field (field {column}) runs over {reader.line_num - line + 1} lines: "
                        "an unclosed quote?", file=name, line=line, value=cell.split("\n", 1)[0][:60],
                        expected="every opening quote closed on the same line",
                    )
        yield line, fields
        line = reader.line_num + 1
