"""Session review (直播复盘): one session's minute curves, retention segments, products and their funnel,
traffic sources, incidents as spans with their GMV at risk, product windows; PK of two sessions; products
across sessions.

Inside: queries (one session's reads) -> incidents (spans, GMV at risk) / pk (two sessions, default
partner) / products (across sessions) / dips (the biggest dip, the review facts a case starts from);
present and present_pk (tables and texts for a language), charts (Altair builders) for the pages. Every read takes the engine first and hashable arguments, so pages
call them through lib.web.ui.cached. Definitions (retention, funnel rates, GMV at risk) live in
lib.core.review_metrics. A session without detail rows gives empty frames and None figures.
"""

from lib.core.review_metrics import (
    BASELINE_MINUTES,
    DETAIL_METRICS,
    OPENING_KEYS,
    RETENTION_KEYS,
    detail_metric,
)
from lib.review.charts import (
    CURVES,
    PK_CURVES,
    host_bars,
    minute_curves,
    pk_bars,
    pk_curves,
    rate_bars,
    source_bars,
)
from lib.review.cli import register_cli
from lib.review.dips import DIP_WINDOW, biggest_dip, dip_of, dip_text, review_facts
from lib.review.incidents import SPAN_COLUMNS, incident_spans
from lib.review.pk import (
    PK_METRICS,
    default_partner,
    host_sessions,
    pk_minutes,
    pk_products,
    pk_sources,
    pk_totals,
    session_totals,
)
from lib.review.present import (
    detail_counts,
    minute_caption,
    missing_notes,
    opening_caption,
    retention_caption,
    retention_tiles,
    review_table,
    top_table,
)
from lib.review.present_pk import (
    pk_products_table,
    pk_sources_table,
    pk_totals_table,
)
from lib.review.products import product_hosts, product_sessions, products_overview
from lib.review.queries import (
    COUNT_COLUMNS,
    MINUTE_COLUMNS,
    PRODUCT_FRAME_COLUMNS,
    PRODUCTS_PAGE,
    SOURCE_COLUMNS,
    TOP_N,
    WINDOW_COLUMNS,
    WINDOWS_SHOWN,
    find_sessions,
    minute_frame,
    minute_summary,
    product_windows,
    products,
    products_gmv,
    session_header,
    session_online_vs_opening,
    session_retention,
    sources,
    top_products,
)
from lib.review.summary import review_json
from lib.review.visibility import may_see_session, pickable_sessions, visible_sessions

__all__ = [
    "register_cli",
    "review_json",
    "BASELINE_MINUTES",
    "COUNT_COLUMNS",
    "CURVES",
    "DETAIL_METRICS",
    "DIP_WINDOW",
    "MINUTE_COLUMNS",
    "PK_CURVES",
    "PK_METRICS",
    "PRODUCT_FRAME_COLUMNS",
    "OPENING_KEYS",
    "RETENTION_KEYS",
    "SOURCE_COLUMNS",
    "SPAN_COLUMNS",
    "TOP_N",
    "WINDOW_COLUMNS",
    "biggest_dip",
    "default_partner",
    "detail_counts",
    "detail_metric",
    "dip_of",
    "dip_text",
    "find_sessions",
    "host_bars",
    "host_sessions",
    "incident_spans",
    "minute_caption",
    "minute_curves",
    "minute_frame",
    "minute_summary",
    "missing_notes",
    "pk_bars",
    "pk_curves",
    "pk_minutes",
    "pk_products",
    "pk_products_table",
    "pk_sources",
    "pk_sources_table",
    "pk_totals",
    "pk_totals_table",
    "product_hosts",
    "product_sessions",
    "product_windows",
    "products",
    "products_overview",
    "rate_bars",
    "opening_caption",
    "retention_caption",
    "retention_tiles",
    "review_table",
    "review_facts",
    "session_header",
    "session_online_vs_opening",
    "session_retention",
    "session_totals",
    "source_bars",
    "sources",
    "top_products",
    "top_table",
    "may_see_session",
    "PRODUCTS_PAGE",
    "WINDOWS_SHOWN",
    "products_gmv",
    "pickable_sessions",
    "visible_sessions",
]
