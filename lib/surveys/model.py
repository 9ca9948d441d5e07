"""The survey domain's vocabulary: constants, the refusal type, rounds, thresholds and result figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.core.errors import CodedError

DEFAULT_QUESTIONS: tuple[dict[str, str], ...] = (
    {"key": "responsiveness", "zh": "响应速度", "en": "Responsiveness"},
    {"key": "communication", "zh": "沟通效率", "en": "Communication"},
    {"key": "handoff", "zh": "交付质量", "en": "Handoff quality"},
    {"key": "overall", "zh": "总体满意度", "en": "Overall satisfaction"},
)
SCORES = (1, 2, 3, 4, 5)
DEFAULT_K = 5  # SPEC: groups under 5 responses show nothing
MIN_K = 3  # SPEC: the threshold may never go below 3
DEFAULT_COMMENT_K = 10  # comments are more identifying than means: a higher bar
K_SETTING = "survey_min_responses"
COMMENT_K_SETTING = "survey_min_comment_responses"
MAX_COMMENT_CHARS = 2000
MAX_QUESTIONS = 8
TREND_ROUNDS = 12  # closed rounds shown in the trend
TARGET_METRIC = "collab_satisfaction"


class SurveyError(CodedError):
    """A user-facing refusal; `code` is an i18n key under survey.error, `params` fill it."""

    prefix = "survey.error"


@dataclass(frozen=True)
class Question:
    key: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    period: str
    status: str  # draft / open / closed
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Thresholds:
    k: int
    comment_k: int


@dataclass
class Figure:
    """One group's result; when hidden, nothing but `shown=False`."""

    shown: bool
    n: int | None = None  # responses in the group; None where it would reveal another group's size
    mean: float | None = None  # all questions
    question_means: dict[str, float | None] = field(default_factory=dict)  # None: no ratings
    distribution: dict[str, tuple[float, ...]] = field(default_factory=dict)  # "all"/question -> shares 1..5

    def mean_for(self, question: str | None) -> float | None:
        return self.mean if question is None else self.question_means.get(question)


HIDDEN = Figure(False)


@dataclass
class RoundResults:
    round: RoundInfo
    thresholds: Thresholds
    available: bool  # False while the round is not closed
    departments: dict[int, str]
    target: float
    total: Figure
    rated: dict[int, Figure]  # how each department is rated by the others
    raters: dict[int, Figure]  # how each department rates the others (and its response count)
    pairs: dict[tuple[int, int], Figure]  # (rater, rated)
    eligible: dict[int, int]  # users per rater department when the round opened
    filtered: Figure | None = None  # the figure for the requested rater/rated filter
    responses: dict[int, int | None] = field(default_factory=dict)  # per rater department; None = hidden
    comments_shown: bool = False
