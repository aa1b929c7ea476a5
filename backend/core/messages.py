"""Chinese text for marshmallow's default (English) validation messages, in one table.

Every error message the PWA shows must read in Chinese; the English stays in parentheses,
as elsewhere in the API (``输入有误 (validation failed)``). Messages that already hold
Chinese (the schemas' own) pass through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff]")

_OPS = {
    "greater than or equal to": "大于或等于",
    "greater than": "大于",
    "less than or equal to": "小于或等于",
    "less than": "小于",
}
_OP = "|".join(re.escape(op) for op in _OPS)

_TYPES = {
    "integer": "整数",
    "number": "数字",
    "string": "文本",
    "boolean": "布尔值（true / false）",
    "date": "日期（YYYY-MM-DD）",
    "datetime": "日期时间",
    "time": "时间",
    "list": "列表",
    "tuple": "列表",
    "mapping type": "对象",
    "UUID": "UUID",
    "URL": "网址",
    "email address": "电子邮箱地址",
    "period of time": "时长",
    "utf-8 string": "UTF-8 文本",
    "IP address": "IP 地址",
    "IPv4 address": "IPv4 地址",
    "IPv6 address": "IPv6 地址",
}

#: (pattern over the English message, Chinese text with the pattern's groups)
_TABLE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Missing data for required field\."), "必填项"),
    (re.compile(r"Field may not be null\."), "不能为空"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), r"长度须在 \1 到 \2 之间"),
    (re.compile(r"Length must be (\d+)\."), r"长度须为 \1"),
    (re.compile(r"Shorter than minimum length (\d+)\."), r"长度不能少于 \1"),
    (re.compile(r"Longer than maximum length (\d+)\."), r"长度不能超过 \1"),
    (re.compile(r"Must be one of: (.*)\."), r"须为以下之一：\1"),
    (re.compile(r"Must be equal to (.*)\."), r"须等于 \1"),
    (re.compile(r"Not a valid (?:(?:aware|naive) )?(.+)\."), "type"),
    (re.compile(r".* cannot be formatted as an? (.+)\."), "format"),
    (re.compile(r"Invalid input type\."), "输入类型无效"),
    (re.compile(r"Invalid (?:input|value|type)\."), "输入无效"),
    (re.compile(r"Unknown field\."), "未知字段"),
    (re.compile(r"Number too large\."), "数值过大"),
    (re.compile(r"Special numeric values .*"), "不允许 NaN 或无穷大"),
    (re.compile(r"String does not match expected pattern\."), "格式不正确"),
    (re.compile(r"One or more of the choices you made was not in: (.*)\."), r"所选项须在以下范围内：\1"),
    (re.compile(r"One or more of the choices you made was in: (.*)\."), r"所选项不能包括：\1"),
]
_RANGE = re.compile(rf"Must be ({_OP}) (\S+?)(?: and ({_OP}) (\S+?))?\.")


def _chinese(message: str) -> str | None:
    """Chinese text for one English message, or None when it is not a known default."""
    ranged = _RANGE.fullmatch(message)
    if ranged:
        op1, v1, op2, v2 = ranged.groups()
        text = f"须{_OPS[op1]} {v1}" + (f"，且{_OPS[op2]} {v2}" if op2 else "")
        return text
    for pattern, text in _TABLE:
        found = pattern.fullmatch(message)
        if not found:
            continue
        if text in ("type", "format"):
            kind = found.group(1)
            return f"不是有效的{_TYPES.get(kind, kind)}"
        return found.expand(text)
    return None


def chinese_message(message: str) -> str:
    """``必填项 (Missing data for required field.)``; Chinese messages and unknown ones unchanged."""
    if _CJK.search(message):
        return message
    text = _chinese(message)
    return message if text is None else f"{text} ({message})"


def chinese_messages(messages: Any) -> Any:
    """The same nesting of field → messages (dicts, lists, indexes), every string in Chinese."""
    if isinstance(messages, str):
        return chinese_message(messages)
    if isinstance(messages, dict):
        return {key: chinese_messages(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [chinese_messages(value) for value in messages]
    return messages
