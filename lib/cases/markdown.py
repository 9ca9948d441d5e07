"""User Markdown made inert, in two settings. On the page, body fields are rendered by st.markdown:
`safe_markdown` keeps their formatting (bold, lists, headings) but forms no HTML, loads no image and makes
no link (other user text on the page goes through lib.core.formatting.md_escape, which escapes every
Markdown character). In an exported .md file the user's Markdown is the content: `html_inert` leaves it
as written and only makes raw HTML show as text in any viewer that renders the file."""

from __future__ import annotations

import re

from lib.core.formatting import break_autolinks

_BRACKETS = re.compile(r"([\[\]])")


def safe_markdown(text: str | None) -> str:
    """User Markdown made safe for st.markdown: every `<` becomes an entity (so no tag can be formed and
    raw HTML shows as text), every `[` and `]` is escaped (so no link, image, reference or Streamlit
    directive like :red[...] is formed: `[a](http://x)` shows as written) and bare URLs and e-mail
    addresses are kept from auto-linking. Links on a page are the product's own, never the user's."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    return break_autolinks(_BRACKETS.sub(r"\\\1", text))


def html_inert(text: str | None) -> str:
    """Text for an exported Markdown file: its Markdown kept, raw HTML shown as text (&, <, > as entities)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
