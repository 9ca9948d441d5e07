"""Upload and people pages under AppTest: who can open them, what they show, phone masking."""

from __future__ import annotations

from import_helpers import DOUYIN, sample_bytes

from lib import importing
from lib.core.formatting import md_escape
from lib.importing import mask_phone


def test_staff_can_open_upload(run_page):
    at = run_page("upload", "staff")
    assert not at.exception
    assert at.title[0].value == "数据上传"
    assert [s.value for s in at.subheader] == ["上传记录"]
    assert not at.button  # no undo for staff, no files yet


def _sessions(engine) -> int:
    import sqlalchemy as sa

    from lib.core.models import LiveSession

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar()


def test_upload_page_history_and_undo_for_manager(engine, users, run_page):
    """Undo asks first (cancel keeps everything), then undoes and shows the batch's state afterwards."""
    report = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username=users["staff"])
    at = run_page("upload", "manager", lang="en")
    assert not at.exception
    history = at.dataframe[0].value
    assert list(history["File"]) == [DOUYIN] and list(history["Inserted"]) == [14]
    assert list(history["Status"]) == ["committed"]
    assert at.selectbox(key="undo_pick").value == report.batch_id
    at.button(key="undo_button").click().run()  # first click only asks
    assert not at.exception and _sessions(engine) == 14
    assert at.warning[0].value == (
        f"Undo upload #{report.batch_id} ({md_escape(DOUYIN)})? The rows it added are deleted and the rows it "
        "updated get their old values back."
    )
    at.button(key="undo_no").click().run()  # cancel: nothing changes, the picker is back
    assert not at.exception and _sessions(engine) == 14
    assert at.success[0].value == "Not undone; the data is unchanged."
    assert at.selectbox(key="undo_pick").value == report.batch_id
    at.button(key="undo_button").click().run()
    at.button(key="undo_yes").click().run()
    assert not at.exception and _sessions(engine) == 0
    batch = importing.list_batches(engine)[0]
    assert batch["status"] == "undone" and batch["undone_by"] == users["manager"]
    message = at.success[0].value
    assert message.startswith(f"Undone: 14 rows deleted, 0 rows restored. Upload #{report.batch_id} (")
    assert message.endswith(f"is now: undone ({md_escape(users['manager'])}, {batch['undone_at']}).")
    assert list(at.dataframe[0].value["Status"]) == ["undone"]
    assert len(at.selectbox) == 0  # nothing left to undo
    staff = run_page("upload", "staff")
    assert len(staff.selectbox) == 0


def test_upload_page_requires_login(run_page):
    at = run_page("upload")
    assert not at.exception
    assert "请先登录" in at.warning[0].value
    assert not at.dataframe


def _roster(engine):
    from import_helpers import ROSTER

    assert importing.import_bytes(engine, sample_bytes(ROSTER), ROSTER, username="t").ok


def test_people_phone_masked_for_staff_and_manager(engine, run_page):
    _roster(engine)
    for role in ("staff", "manager"):
        at = run_page("people", role)
        assert not at.exception
        table = at.dataframe[0].value
        phones = dict(zip(table["姓名"], table["手机号"], strict=True))
        assert phones["林晓雨"] == "138****5678" and phones["韩雪"] == "130****2222"
        assert not any("12345678" in p for p in phones.values())
        assert len(at.text_input) == 0  # no host-account editor


def test_people_admin_sees_phones_and_edits_host_accounts(engine, run_page):
    _roster(engine)
    at = run_page("people", "admin")  # zh: AppTest formats selectbox options in the test process (zh)
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["姓名"], table["手机号"], strict=True))["林晓雨"] == "13812345678"
    at.selectbox[0].select_index(0)
    at.selectbox[1].set_value("taobao")
    at.text_input[0].input("tb_jiayi")
    at.button[0].click().run()
    assert not at.exception
    assert at.success[0].value == "已添加。"
    accounts = at.dataframe[1].value
    assert list(accounts["平台"]) == ["淘宝"] and list(accounts["昵称或账号"]) == ["tb_jiayi"]
    table = at.dataframe[0].value
    assert sorted(table["已绑定的平台账号"]) == ["已绑定 1 个"] + ["未绑定"] * 19  # words, not 0/1


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86138****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone(None) is None


def test_one_upload_limit_on_page_widget_server_and_pipeline(engine, run_page):
    """The page says the limit before any upload; widget, server and pipeline use the same number."""
    import tomllib

    from import_helpers import ROOT_DIR

    from lib.importing import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    at = run_page("upload", "staff")
    assert not at.exception
    uploader = at.get("file_uploader")[0].proto
    limit = "每个文件最大 50 MB，最多 200,000 行、100 列。"
    assert limit in uploader.label  # said once, beside the widget's own refusal (issue 20: it was said twice)
    assert limit not in [c.value for c in at.caption]
    assert uploader.max_upload_size_mb == MAX_UPLOAD_MB == 50
    config = tomllib.loads((ROOT_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    report = importing.import_bytes(engine, b"x" * (MAX_UPLOAD_BYTES + 1), "big.csv")
    assert [e.code for e in report.errors] == ["file_too_large"]
