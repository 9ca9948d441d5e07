"""lib.web: the only lib code that imports Streamlit. Pages import what they need from here (and from the
domain packages); the core names re-exported below are the ones a page may use."""

from lib.core import access, auth, bounds, clock, exports, forms
from lib.core.bounds import MAX_DATE, MIN_DATE, month_ok, parse_id
from lib.core.dates import month_of
from lib.core.db import ConfigError, now, write
from lib.core.exports import to_csv_bytes, to_xlsx_bytes
from lib.core.formatting import category_name, format_change, format_metric, md_escape, stored_from_typed
from lib.core.login_cookie import read_login_token
from lib.core.metrics import CATALOGUE, METRICS, metric
from lib.web import form_ui
from lib.web.i18n import current_language, t

__all__ = [
    "CATALOGUE",
    "ConfigError",
    "MAX_DATE",
    "METRICS",
    "MIN_DATE",
    "access",
    "auth",
    "bounds",
    "clock",
    "current_language",
    "exports",
    "form_ui",
    "format_change",
    "category_name",
    "format_metric",
    "forms",
    "md_escape",
    "metric",
    "month_of",
    "month_ok",
    "now",
    "parse_id",
    "read_login_token",
    "stored_from_typed",
    "t",
    "to_csv_bytes",
    "to_xlsx_bytes",
    "write",
]
