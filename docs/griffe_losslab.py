"""Griffe extension for losslab's docstrings (loaded by mkdocstrings, see ``mkdocs.yml``).

losslab docstrings are Google style with a singular ``Example:`` section and the custom sections
``Shape:``, ``Convention:`` and ``References:``. Griffe knows ``Examples:`` (rendered as code) and turns
any other ``Title:`` block into an admonition; a singular ``Example:`` would therefore be an admonition
whose ``>>>`` lines Markdown reads as block quotes. This extension renames it before parsing, and turns
the reST that some docstrings use (``:func:`~x.y``` roles, ``text::`` before a literal block) into
Markdown.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):`(~?)([\w.]+)`")
_LITERAL = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)


_ARGS_HEADER = re.compile(r"^\s*(?:Args|Arguments|Parameters|Params|Keyword Args|Other Parameters):\s*$")
_GROUPED = re.compile(r"^(\s+)(\w+(?:,\s*\w+)+):(\s.*)?$")


def _split_grouped(value: str) -> str:
    """``a, b: text`` in an Args block → ``a: text`` and ``b: text`` (one item per parameter)."""
    lines = value.splitlines()
    out: list[str] = []
    i = 0
    args_indent: int | None = None  # indentation of the current "Args:" header, None outside Args blocks
    while i < len(lines):
        line = lines[i]
        indent_now = len(line) - len(line.lstrip())
        if _ARGS_HEADER.match(line):
            args_indent = indent_now
        elif line.strip() and args_indent is not None and indent_now <= args_indent:
            args_indent = None
        m = _GROUPED.match(line) if args_indent is not None and indent_now > args_indent else None
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, names = m.group(1), [n.strip() for n in m.group(2).split(",")]
        body = [f"{m.group(3) or ''}"]
        i += 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
            if not lines[i].strip() and (i + 1 >= len(lines) or not lines[i + 1].startswith(indent + " ")):
                break
            body.append(lines[i])
            i += 1
        for n in names:  # the shared description, once per parameter
            out.append(f"{indent}{n}:{body[0]}")
            out += body[1:]
    return "\n".join(out)


def _role(m: re.Match) -> str:
    name = m.group(2).rsplit(".", 1)[-1] if m.group(1) else m.group(2)
    return f"`{name}`"


class LosslabDocstrings(griffe.Extension):
    """Rename ``Example:`` to ``Examples:``; reST leftovers: roles become code, ``text::`` becomes ``text:``;
    grouped parameters ``a, b: text`` become one item per parameter, each with the text."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
            value = _ROLE.sub(_role, value)
            value = _LITERAL.sub(r"\1:", value)
            obj.docstring.value = _split_grouped(value)
