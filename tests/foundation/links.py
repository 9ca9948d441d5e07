"""Which texts on a page run under AppTest would become links in the browser. AppTest keeps the Markdown
source; the browser renders it with GitHub-flavoured Markdown, whose autolink step runs on the text after
backslash escapes are resolved (mdast-util-gfm-autolink-literal, as bundled in Streamlit 1.67's frontend:
`/(https?:\\/\\/|www(?=\\.))([-.\\w]+)([^ \\t\\r\\n]*)/gi` and `/([-.\\w+]+)@([-\\w]+(?:\\.[-\\w]+)+)/gu`). So a
text is checked here as that step sees it: escapes resolved, then the same patterns (without the browser's
extra conditions, so this check is the stricter one), plus explicit `[text](url)` and `<url>` links."""

from __future__ import annotations

import re

from tests.foundation.raw_text import visible_texts

AUTO_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
AUTO_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
EXPLICIT = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\s*[(\[]|<[a-z][a-z0-9+.-]*:", re.IGNORECASE)
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation can be escaped

# Parts of a page that are not Markdown: table cells and headers, chart texts, select box options.
NOT_MARKDOWN = ("dataframe", "table", "arrow_vega_lite_chart")


def links_in(text: str) -> list[str]:
    """The links the browser could make of one Markdown text."""
    plain = ESCAPED.sub(r"\1", text)
    found = [m.group(0) for m in AUTO_URL.finditer(plain)] + [m.group(0) for m in AUTO_EMAIL.finditer(plain)]
    return found + [m.group(0) for m in EXPLICIT.finditer(text)]


def markdown_links(at) -> list[tuple[str, str, list[str]]]:
    """(where, text, links) for every Markdown text of the page that would show a link."""
    found = []
    for where, text in visible_texts(at):
        kind = where.split(" ")[0]
        if kind in NOT_MARKDOWN or (kind in ("selectbox", "multiselect") and where.endswith("option")):
            continue
        if links := links_in(text):
            found.append((where, text[:120], links))
    return found
