"""Problems and the exceptions that carry them to the CLI.

A Problem is one thing wrong in one input, located precisely (file, line, field path) and said in
Chinese with what would be right — the form every kitgen error takes, so that a consultant can
fix all of them in one pass. The exception classes map one-to-one to the documented exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_BUILD = 4
EXIT_INCOMPLETE = 5
EXIT_NOT_A_KIT = 6
EXIT_NO_OFFICE = 7       # `pdf`: LibreOffice is not installed (or could not be found)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str            # field path, e.g. outlets[3].partner ("" for the whole file)
    message: str         # what is wrong, in Chinese
    hint: str = ""       # what would be right (应为…)

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        hint = f" (应为{self.hint})" if self.hint else ""
        return f"{loc}:{field} {self.message}{hint}"


class KitgenError(Exception):
    """Base class: carries the exit code and one or more problems."""

    exit_code = EXIT_INTERNAL
    title = "错误"

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", None, "", problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InvalidInput(KitgenError):
    """A profile, catalog, clause library or overlay that does not validate (exit 3)."""

    exit_code = EXIT_INVALID
    title = "输入文件有误"


class BuildFailed(KitgenError):
    """The build could not produce a complete, valid kit (exit 4)."""

    exit_code = EXIT_BUILD
    title = "生成失败"


class NotAKit(KitgenError):
    exit_code = EXIT_NOT_A_KIT
    title = "不是 kitgen 文件包"


class NoOffice(KitgenError):
    """`kitgen pdf` without LibreOffice (exit 7): the message says what to install."""

    exit_code = EXIT_NO_OFFICE
    title = "缺少 LibreOffice"
