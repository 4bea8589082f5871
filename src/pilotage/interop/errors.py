"""The error raised when a plan file cannot be read: it names the file, the line and the problem."""

from __future__ import annotations

__all__ = ["PlanFileError"]


class PlanFileError(ValueError):
    """A plan file that cannot be read; the message names the file, the line and the problem.

    Parameters
    ----------
    file : str
        The file's name as the user knows it.
    problem : str
        What is wrong, naming the task or calendar and the field when there is one.
    line : int, optional
        The line of the file where the problem is.

    Examples
    --------
    >>> error = PlanFileError("plan.xml", "Task 7: Duration '3x' is not a duration", line=42)
    >>> str(error)
    "plan.xml, line 42: Task 7: Duration '3x' is not a duration"
    >>> error.file, error.line
    ('plan.xml', 42)
    """

    def __init__(self, file: str, problem: str, *, line: int | None = None) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")
