"""The one error family of lumbar's core.

Every error the core raises on bad input is a ``LumbarError`` carrying the places it is about
(file, line, column) and a fix. Only ``cli/`` catches them, turning each into one paragraph and
exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at a place in it."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class LumbarError(Exception):
    """Base error: bad input that the user can fix. Holds one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class KnowledgeBaseError(LumbarError):
    """The knowledge base does not load or does not validate."""


class CaseError(LumbarError):
    """A case file is missing, malformed, or names findings or values that do not exist."""


class InferenceError(LumbarError):
    """The rules did not reach a fixed point within the firing limit (a loop)."""
