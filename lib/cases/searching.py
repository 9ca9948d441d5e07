"""Finding cases: word search (Chinese included), filters, ranking, snippets, and the category / tag
counts for browsing (who may see which case: lib.cases.model.visible).

Search is a LIKE on `cases.search_text`: the title, body fields and tags, NFKC-normalised and
lower-cased when a case is saved (so "ＵＶ", "Uv" and "uv" match alike, and any run of Chinese
characters is a substring like any other). Every query word must match; results are ranked by title
hits (weight TITLE_WEIGHT per word), then by how often the words occur, then newest first.
Portable SQL only (LIKE, REPLACE, LENGTH), the same on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, NamedTuple

from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from lib import kpis
from lib.cases.model import BODY_FIELDS, CS, CT, LS, C, Viewer, visible
from lib.core.auth import people_names
from lib.core.models import Person

SEARCH_LIMIT = 200  # results brought back for a page; the total is counted apart
MAX_TERMS = 6  # words of a query that are searched (the rest are ignored, said on the page)
MAX_QUERY_CHARS = 100
TITLE_WEIGHT = 100  # one title hit outranks any number of body hits of one word
SNIPPET_CHARS = 60  # context each side of the first match
TOP_TAGS = 20


class CaseQuery(NamedTuple):
    """A search with its filters; hashable so it can key the page cache."""

    text: str = ""
    category: str = ""
    tag: str = ""
    platform: str = ""
    host: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""
    limit: int = SEARCH_LIMIT


def normalise(text: str | None) -> str:
    """Search form of a text: NFKC (full-width to half-width), lower case, whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def search_text(title: str, body: dict[str, str | None], tags: list[str] | tuple[str, ...]) -> str:
    """What `cases.search_text` holds for a case (fields joined by newlines so words never merge)."""
    parts = [title, *(body.get(f) or "" for f in BODY_FIELDS), " ".join(tags)]
    return "\n".join(normalise(p) for p in parts)


def terms_of(text: str) -> list[str]:
    """The distinct words of a query, normalised, at most MAX_TERMS."""
    out: list[str] = []
    for word in normalise(text[:MAX_QUERY_CHARS]).split(" "):
        if word and word not in out:
            out.append(word)
    return out[:MAX_TERMS]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def host_condition(engine: Engine, host: str) -> ColumnElement[bool]:
    """Cases linked to a session of this host (roster name, or the exported name of an unlinked host)."""
    with engine.connect() as conn:
        ids = list(conn.execute(select(Person.id).where(Person.name == host)).scalars())
    by_name = and_(LS.c.host_person_id.is_(None), LS.c.host_name == host)
    who = or_(LS.c.host_person_id.in_(ids), by_name) if ids else by_name
    return C.c.id.in_(select(CS.c.case_id).join(LS, LS.c.id == CS.c.session_id).where(who))


def conditions(engine: Engine, viewer: Viewer, query: CaseQuery) -> list[ColumnElement[bool]]:
    conds = [visible(viewer)]
    for term in terms_of(query.text):
        conds.append(C.c.search_text.like(_like(term), escape="\\"))
    if query.category:
        conds.append(C.c.category == query.category)
    if query.tag:
        conds.append(C.c.id.in_(select(CT.c.case_id).where(CT.c.tag == query.tag)))
    if query.platform:
        conds.append(C.c.platform == query.platform)
    if query.host:
        conds.append(host_condition(engine, query.host))
    if query.date_from:
        conds.append(C.c.case_date >= query.date_from)
    if query.date_to:
        conds.append(C.c.case_date <= query.date_to)
    if query.status:
        conds.append(C.c.status == query.status)
    return conds


def _score(terms: list[str], dialect: str) -> Any:
    """Title hits × TITLE_WEIGHT + occurrences in the search text, computed in SQL."""
    score: Any = literal(0)
    title = func.lower(C.c.title)
    chars = func.length if dialect == "sqlite" else func.char_length  # characters, not bytes (MariaDB)
    for term in terms:
        occurrences = (chars(C.c.search_text) - chars(func.replace(C.c.search_text, term, ""))) / len(term)
        score = score + case((title.like(_like(term), escape="\\"), TITLE_WEIGHT), else_=0) + occurrences
    return score


def search(engine: Engine, viewer: Viewer, query: CaseQuery) -> dict[str, Any]:
    """{"total": matches, "terms": [...], "rows": [case dicts with tags and snippet]} best first."""
    terms = terms_of(query.text)
    conds = conditions(engine, viewer, query)
    cols = [
        C.c.id,
        C.c.title,
        C.c.case_date,
        C.c.platform,
        C.c.category,
        C.c.status,
        C.c.author,
        C.c.updated_at,
        *(C.c[f] for f in BODY_FIELDS),
    ]
    order: list[Any] = [C.c.case_date.desc(), C.c.id.desc()]
    if terms:
        score = _score(terms, engine.dialect.name)
        cols.append(score.label("score"))
        order.insert(0, score.desc())
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(C).where(*conds)).scalar() or 0
        rows = [
            dict(r)
            for r in conn.execute(select(*cols).where(*conds).order_by(*order).limit(query.limit)).mappings()
        ]
        tags = tags_of(conn, [r["id"] for r in rows])
        authors = people_names(conn, [r["author"] for r in rows])
    for row in rows:
        row["author_name"] = authors.get(row["author"], row["author"])
        row["tags"] = tags.get(row["id"], [])
        row["snippet"] = snippet(row, terms)
        row["score"] = None if row.get("score") is None else float(row["score"])  # Decimal on PG/MariaDB
    return {"total": int(total), "terms": terms, "rows": rows}


