"""PlanError: a plan, or its marks, that cannot be used, with the places that are wrong."""

from __future__ import annotations

__all__ = ["PlanError"]


class PlanError(ValueError):
    """A plan that is refused as a whole.

    Each problem names its place in the file as a path, e.g.
    ``zones[1].rows[3].seats[7].category: unknown category 'VIP'``. The message is the
    first problem (with a count of the others); ``problems`` holds them all.
    """

    def __init__(self, problem: str, *more: str) -> None:
        self.problems: tuple[str, ...] = (problem, *more)
        others = f" (and {len(more)} more problem{'s' if len(more) > 1 else ''})"
        message = problem + others if more else problem
        super().__init__(message)

    def within(self, place: str) -> PlanError:
        """The same problems, each prefixed with ``place`` (a file name, say)."""
        first, *rest = (f"{place}: {problem}" for problem in self.problems)
        return PlanError(first, *rest)
