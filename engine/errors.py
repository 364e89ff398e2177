"""The one error family of lumbar's core, and where a problem is.

Every error the core raises on bad input is a ``LumbarError`` holding one or more ``Problem``s:
a message and where it is: a place in a file (file, line, column) or the request parameter it is
about (``Problem.about("engine", ...)``: an option or argument, named in the core's own terms;
the CLI shows it as its flag). A problem may carry a ``hint``: a key the CLI turns into a
command to try (the core names no commands). Only ``cli/`` catches these errors, turning each
into one paragraph and exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column when known."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a place in a file or about a request parameter."""

    file: str | None
    line: int | None
    column: int | None
    message: str
    parameter: str | None = None  # what was asked, e.g. "engine", "base", "conclusion"
    hint: str | None = None  # a key the CLI turns into a command to try (see cli/main.py)

    @classmethod
    def at(cls, location: Location, message: str, hint: str | None = None) -> Problem:
        return cls(location.file, location.line, location.column, message, hint=hint)

    @classmethod
    def about(cls, parameter: str, message: str, hint: str | None = None) -> Problem:
        return cls(None, None, None, message, parameter=parameter, hint=hint)

    @property
    def where(self) -> str:
        """``file:line:column`` (as much as is known), or the parameter's name."""
        if self.file is None:
            return self.parameter or "input"
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


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


class QueryError(LumbarError):
    """A request names something the knowledge base does not have (a rule, conclusion, article,
    finding or kind), or asks HOW of a conclusion the consultation did not reach."""


class RenderError(LumbarError):
    """A diagram cannot be produced as asked (format, engine), or Graphviz failed."""


class RevisionError(LumbarError):
    """A git revision that cannot be read (or git itself is missing)."""
