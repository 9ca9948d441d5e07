"""Session review (直播复盘): one session's minute curves, retention segments, products and their funnel,
traffic sources, incidents as spans with their GMV at risk, product windows; PK of two sessions; products
across sessions.

Inside: queries (one session's reads) -> incidents (spans, GMV at risk) / pk (two sessions, default
partner) / products (across sessions). Every read takes the engine first and hashable arguments, so pages
call them through lib.web.ui.cached. Definitions (retention, funnel rates, GMV at risk) live in
lib.core.review_metrics. A session without detail rows gives empty frames and None figures.
"""

from lib.core.review_metrics import (
    BASELINE_MINUTES,
    DETAIL_METRICS,
    RETENTION_KEYS,
    RETENTION_POINTS,
    detail_metric,
)
from lib.review.cli import register_cli
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
from lib.review.products import product_hosts, product_sessions, products_overview
from lib.review.queries import (
    COUNT_COLUMNS,
    MINUTE_COLUMNS,
    PRODUCT_FRAME_COLUMNS,
    SOURCE_COLUMNS,
    TOP_N,
    WINDOW_COLUMNS,
    find_sessions,
    minute_frame,
    minute_summary,
    product_windows,
    products,
    session_header,
    session_retention,
    sources,
    top_products,
)
from lib.review.summary import review_json

__all__ = [
    "register_cli",
    "review_json",
    "BASELINE_MINUTES",
    "COUNT_COLUMNS",
    "DETAIL_METRICS",
    "MINUTE_COLUMNS",
    "PK_METRICS",
    "PRODUCT_FRAME_COLUMNS",
    "RETENTION_KEYS",
    "RETENTION_POINTS",
    "SOURCE_COLUMNS",
    "SPAN_COLUMNS",
    "TOP_N",
    "WINDOW_COLUMNS",
    "default_partner",
    "detail_metric",
    "find_sessions",
    "host_sessions",
    "incident_spans",
    "minute_frame",
    "minute_summary",
    "pk_minutes",
    "pk_products",
    "pk_sources",
    "pk_totals",
    "product_hosts",
    "product_sessions",
    "product_windows",
    "products",
    "products_overview",
    "session_header",
    "session_retention",
    "session_totals",
    "sources",
    "top_products",
]
