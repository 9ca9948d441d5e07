"""Layouts beyond the three samples: other header spellings and versions, 万/w counts, % rates, Chinese
durations, GB18030, XLSX with Excel serial dates, a platform column, and an admin-saved profile."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from lib import importing
from lib.core.models import ExportProfile, LiveSession

VARIANT = (
    "直播间名称,达人昵称,账号,平台,开播时间,下播时间,直播时长,观看人数,观看次数,人均停留时长,新增粉丝,"
    "评论数,点赞数,成交人数,成交订单数,成交金额(元),留存率,备注\n"
    "小雨家电旗舰店,林晓雨,xyjd2021,抖音,2026-11-10 20:00,2026-11-10 22:13,2小时13分,1.2万,3.5w,1分35秒,"
    '120,800,2.1万,96,110,"¥3,456.00",12.34%,第一场\n'
    "一鸣数码,赵一鸣,ks_yiming,快手,2026-11-11 10:00,--,01:45:12,5800,9000,95,-,400,1000,50,60,8.9万元,-,\n"
)


def _stored(engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.select(LiveSession.__table__).order_by(LiveSession.started_at)
            ).mappings()
        ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_variant_headers_and_values(engine, encoding):
    report = importing.import_bytes(engine, VARIANT.encode(encoding), "export.csv", username="t")
    assert report.ok, [e.message("en") for e in report.errors]
    assert (report.profile, report.inserted) == ("sessions_with_platform", 2)
    first, second = _stored(engine)
    assert (first["platform"], first["room"], first["host_name"], first["account"]) == (
        "douyin",
        "小雨家电旗舰店",
        "林晓雨",
        "xyjd2021",
    )
    assert first["duration_minutes"] == 133 and first["ended_at"] == dt.datetime(2026, 11, 10, 22, 13)
    assert (first["viewers"], first["views"], first["likes"]) == (12000, 35000, 21000)
    assert first["avg_watch_seconds"] == 95 and first["gmv"] == 3456.0
    assert first["retention_rate"] == pytest.approx(0.1234) and first["buyers"] == 96
    assert (
        second["platform"] == "kuaishou"
        and second["new_followers"] is None
        and second["retention_rate"] is None
    )
    assert second["duration_minutes"] == pytest.approx(105.2)
    assert second["ended_at"] == dt.datetime(2026, 11, 11, 11, 45, 12) and second["gmv"] == 89000.0


def test_xlsx_with_serial_dates_and_title_rows(engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["快手小店-直播数据-2026/11/09~2026/11/15"])
    sheet.append([])
    sheet.append(
        [
            "直播开始时间",
            "直播时长(分钟)",
            "主播昵称",
            "快手号",
            "观看人数",
            "支付金额(元)",
            "平均观看时长(秒)",
        ]
    )
    sheet.append([46335.8333333333, 120, "王欣然", "ks_xinran", "1.5万", 1234.5, 80])  # 2026-11-09 20:00
    sheet.append(["2026/11/10 20:00:00", "2小时", "王欣然", "ks_xinran", 3000, "2,000.10", "1分20秒"])
    sheet.append(["合计", None, None, None, 18000, 3234.6, None])
    buf = io.BytesIO()
    book.save(buf)
    report = importing.import_bytes(engine, buf.getvalue(), "ks.xlsx", username="t")
    assert report.ok, [e.message("en") for e in report.errors]
    assert (report.profile, report.inserted) == ("kuaishou_shop", 2)
    first, second = _stored(engine)
    assert first["started_at"] == dt.datetime(2026, 11, 9, 20, 0) and first["ended_at"] == dt.datetime(
        2026, 11, 9, 22
    )
    assert first["viewers"] == 15000 and first["gmv"] == 1234.5 and first["avg_watch_seconds"] == 80
    assert second["duration_minutes"] == 120 and second["gmv"] == 2000.1 and second["avg_watch_seconds"] == 80


def test_xlsx_error_rows_are_spreadsheet_rows(engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["标题"])
    sheet.append(["直播开始时间", "直播结束时间", "主播昵称", "快手号", "观看人数"])
    sheet.append([dt.datetime(2026, 11, 9, 20), dt.datetime(2026, 11, 9, 22), "王欣然", "ks_xinran", 100])
    sheet.append(
        [dt.datetime(2026, 11, 10, 20), dt.datetime(2026, 11, 10, 19), "王欣然", "ks_xinran", "很多"]
    )
    buf = io.BytesIO()
    book.save(buf)
    report = importing.import_bytes(engine, buf.getvalue(), "ks.xlsx", username="t")
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (4, "直播结束时间", "end_before_start"),
        (4, "观看人数", "bad_number"),
    ]


def test_saved_profile_maps_an_unknown_layout(engine):
    data = "场次日期时间,达人,销售额合计,看播UV\n2026-11-12 19:00:00,孙佳怡,1000.5,321\n".encode()
    first = importing.preview(engine, data, "tool.csv")
    assert first.kind is None and first.errors[0].code == "unknown_layout"
    assert first.unmatched == ["场次日期时间", "达人", "销售额合计", "看播UV"]
    mapping = {"场次日期时间": "started_at", "达人": "host_name", "销售额合计": "gmv", "看播UV": "viewers"}
    with pytest.raises(importing.ProfileError) as exc:
        importing.save_profile(
            engine, "third_party_tool", "sessions", "taobao", {**mapping, "达人": "nonsense"}, "t_admin"
        )
    assert exc.value.code == "profile_bad_field"
    importing.save_profile(engine, "third_party_tool", "sessions", "taobao", mapping, "t_admin")
    with pytest.raises(importing.ProfileError):
        importing.save_profile(engine, "third_party_tool", "sessions", "taobao", mapping, "t_admin")
    again = importing.preview(engine, data, "tool.csv")
    assert (again.kind, again.profile) == ("sessions", "third_party_tool")
    # a saved profile still needs the kind's required fields (no end time or duration here)
    assert [(e.code, e.column) for e in again.errors] == [("missing_column", "直播结束时间")]
    with engine.connect() as conn:
        assert conn.execute(sa.select(ExportProfile.created_by)).scalar() == "t_admin"
    mapping2 = {**mapping, "时长": "duration_minutes"}
    importing.save_profile(engine, "third_party_tool_v2", "sessions", "taobao", mapping2, "t_admin")
    data2 = "场次日期时间,达人,销售额合计,看播UV,时长\n2026-11-12 19:00:00,孙佳怡,1000.5,321,90\n".encode()
    report = importing.import_bytes(engine, data2, "tool.csv", username="t")
    assert report.ok and report.profile == "third_party_tool_v2" and report.inserted == 1
    (row,) = _stored(engine)
    assert (row["platform"], row["account"], row["gmv"], row["viewers"]) == ("taobao", "孙佳怡", 1000.5, 321)
    assert row["ended_at"] == dt.datetime(2026, 11, 12, 20, 30)


def test_explicit_profile_and_kind(engine):
    data = VARIANT.encode()
    assert importing.preview(engine, data, "x.csv", profile="sessions_with_platform").ok
    wrong = importing.preview(engine, data, "x.csv", kind="incidents")
    assert wrong.errors[0].code == "unknown_layout"
    bad_kind = importing.preview(engine, data, "x.csv", kind="nonsense")
    assert bad_kind.errors[0].code == "bad_kind"


def test_incident_with_session_id_column_links_by_it(engine):
    from import_helpers import TAOBAO, sample_bytes

    from lib.core.models import Incident

    assert importing.import_bytes(engine, sample_bytes(TAOBAO), TAOBAO, username="t").ok
    data = (
        "直播场次,直播间,主播,问题类型,严重程度,发现时间,解决时间\n"
        "tb_jiayi-000009,佳怡生活馆,孙佳怡,价格异常,简单,2026-11-03 21:00:00,2026-11-03 21:20:00\n"
        ",佳怡生活馆,孙佳怡,其他,简单,2026-11-04 21:00:00,\n"
    ).encode()
    report = importing.import_bytes(engine, data, "incidents.csv", username="t")
    assert report.ok, [e.message("en") for e in report.errors]
    with engine.connect() as conn:
        linked = dict(
            conn.execute(
                sa.select(Incident.category, LiveSession.external_id).join(
                    LiveSession, LiveSession.id == Incident.session_id, isouter=True
                )
            ).all()
        )
    # the second one: detected 21:00 on 11-04, inside the session 20:30-00:43 (start + 04:13:00)
    assert linked == {"价格异常": "tb_jiayi-000009", "其他": "tb_jiayi-000012"}


def test_room_is_learned_from_an_export_that_names_it(engine):
    from import_helpers import DOUYIN, INCIDENTS, sample_bytes

    from lib.core.models import Incident

    named = (
        "直播间名称,主播昵称,主播抖音号,直播开始时间,直播结束时间,观看人数\n"
        "小雨家电旗舰店,林晓雨,xyjd2021,2026/10/30 20:00:00,2026/10/30 22:00:00,100\n"
    ).encode()
    assert importing.import_bytes(engine, named, "named.csv", username="t").ok
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    with engine.connect() as conn:
        rooms = dict(
            conn.execute(
                sa.select(LiveSession.account, sa.func.max(LiveSession.room)).group_by(LiveSession.account)
            ).all()
        )
    assert rooms == {"xyjd2021": "小雨家电旗舰店", "jjhw888": "jjhw888"}  # unnamed: the account stands in
    assert importing.import_bytes(engine, sample_bytes(INCIDENTS), INCIDENTS, username="t").ok
    with engine.connect() as conn:
        linked = conn.execute(
            sa.select(sa.func.count()).select_from(Incident).where(Incident.session_id.is_not(None))
        ).scalar()
    assert linked == 6  # the Douyin rooms' incidents (the Kuaishou/Taobao sessions were not imported)
