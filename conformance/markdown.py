"""Text from servers written into Markdown (summary.md, ``conformance diff``) as it was written, on one line, a leaf
module."""

from __future__ import annotations

import re

#: What Markdown (CommonMark, GitHub's tables) would read as syntax in a line of text: the backslash that escapes,
#: code, emphasis, links and images, inline HTML and entities, table cells; and what would end the line.
_MARKDOWN = re.compile(r"[\\`*\[\]<>|&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|[\x00-\x1f\x7f-\x9f]")


def _md_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\r\n\t":
        return " "
    if char < " " or "\x7f" <= char <= "\x9f":
        return f"\\\\x{ord(char):02x}"  # a control character shown as its escape, as the messages quote them
    return "\\" + char


def md(value: object) -> str:
    """Text (a server's answer quoted in a message, a reason, a URL) as Markdown that shows it as written, on one
    line: a CI step summary renders no image, HTML, emphasis, Markdown link or extra table cell from it (a bare
    URL may still be shown as a link, as GitHub shows any)."""
    return _MARKDOWN.sub(_md_char, str(value))
