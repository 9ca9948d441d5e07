"""The biggest dip of a session's audience and what happened then, and the review facts a new case starts
from ("复盘本场": Top 5 products, the biggest dip, the incidents in it).

Biggest dip: online smoothed over SMOOTH_MINUTES (the mean of the online figures of minutes m-4 … m, so
a one-minute blip is not a dip); for every minute m, the fall from the highest smoothed figure of the
DIP_WINDOW minutes before it (m-15 … m-1) to the smoothed figure at m. The dip is the minute with the
largest fall (the earliest on a tie), running from that high minute (its latest) to m; none when online never falls.
What happened then: the incidents whose span (detected → resolved) overlaps the dip, and the products
that first came on the shelf in it."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib.core import review_metrics as rm
from lib.core.i18n import translate
from lib.review.incidents import incident_spans
from lib.review.present import phrase, span_label
from lib.review.queries import minute_frame, product_windows, top_products

DIP_WINDOW = 15
SMOOTH_MINUTES = 5
DIP_PRODUCTS = 10  # products named as first on the shelf in the dip (the first ones)


def smoothed(online_by_minute: list[tuple[int, int]]) -> dict[int, float]:
    """Online per minute as the mean of the SMOOTH_MINUTES minutes ending there (those with rows)."""
    online = dict(online_by_minute)
    out = {}
    for m in online:
        recent = [online[k] for k in range(m - SMOOTH_MINUTES + 1, m + 1) if k in online]
        out[m] = sum(recent) / len(recent)
    return out


def dip_of(online_by_minute: list[tuple[int, int]]) -> dict[str, Any] | None:
    """The biggest dip (module docstring) of (minute, online) pairs: start/end minute, smoothed online
    from/to, the fall and its share of the high; None when online never falls."""
    online = smoothed(online_by_minute)
    best: tuple[float, int, int] | None = None  # (fall, high minute, low minute)
    for m in sorted(online):
        before = [(online[k], k) for k in range(m - DIP_WINDOW, m) if k in online]
        if not before:
            continue
        high, k = max(before)  # the latest minute of the high: the dip starts where the fall starts
        fall = high - online[m]
        if fall > 0 and (best is None or fall > best[0]):
            best = (fall, k, m)
    if best is None:
        return None
    fall, start, end = best
    return {
        "start_minute": start,
        "end_minute": end,
        "online_from": online[start],
        "online_to": online[end],
        "fall": fall,
        "fall_pct": rm.ratio(fall, online[start]),
    }


def biggest_dip(
    engine: Engine, session_id: int, minutes: pd.DataFrame | None = None
) -> dict[str, Any] | None:
    """The session's biggest dip with its clock times, the incidents overlapping it and the products first
    on the shelf in it (frames), or None without minute rows or without a fall. `minutes`: the session's
    minute_frame when the caller has read it already."""
    minutes = minute_frame(engine, session_id) if minutes is None else minutes
    pairs = [
        (int(m), int(o)) for m, o in zip(minutes["minute"], minutes["online"], strict=True) if pd.notna(o)
    ]
    dip = dip_of(pairs)
    if dip is None:
        return None
    at = dict(zip(minutes["minute"].astype(int), minutes["at"], strict=True))
    start, end = int(dip["start_minute"]), int(dip["end_minute"])
    spans = incident_spans(engine, session_id)
    overlapping = (
        spans[(spans["start_minute"] <= end) & (spans["end_minute"] >= start)] if len(spans) else spans
    )
    # The first products on the shelf within the dip (a bounded read: a session may list 150,000).
    shelved = product_windows(engine, session_id, limit=DIP_PRODUCTS, between=(start, end))
    return {
        **dip,
        "start_at": at[start],
        "end_at": at[end],
        "incidents": overlapping.reset_index(drop=True),
        "products": shelved.reset_index(drop=True),
    }


def dip_text(dip: dict[str, Any] | None, lang: str) -> str:
    """The dip in one sentence with what happened then (incidents with their GMV at risk, shelf changes)."""
    if dip is None:
        return translate("review.page.dip.none", lang)
    text = phrase(
        "review.page.dip.line",
        lang,
        start=(dip["start_at"], "clock"),
        end=(dip["end_at"], "clock"),
        online_from=(dip["online_from"], "count"),
        online_to=(dip["online_to"], "count"),
        fall_pct=(dip["fall_pct"], "pct"),
    )
    then = [span_label(r, lang) for _, r in dip["incidents"].iterrows()]
    then += [
        phrase("review.page.dip.shelf", lang, name=(r["name"], "text"), at=(r["first_on_shelf"], "clock"))
        for _, r in dip["products"].iterrows()
    ]
    if not then:
        return text + translate("review.page.dip.nothing", lang)
    return text + translate(
        "review.page.dip.then", lang, what=translate("review.page.dip.sep", lang).join(then)
    )


def top_lines(top: pd.DataFrame, lang: str) -> list[str]:
    """Top products as numbered lines: name (id), GMV, orders, click-to-order rate."""
    return [
        phrase(
            "review.page.top_line",
            lang,
            rank=(i, "count"),
            name=(r["name"], "text"),
            product_id=(r["product_id"], "text"),
            gmv=(r["gmv"], "cny"),
            orders=(r["orders"], "count"),
            conversion=(r["conversion_rate"], "pct"),
        )
        for i, (_, r) in enumerate(top.iterrows(), start=1)
    ]


def review_facts(engine: Engine, session_id: int, lang: str) -> str:
    """The review facts a new case starts from: Top 5 products and the biggest dip and what happened then
    (or what to upload when the session has no product list or minute rows)."""
    top = top_products(engine, session_id)
    lines = [translate("review.page.facts_title", lang)]
    if top.empty:
        lines.append(translate("review.page.facts_no_products", lang))
    else:
        lines.append(translate("review.page.top_title", lang))
        lines += top_lines(top, lang)
    minutes = minute_frame(engine, session_id)
    if minutes.empty:
        lines.append(translate("review.page.facts_no_minutes", lang))
    else:
        dip = biggest_dip(engine, session_id, minutes)
        lines.append(translate("review.page.dip.title", lang) + dip_text(dip, lang))
    return "\n".join(lines)
