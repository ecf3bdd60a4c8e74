"""Readable plain text from untrusted HTML mail, with the standard library's tokenizer only:
nothing is fetched or executed, scripts and styles are dropped, blockquotes become "> " lines."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

MAX_HTML_CHARS = 3_000_000  # larger HTML is cut before conversion (the raw message keeps it all)

_SKIP = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "svg", "math", "object", "iframe", "xml"}
)
_BLOCK = frozenset(
    {
        "p", "div", "tr", "table", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "pre", "section", "article", "header", "footer", "address", "center", "form", "fieldset",
        "figure", "figcaption", "nav", "aside", "main", "caption", "tbody", "thead", "tfoot",
    }
)  # fmt: skip
_TIGHT = frozenset({"tr", "li", "dt", "dd", "tbody", "thead", "tfoot", "ul", "ol"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"})
_WS = re.compile(r"[ \t\r\n\f\u00a0]+")
_TAG = re.compile(r"<[^>]*>")
HR_LINE = "_" * 32


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._line_depth = 0
        self._skip_depth = 0
        self._quote_depth = 0
        self._pre_depth = 0

    def _break(self) -> None:
        text = "".join(self._current).strip(" ")
        prefix = "> " * self._line_depth
        self.lines.append(prefix + text if text else prefix.rstrip())
        self._current = []
        self._line_depth = self._quote_depth

    def _soft_break(self, blank: bool = True) -> None:
        if "".join(self._current).strip():
            self._break()
        else:
            self._current = []
            self._line_depth = self._quote_depth
            if blank and self.lines and self.lines[-1].strip(" >"):
                self.lines.append("> " * self._quote_depth if self._quote_depth else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "br":
            self._break()
        elif tag == "hr":
            self._soft_break()
            self.lines.append(HR_LINE)
        elif tag == "blockquote":
            self._soft_break()
            self._quote_depth += 1
            self._line_depth = self._quote_depth
        elif tag == "li":
            self._soft_break(blank=False)
            self._current.append("- ")
        elif tag in {"td", "th"}:
            self._current.append(" ")
        elif tag in _BLOCK:
            if tag == "pre":
                self._pre_depth += 1
            self._soft_break(blank=tag not in _TIGHT)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID or tag in {"p", "div"}:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if tag == "blockquote":
            self._soft_break()
            self._quote_depth = max(0, self._quote_depth - 1)
            self._line_depth = self._quote_depth
        elif tag in _BLOCK or tag == "li":
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            self._soft_break(blank=tag not in _TIGHT)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            parts = data.replace("\r\n", "\n").split("\n")
            for index, part in enumerate(parts):
                if index:
                    self._break()
                self._current.append(part.replace("\u00a0", " "))
            return
        text = _WS.sub(" ", data)
        if not "".join(self._current).strip() and not text.strip():
            return
        if not self._current or not "".join(self._current).strip():
            self._line_depth = self._quote_depth
        self._current.append(text)

    def text(self) -> str:
        self._break()
        out: list[str] = []
        for line in self.lines:
            line = _WS.sub(" ", line).strip()
            if not line.strip(" >") and out and not out[-1].strip(" >"):
                continue
            out.append(line)
        return "\n".join(out).strip("\n ")


def html_to_text(html: str) -> str:
    """Convert an HTML body to plain text; never raises (falls back to stripping tags)."""
    html = html[:MAX_HTML_CHARS]
    builder = _TextBuilder()
    try:
        builder.feed(html)
        builder.close()
        return builder.text()
    except Exception:  # the tokenizer is lenient, but the input is hostile: salvage the words
        stripped = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html)
        return _WS.sub(" ", unescape(_TAG.sub(" ", stripped))).strip()