def tags_of(conn: Any, case_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not case_ids:
        return out
    for case_id, tag in conn.execute(
        select(CT.c.case_id, CT.c.tag).where(CT.c.case_id.in_(case_ids)).order_by(CT.c.case_id, CT.c.tag)
    ):
        out.setdefault(case_id, []).append(tag)
    return out


_MARKUP = re.compile(r"[*_`#>|~]+")


def _plain(text: str) -> str:
    """Body text for a snippet: Markdown marks dropped, whitespace runs as one space."""
    return " ".join(_MARKUP.sub("", text).split())


def _finder(terms: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None


def _matchable(text: str, pattern: re.Pattern[str] | None) -> str:
    """The text as written when the terms occur in it, else its NFKC form (a term typed as "UV" matching
    a full-width "ＵＶ"): the page shows the user's own punctuation whenever it can."""
    if pattern is None or pattern.search(text):
        return text
    folded = unicodedata.normalize("NFKC", text)
    return folded if pattern.search(folded) else text


def _pieces(text: str, pattern: re.Pattern[str] | None) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text) if pattern is not None else ():
        if m.start() > pos:
            pieces.append((text[pos : m.start()], False))
        pieces.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def snippet(row: dict[str, Any], terms: list[str]) -> list[tuple[str, bool]]:
    """Text around the first match in the body as (text, is_match) pieces; the start of the body when
    only the title (or a tag) matched, or when there is no query."""
    pattern = _finder(terms)
    body = [_matchable(_plain(row.get(f) or ""), pattern) for f in BODY_FIELDS]
    body = [b for b in body if b]
    if not body:
        return []
    text, start = body[0], 0
    if pattern is not None:
        for candidate in body:
            found = pattern.search(candidate)
            if found:
                text, start = candidate, max(0, found.start() - SNIPPET_CHARS)
                break
    end = min(len(text), start + 2 * SNIPPET_CHARS + 40)
    pieces = [("…", False)] if start > 0 else []
    pieces += _pieces(text[start:end], pattern)
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def highlight_spans(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_match) for the query terms (case-insensitive)."""
    pattern = _finder(terms)
    return _pieces(_matchable(text or "", pattern), pattern)


def facets(engine: Engine, viewer: Viewer) -> dict[str, list[tuple[str, int]]]:
    """Visible cases per category (most first) and the TOP_TAGS most-used tags."""
    vis = visible(viewer)
    with engine.connect() as conn:
        categories = conn.execute(
            select(C.c.category, func.count().label("n"))
            .where(vis, C.c.category.isnot(None))
            .group_by(C.c.category)
            .order_by(func.count().desc(), C.c.category)
        ).all()
        tags = conn.execute(
            select(CT.c.tag, func.count().label("n"))
            .join(C, C.c.id == CT.c.case_id)
            .where(vis)
            .group_by(CT.c.tag)
            .order_by(func.count().desc(), CT.c.tag)
            .limit(TOP_TAGS)
        ).all()
    return {"categories": [(r[0], int(r[1])) for r in categories], "tags": [(r[0], int(r[1])) for r in tags]}


def filter_options(engine: Engine, viewer: Viewer) -> dict[str, list[str]]:
    """Choices for the filters: categories, tags, platforms and hosts of the visible cases."""
    vis = visible(viewer)
    host = kpis.host_label()
    with engine.connect() as conn:
        categories = conn.execute(
            select(C.c.category).where(vis, C.c.category.isnot(None)).distinct().order_by(C.c.category)
        ).scalars()
        tags = conn.execute(
            select(CT.c.tag).join(C, C.c.id == CT.c.case_id).where(vis).distinct().order_by(CT.c.tag)
        ).scalars()
        platforms = conn.execute(
            select(C.c.platform).where(vis, C.c.platform.isnot(None)).distinct().order_by(C.c.platform)
        ).scalars()
        hosts = conn.execute(
            select(host)
            .select_from(
                C.join(CS, CS.c.case_id == C.c.id)
                .join(LS, LS.c.id == CS.c.session_id)
                .outerjoin(Person, Person.id == LS.c.host_person_id)
            )
            .where(vis, host.isnot(None))
            .distinct()
            .order_by(host)
        ).scalars()
        return {
            "categories": list(categories),
            "tags": list(tags),
            "platforms": list(platforms),
            "hosts": list(hosts),
        }
