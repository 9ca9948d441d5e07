"""Push, not pull: the dashboard posts to the team's WeCom / DingTalk / Feishu group robots (or a JSON
webhook): the morning brief and events (red flags after an import, SLA breaches without a reason with the
handler @-mentioned, overdue action items with their owners @-mentioned, cases waiting for approval,
survey rounds opening and closing), each sent once, retried, rate-limited and folded.

Inside: model (shapes, limits), platforms (signing, rendering, answers; pure), channels (channels and
rules: validate -> write -> audit, secrets masked), sendlog (claim -> send -> mark), sender (rate limit,
HTTP, retries), brief and events (messages from the pages' own functions, as the rule's audience sees
them), due (`notify --due`), actions (test, preview, send again), present (the admin page's tables), cli.
"""

from lib.notify.actions import preview, send_again, send_test, test_message
from lib.notify.brief import brief, yesterday_figures
from lib.notify.channels import (
    add_channel,
    add_rule,
    effective_time,
    list_channels,
    list_rules,
    mask,
    set_chat_ids,
    set_rule_active,
    unmentionable,
    update_channel,
)
from lib.notify.cli import register_cli
from lib.notify.due import period_key, run_due
from lib.notify.events import SOURCES as EVENT_SOURCES
from lib.notify.links import PUBLIC_URL_ENV, PUBLIC_URL_SETTING, public_url
from lib.notify.model import (
    ATTEMPTS,
    AUDIENCES,
    EVENTS,
    FOLD_WINDOW_MINUTES,
    KINDS,
    MANAGER_ONLY,
    MESSAGES,
    PER_MINUTE,
    PER_SECOND,
    SCHEDULED,
    Mention,
    Message,
    NotifyError,
)
from lib.notify.platforms import (
    can_mention,
    dingtalk_sign,
    feishu_sign,
    inert,
    read_answer,
    render,
    request_for,
)
from lib.notify.present import (
    channels_frame,
    people_choices,
    people_frame,
    person_ids,
    rules_frame,
    sends_frame,
    short_mobile,
)
from lib.notify.sender import BACKOFF_ENV, Outcome
from lib.notify.sendlog import OPEN, recent
from lib.notify.weekly import Weekly, week_of, weekly_frames, weekly_message, weekly_report
from lib.notify.weekly_files import FONT_ENV, weekly_pdf, weekly_xlsx

__all__ = [
    "weekly_xlsx",
    "weekly_pdf",
    "FONT_ENV",
    "weekly_report",
    "weekly_message",
    "weekly_frames",
    "week_of",
    "Weekly",
    "short_mobile",
    "sends_frame",
    "rules_frame",
    "person_ids",
    "people_frame",
    "people_choices",
    "channels_frame",
    "ATTEMPTS",
    "AUDIENCES",
    "BACKOFF_ENV",
    "EVENTS",
    "EVENT_SOURCES",
    "FOLD_WINDOW_MINUTES",
    "KINDS",
    "MANAGER_ONLY",
    "MESSAGES",
    "OPEN",
    "PER_MINUTE",
    "PER_SECOND",
    "PUBLIC_URL_ENV",
    "PUBLIC_URL_SETTING",
    "SCHEDULED",
    "Mention",
    "Message",
    "NotifyError",
    "Outcome",
    "add_channel",
    "add_rule",
    "brief",
    "can_mention",
    "dingtalk_sign",
    "effective_time",
    "feishu_sign",
    "inert",
    "list_channels",
    "list_rules",
    "mask",
    "period_key",
    "preview",
    "public_url",
    "read_answer",
    "recent",
    "register_cli",
    "render",
    "request_for",
    "run_due",
    "send_again",
    "send_test",
    "set_chat_ids",
    "set_rule_active",
    "test_message",
    "unmentionable",
    "update_channel",
    "yesterday_figures",
]
