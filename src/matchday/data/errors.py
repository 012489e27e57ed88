"""Errors raised on bad input. They always say where (file, line, column) and what was expected."""

from __future__ import annotations


class MatchdayError(Exception):
    """Base class of every error matchday reports to a user (the CLI prints it without a traceback)."""


class DataError(MatchdayError):
    """Input that cannot be read: names the file, line, column, offending value and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        self.reason = message
        super().__init__(self._render())

    def with_note(self, note: str) -> DataError:
        """The same error with ``note`` appended to its message (e.g. where the bytes came from)."""
        return DataError(f"{self.reason}; {note}", file=self.file, line=self.line, column=self.column,
                         value=self.value, expected=self.expected)

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.reason
        if self.value is not None:
            shown = repr(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" (got {shown}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class UnknownChoiceError(MatchdayError):
    """A league, season, team or option that does not exist; lists the valid or closest choices."""

    def __init__(self, kind: str, value: str, choices: list[str], *, closest: bool = False) -> None:
        self.kind = kind
        self.value = value
        self.choices = list(choices)
        label = "closest known" if closest else "valid choices"
        shown = ", ".join(self.choices[:30]) + (" ..." if len(self.choices) > 30 else "")
        super().__init__(f"unknown {kind} {value!r}; {label}: {shown or '(none)'}")


class ConflictError(MatchdayError):
    """The same match arrived from two sources with different results."""


class StoreError(MatchdayError):
    """The store file cannot be used: not a matchday store, a directory, not writable, from a newer matchday."""


class EmptyStoreError(StoreError):
    """The store file exists but holds nothing yet (a first sync was interrupted before it wrote)."""


class StoreBusyError(StoreError):
    """Another process holds the store's lock for longer than matchday was allowed to wait."""


class NothingFoundError(MatchdayError):
    """A sync found none of the files it looked for (wrong mirror, wrong seasons, every file missing)."""
