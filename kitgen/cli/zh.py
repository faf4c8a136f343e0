"""click's own messages in Chinese, like the rest of kitgen's output.

click marks its messages for gettext (``from gettext import gettext as _`` in each module) but
ships no translations, and gettext would need compiled catalogues on disk. ``install()`` instead
gives click's modules a ``_``/``ngettext`` that look the message up here (falling back to the
English text), so a missing argument, an unknown command ("did you mean …?") or a bad value reads
like every other kitgen message. Help headings stay bilingual ("用法 / Usage:"), as the exit-code
table is. Idempotent; affects click's messages only.
"""
from __future__ import annotations

import gettext as _gettext
import importlib

MESSAGES = {
    # errors (click.exceptions, click.core, click.parser)
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Aborted!": "已取消。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    # values (click.types)
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数值（{number_type}）。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件（应为文件夹）。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹（应为文件）。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "integer": "整数",
    "float": "数字",
    # help
    "Usage:": "用法 / Usage:",
    "Options": "选项 / Options",
    "Commands": "命令 / Commands",
    "Positional arguments": "参数 / Arguments",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Do you want to continue?": "是否继续？",
}

PLURALS = {  # (singular, plural) → Chinese (no plural forms)
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("您是不是要输入 {possibility}？", "（您是不是要输入以下之一：{possibilities}？）"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("多余的参数（{args}）", "多余的参数（{args}）"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("选项 {name!r} 需要一个值。", "选项 {name!r} 需要 {nargs} 个值。"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} 不是 {choice}。", "{value!r} 不是以下之一：{choices}。"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("需要 {nargs} 个值，但只给了 1 个。", "需要 {nargs} 个值，但给了 {len} 个。"),
}

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                  "shell_completion")


def gettext(message: str) -> str:
    return MESSAGES.get(message) or _gettext.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    zh = PLURALS.get((singular, plural))
    if zh is None:
        return _gettext.ngettext(singular, plural, n)
    return zh[0] if n == 1 else zh[1]


def install() -> None:
    """Point click's modules at the Chinese messages (before any command is defined)."""
    for name in _CLICK_MODULES:
        try:
            mod = importlib.import_module(f"click.{name}")
        except ImportError:                      # a click without that module
            continue
        if hasattr(mod, "_"):
            mod._ = gettext
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext
    from click.exceptions import MissingParameter
    if not getattr(MissingParameter.format_message, "_kitgen", False):
        english = MissingParameter.format_message

        def format_message(self) -> str:            # "缺少参数 'KIT_DIR'." ends with a Chinese full stop
            text = english(self)
            return text[:-1] + "。" if text.endswith(".") else text
        format_message._kitgen = True
        MissingParameter.format_message = format_message
