"""User Markdown made inert, in two settings. On the page, body fields are rendered by st.markdown:
`safe_markdown` keeps their Markdown but forms no HTML, loads no image and follows only http(s)/mailto
links (other user text on the page goes through lib.core.formatting.md_escape, which escapes every
Markdown character). In an exported .md file the user's Markdown is the content: `html_inert` leaves it
as written and only makes raw HTML show as text in any viewer that renders the file."""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[")
_LINK = re.compile(r"\]\(\s*<?\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_markdown(text: str | None) -> str:
    """User Markdown made safe for st.markdown: every `<` becomes an entity (so no tag can be formed and
    raw HTML shows as text), images become plain text (no outside requests), and links keep only
    http(s)/mailto targets (others lose their link syntax)."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    text = _IMAGE.sub(r"\\![", text)

    def _link(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1).lower() in SAFE_SCHEMES else "\\]\\(" + m.group(1) + ":"

    return _LINK.sub(_link, text)


def html_inert(text: str | None) -> str:
    """Text for an exported Markdown file: its Markdown kept, raw HTML shown as text (&, <, > as entities)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
