"""Anonymous cross-department collaboration surveys: rounds, answers, and results that cannot be traced.

How answers are stored and decoupled from who answered: lib.surveys.answering. How results are
suppressed: lib.surveys.results and lib.surveys.suppression.

What remains (documented for the page's "what is stored" text):
- Before a flush, the fewer than K buffered answers were written in the same transaction as their
  participation rows (SQLite -wal frames, PostgreSQL xmin, InnoDB trx id): someone reading the database
  files during that window can match those few answers with the accounts that just answered.
- A scrub can be incomplete: SQLite cannot truncate the -wal while another connection holds a read
  snapshot (the next flush retries); server-side logs are beyond the app (PostgreSQL WAL segments and
  archives, MariaDB redo/undo logs and binlog, statement logging): keep statement logging off and database
  access to the people who run it.
- An answer must carry the respondent's department: a reader of the raw tables and the roster can narrow
  an answer down to the participants of that department in that round (to one person when only one
  answered). The pages never show such groups.

The trend shows each closed round's shown figures only; a closed round never changes (no answer after
closing, no reopening).
"""

from lib.surveys.answering import (
    ANSWER_TABLES,
    flush_answers,
    has_answered,
    may_answer,
    open_round_for,
    response_count,
    scrub,
    submit,
)
from lib.surveys.charts import distribution_chart, pair_heatmap, target_bars, trend_chart
from lib.surveys.cli import register_cli
from lib.surveys.demo import DEMO_COMMENTS, load_demo_rounds
from lib.surveys.model import (
    COMMENT_K_SETTING,
    DEFAULT_COMMENT_K,
    DEFAULT_K,
    DEFAULT_QUESTIONS,
    HIDDEN,
    K_SETTING,
    MAX_COMMENT_CHARS,
    MAX_QUESTIONS,
    MIN_K,
    SCORES,
    TARGET_METRIC,
    TREND_ROUNDS,
    Figure,
    Question,
    RoundInfo,
    RoundResults,
    SurveyError,
    Thresholds,
)
from lib.surveys.present import (
    display_table,
    message,
    pair_frame,
    rated_frame,
    response_frame,
    results_json,
    rounds_table,
    shown_groups,
)
from lib.surveys.queries import current_round, departments, list_rounds, respondent_department, thresholds
from lib.surveys.results import collab_target, department_scores, round_comments, round_results, trend
from lib.surveys.rounds import (
    close_round,
    create_round,
    open_round,
    parse_questions,
    set_thresholds,
    today_period,
    update_questions,
)
from lib.surveys.suppression import Entry, Suppression, bridges, suppress

__all__ = [
    "register_cli",
    "ANSWER_TABLES",
    "COMMENT_K_SETTING",
    "DEFAULT_COMMENT_K",
    "DEFAULT_K",
    "DEFAULT_QUESTIONS",
    "DEMO_COMMENTS",
    "HIDDEN",
    "K_SETTING",
    "MAX_COMMENT_CHARS",
    "MAX_QUESTIONS",
    "MIN_K",
    "SCORES",
    "TARGET_METRIC",
    "TREND_ROUNDS",
    "Entry",
    "Figure",
    "Question",
    "RoundInfo",
    "RoundResults",
    "Suppression",
    "SurveyError",
    "Thresholds",
    "bridges",
    "close_round",
    "collab_target",
    "create_round",
    "current_round",
    "department_scores",
    "departments",
    "display_table",
    "distribution_chart",
    "flush_answers",
    "has_answered",
    "list_rounds",
    "load_demo_rounds",
    "may_answer",
    "message",
    "open_round",
    "open_round_for",
    "pair_frame",
    "pair_heatmap",
    "parse_questions",
    "rated_frame",
    "respondent_department",
    "response_count",
    "response_frame",
    "results_json",
    "round_comments",
    "round_results",
    "rounds_table",
    "scrub",
    "set_thresholds",
    "shown_groups",
    "submit",
    "suppress",
    "target_bars",
    "thresholds",
    "today_period",
    "trend",
    "trend_chart",
    "update_questions",
]
