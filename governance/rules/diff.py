"""A readable diff of two rules texts: line by line, with changed words marked."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class DiffLine:
    kind: str  # "same", "added" or "removed"
    old_no: int | None
    new_no: int | None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (op, text), op: "same", "ins", "del"

    @property
    def text(self) -> str:
        return "".join(text for _op, text in self.parts)


@dataclass
class Diff:
    lines: list[DiffLine]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def _word_diff(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    old_parts: list[tuple[str, str]] = []
    new_parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            old_parts.append(("same", "".join(a[i1:i2])))
            new_parts.append(("same", "".join(b[j1:j2])))
        else:
            if i2 > i1:
                old_parts.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                new_parts.append(("ins", "".join(b[j1:j2])))
    return old_parts, new_parts


def diff_texts(old: str, new: str) -> Diff:
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                lines.append(DiffLine("same", i1 + k + 1, j1 + k + 1, [("same", a[i1 + k])]))
            continue
        if op == "replace" and (i2 - i1) == (j2 - j1):
            removed, added = [], []
            for k in range(i2 - i1):
                old_parts, new_parts = _word_diff(a[i1 + k], b[j1 + k])
                removed.append(DiffLine("removed", i1 + k + 1, None, old_parts))
                added.append(DiffLine("added", None, j1 + k + 1, new_parts))
            lines.extend(removed + added)
            continue
        for k in range(i1, i2):
            lines.append(DiffLine("removed", k + 1, None, [("del", a[k])]))
        for k in range(j1, j2):
            lines.append(DiffLine("added", None, k + 1, [("ins", b[k])]))
    return Diff(lines)
