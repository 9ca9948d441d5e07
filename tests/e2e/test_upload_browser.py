"""Browser: a staff member uploads the Kuaishou sample through the upload page, sees the detected profile,
the preview and the validation report, commits, and sees the counts; a bad file is refused on the page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lib.core.models import ImportBatch, LiveSession
from tests.conftest import SAMPLES
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception

pytestmark = pytest.mark.e2e


def test_upload_preview_commit(engine, database_url, users, start_server, page, tmp_path):
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "upload-e2e-cookie-key-" + "u" * 32})
    arrive_logged_in(page, server, users["staff"])
    go_to(page, "数据上传")
    page.wait_for_selector("h1:has-text('数据上传')")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLES / "kuaishou_2026-11-02_2026-11-08.xlsx")
    )
    expect(page.get_by_text("识别结果：直播场次 · 模板 快手小店 · 9 行")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("已跳过 1 行合计行")).to_be_visible()
    expect(page.get_by_text("校验通过，没有问题。")).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "upload_preview.png"), full_page=True)

    page.get_by_role("button", name="提交导入").click()
    success = page.locator('[data-testid="stAlertContentSuccess"]', has_text="已导入")
    expect(success).to_contain_text("新增 9 · 更新 0 · 未变 0", timeout=30_000)
    expect(page.get_by_role("button", name="提交导入")).to_have_count(0)  # committed: no second commit
    expect(page.get_by_text("暂无数据")).to_have_count(0)  # the history lists the upload
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "upload_committed.png"), full_page=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar() == 9
        assert conn.execute(sa.select(ImportBatch.username)).scalar() == users["staff"]

    bad = tmp_path / "douyin_bad.csv"
    lines = (SAMPLES / "douyin_2026-11-02_2026-11-08.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace(",2241,", ",-2241,")
    bad.write_text("\n".join(lines), encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    expect(page.get_by_text("校验发现 1 个问题，文件不能提交：")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="提交导入")).to_be_disabled()
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "upload_refused.png"), full_page=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar() == 9


def test_file_over_the_upload_limit_is_refused_on_the_page(
    engine, database_url, users, start_server, page, tmp_path
):
    """A 60 MB file (limit 50 MB): the page states the limit in Chinese before any upload, the widget
    refuses the file itself, and no raw `AxiosError ... 413` ever shows; nothing is stored."""
    from lib.importing import MAX_UPLOAD_MB

    big = tmp_path / "douyin_big.csv"
    with big.open("wb") as fh:
        fh.write((SAMPLES / "douyin_2026-11-02_2026-11-08.csv").read_bytes())
        fh.truncate(60 * 1024 * 1024)  # sparse: 60 MB without writing them
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "upload-e2e-cookie-key-" + "u" * 32})
    arrive_logged_in(page, server, users["staff"])
    go_to(page, "数据上传")
    page.wait_for_selector("h1:has-text('数据上传')")
    limit = f"每个文件最大 {MAX_UPLOAD_MB} MB"
    expect(page.get_by_text(limit).first).to_be_visible()  # said before any upload
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    uploader = page.locator('[data-testid="stFileUploader"]')
    # the widget refuses the file next to its name, client-side (Streamlit's own words, not translatable)
    refusal = uploader.get_by_text(f"{MAX_UPLOAD_MB}.0MB or smaller")
    expect(refusal).to_be_visible(timeout=30_000)
    expect(uploader).to_contain_text(limit)  # ... under the Chinese limit, in the widget's own label
    expect(uploader).to_contain_text("douyin_big.csv")
    assert "AxiosError" not in page.locator("body").inner_text()
    assert "413" not in refusal.inner_text()
    expect(page.get_by_role("button", name="提交导入")).to_have_count(0)  # never reached the server
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "upload_too_large.png"), full_page=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar() == 0


def test_people_page_admin(engine, database_url, users, start_server, page):
    from lib.importing import import_bytes

    assert import_bytes(engine, (SAMPLES / "roster.csv").read_bytes(), "roster.csv", username="t").ok
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "upload-e2e-cookie-key-" + "u" * 32})
    arrive_logged_in(page, server, users["admin"])
    go_to(page, "人员与团队")
    page.wait_for_selector("h1:has-text('人员与团队')")
    expect(page.get_by_text("主播平台账号")).to_be_visible()
    page.get_by_label("昵称或账号").fill("tb_jiayi")
    page.get_by_role("button", name="添加关联").click()
    expect(page.get_by_text("已添加。")).to_be_visible(timeout=20_000)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "people_admin.png"), full_page=True)


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit selectbox labelled `label` (a react-aria combobox in 1.67)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)  # filter: the option list is virtualised
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value(option)


def test_admin_maps_unknown_layout_and_saves_profile(
    engine, database_url, users, start_server, page, tmp_path
):
    unknown = tmp_path / "third_party.csv"
    unknown.write_text(
        "场次日期时间,达人,销售额合计,看播UV,时长\n2026-11-12 19:00:00,孙佳怡,1000.5,321,90\n",
        encoding="utf-8",
    )
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "upload-e2e-cookie-key-" + "u" * 32})
    arrive_logged_in(page, server, users["admin"])
    go_to(page, "数据上传")
    page.wait_for_selector("h1:has-text('数据上传')")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(unknown))
    expect(page.get_by_text("手动映射列（管理员）")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="提交导入")).to_be_disabled()
    _choose(page, "平台", "淘宝")
    for header, field in (
        ("场次日期时间", "直播开始时间"),
        ("达人", "主播"),
        ("销售额合计", "成交金额(元)"),
        ("看播UV", "观看人数"),
        ("时长", "直播时长(分钟)"),
    ):
        _choose(page, header, field)
    page.get_by_label("模板名称").fill("tool_v1")
    page.get_by_role("button", name="保存模板").click()
    expect(page.get_by_text("模板“tool_v1”已保存。")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("识别结果：直播场次 · 模板 tool_v1 · 1 行")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "upload_mapped.png"), full_page=True)
    page.get_by_role("button", name="提交导入").click()
    expect(page.locator('[data-testid="stAlertContentSuccess"]', has_text="已导入")).to_contain_text("新增 1")
    no_exception(page)
    with engine.connect() as conn:
        row = conn.execute(sa.select(LiveSession.platform, LiveSession.gmv, LiveSession.viewers)).one()
    assert tuple(row) == ("taobao", 1000.5, 321)
