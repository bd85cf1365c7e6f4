"""Errors every interface turns into its own kind of message (a cell text, a CLI error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The order problems are listed in: the order of the arguments of IMQUOTE.
ARGUMENT_ORDER = ("deal", "table", "apps", "app", "from_month", "edition", "peak_dau", "peak_groups", "addons", "months", "discount",
                  "call_minutes", "needs",
                  "code")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: which argument, and what to do about it."""

    argument: str
    message: str


class QuoteError(ValueError):
    """A request that cannot be priced. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def of(cls, argument: str, message: str) -> "QuoteError":
        return cls(Problem(argument, message))


class FileProblems(ValueError):
    """A data file that does not hold together. Lists every problem with its key path."""

    kind = "file"

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.kind} {source} has {len(self.problems)} problem(s):\n{lines}")

    @classmethod
    def read_text(cls, path: Path) -> str:
        """The file's text, UTF-8 with or without the byte-order mark Windows editors may save."""
        try:
            return path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise cls(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from None
        except UnicodeDecodeError as exc:
            raise cls(str(path), [f"not UTF-8 text (byte {exc.start}): save it as UTF-8"]) from None


class PriceBookError(FileProblems):
    kind = "price book"


class SellerError(FileProblems):
    kind = "seller profile"


class DealFileError(FileProblems):
    kind = "deal file"
