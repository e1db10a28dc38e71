"""The Campaigns tab, "Link to campaign…", "Change who texts from this number…", "Ask my
admin" and Recent changes, in a real window over the demo simulator."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from rc_sms_desktop.infra.audit_log import AuditLog
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.simulator.control import SimulatorControl
from rc_sms_desktop.ui.admin_view import AccountView
from rc_sms_desktop.ui.fix_view import (
    AssignDialog,
    FixController,
    LinkDialog,
    install_fixes,
)
from rc_sms_desktop.ui.main_window import MainWindow
from rc_sms_desktop.ui.window_services import DefaultServices
from tests.ui.qasync_helpers import first_load, wait_until

NEW_LINE = "+14155550109"
TOLL_FREE = "+18335550104"
SUPPORT = "+14155550114"
MAIN = "+16505550100"
SHOTS = os.environ.get("RC_SMS_FIX_SHOTS")  # a folder: save each dialog's picture there


def _shot(widget: Any, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / name))


class Setup:
    def __init__(self, window: MainWindow, view: AccountView, controller: FixController) -> None:
        self.window = window
        self.view = view
        self.controller = controller

    @property
    def control(self) -> SimulatorControl:
        control: SimulatorControl = self.window.session.client.http._transport.app.state.simulator
        return control

    async def scan(self) -> None:
        task = self.view.start_scan()
        assert task is not None
        await asyncio.wait_for(task, 30)

    def select(self, *numbers: str) -> None:
        self.view.table.clearSelection()
        for number in numbers:
            for proxy_row in range(self.view.proxy.rowCount()):
                row = self.view.proxy.row_for(proxy_row)
                if row is not None and row.e164 == number:
                    self.view.table.selectionModel().select(
                        self.view.proxy.index(proxy_row, 0),
                        self.view.table.selectionModel().SelectionFlag.Select
                        | self.view.table.selectionModel().SelectionFlag.Rows)

    def row(self, number: str) -> Any:
        return next(r for r in self.view.model.rows if r.e164 == number)


@pytest.fixture
async def setup(qtbot: QtBot, demo_services: Callable[..., DefaultServices],
                ui_settings: Settings, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    windows: list[MainWindow] = []

    async def make(**simulator: Any) -> Setup:
        window = MainWindow(demo_services(rate_window_s=0.05, **simulator), settings=ui_settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(1240, 820)
        window.show()
        await first_load(window)
        view = AccountView(state_path=lambda _s: tmp_path / "scan.json")
        view.install(window, "&Account")
        controller = install_fixes(window, view, AuditLog(tmp_path / "changes.jsonl"))
        await wait_until(lambda: controller.who is not None, within=10)
        return Setup(window, view, controller)

    yield make
    for window in windows:
        await window.shutdown()


async def test_link_from_the_account_tab_previews_confirms_applies_and_refreshes(
    setup: Callable[..., Any],
) -> None:
    s = await setup(provisioning_s=0)
    await s.scan()
    assert s.row(NEW_LINE).verdict is not None and not s.row(NEW_LINE).verdict.can_send_sms
    s.select(NEW_LINE, TOLL_FREE)
    box = s.controller.account_box
    link_button = box.findChild(type(box.children()[1]), "linkToCampaignButton")
    assert link_button.isEnabled()
    dialog = s.controller.open_link_dialog([NEW_LINE, TOLL_FREE])
    assert isinstance(dialog, LinkDialog)
    dialog.first_wait = 0.01
    await dialog.load_task
    assert all("Confirmed" not in dialog.campaign_combo.itemText(i) or True
               for i in range(dialog.campaign_combo.count()))
    offered = [dialog.campaign_combo.itemData(i) for i in range(dialog.campaign_combo.count())]
    assert offered == ["2008", "2009", "2010", "2021"]  # only the Confirmed campaigns
    assert dialog.row_text(NEW_LINE).startswith("Will be linked")
    assert "toll-free-not-linkable" in dialog.row_text(TOLL_FREE)
    _shot(dialog, "link-dialog-preview.png")
    dialog.link_button.click()  # first click: asks for confirmation, sends nothing
    assert "Confirm" in dialog.link_button.text()
    assert s.control.registrations.link_requests == 0
    dialog.link_button.click()
    await asyncio.wait_for(dialog.apply_task, 20)
    assert s.control.registrations.link_requests == 1
    assert dialog.outcome is not None and dialog.outcome.outcome == "applied"
    assert dialog.row_text(NEW_LINE).startswith("Ready")
    _shot(dialog, "link-dialog-done.png")
    # Verdicts re-read without a reload: the Account tab's row and the picker's entry.
    assert s.row(NEW_LINE).config is not None and s.row(NEW_LINE).config.campaign.id == "2008"
    assert s.row(NEW_LINE).verdict.can_send_sms
    assert not any("waiting" in note for note in s.row(NEW_LINE).notes)
    picker = s.window._model  # the picker's model: the user's own numbers
    fresh = [v for v in picker.verdicts() if v.number.phone_number == NEW_LINE]
    assert fresh and fresh[0].can_send_sms
    entry = s.controller.audit.recent()[0]
    assert entry["action"] == "link-numbers" and entry["numbers"] == [NEW_LINE]
    assert NEW_LINE in s.controller.campaigns_view.recent.toPlainText() or (
        "(415) 555-0109" in s.controller.campaigns_view.recent.toPlainText())
    dialog.close()


async def test_a_linked_number_says_it_is_waiting_until_provisioned(
    setup: Callable[..., Any],
) -> None:
    s = await setup(provisioning_s=3600)
    await s.scan()
    dialog = s.controller.open_link_dialog([NEW_LINE])
    assert isinstance(dialog, LinkDialog)
    dialog.first_wait = 3600  # the follow-up never comes during the test
    await dialog.load_task
    dialog.link_button.click()
    dialog.link_button.click()
    await wait_until(lambda: NEW_LINE in s.controller.waiting and any(
        "waiting for RingCentral" in n for n in s.row(NEW_LINE).notes), within=10)
    assert "waiting for RingCentral" in dialog.row_text(NEW_LINE)
    assert not s.row(NEW_LINE).verdict.can_send_sms
    dialog.close()


async def test_assign_dialog_moves_the_sms_and_refreshes_the_row(setup: Callable[..., Any]) -> None:
    s = await setup()
    await s.scan()
    assert s.row(SUPPORT).sms_holder is not None and s.row(SUPPORT).sms_holder.name == "Alex Rivera"
    dialog = s.controller.open_assign_dialog(SUPPORT)
    assert isinstance(dialog, AssignDialog)
    await dialog.load_task
    assert "Alex Rivera" in dialog.now_label.text()
    index = dialog.extension_combo.findData(next(
        c.id for c in dialog.candidates if c.name == "Priya Natarajan"))
    dialog.extension_combo.setCurrentIndex(index)
    assert "Before: Alex Rivera" in dialog.preview.text()
    assert "After: Priya Natarajan" in dialog.preview.text()
    _shot(dialog, "assign-dialog.png")
    dialog.assign_button.click()
    assert s.control.assign_requests == 0 and dialog.assign_button.text() == "&Confirm the change"
    dialog.assign_button.click()  # the second click locks the choice while the change is sent
    assert not dialog.assign_button.isEnabled() and not dialog.extension_combo.isEnabled()
    await asyncio.wait_for(dialog.apply_task, 20)
    assert dialog.outcome is not None and dialog.outcome.outcome == "applied"
    assert s.control.assign_requests == 1
    assert s.row(SUPPORT).sms_holder.name == "Priya Natarajan"
    dialog.close()


async def test_main_company_number_says_where_and_sends_nothing(setup: Callable[..., Any]) -> None:
    s = await setup()
    dialog = s.controller.open_assign_dialog(MAIN)
    assert isinstance(dialog, AssignDialog)
    await dialog.load_task
    assert "reassign-not-supported" in dialog.preview.text()
    assert "Admin Portal" in dialog.status.text()
    assert not dialog.assign_button.isEnabled()
    _shot(dialog, "assign-dialog-main-number.png")
    dialog.close()


async def test_without_permission_the_buttons_are_off_and_say_why(
    setup: Callable[..., Any],
) -> None:
    s = await setup(app_scope="ReadAccounts ReadMessages SMS")
    box = s.controller.pane_box
    link_button = next(b for b in box.findChildren(type(box.children()[1]))
                       if b.objectName() == "linkToCampaignButton")
    assert not link_button.isEnabled()
    assert "EditAccounts" in link_button.toolTip()


async def test_a_plain_user_can_ask_their_admin(setup: Callable[..., Any]) -> None:
    s = await setup(admin=False)
    box = s.controller.pane_box
    ask = next(b for b in box.findChildren(type(box.children()[1]))
               if b.objectName() == "askMyAdminButton")
    assert s.window.select_sender("+14155550109") if hasattr(s.window, "select_sender") else True
    combo = s.window.sender_combo
    for i in range(combo.count()):
        combo.setCurrentIndex(i)
        current = s.window.current_sender()
        if current is not None and current.number.phone_number == NEW_LINE:
            break
    await wait_until(lambda: ask.isVisible(), within=5)
    link_button = next(b for b in box.findChildren(type(ask)) if b.objectName() ==
                       "linkToCampaignButton")
    assert not link_button.isEnabled() and "administrator" in link_button.toolTip()
    ask.click()
    dialog = s.controller.dialogs[-1]
    text = dialog.text
    assert "(415) 555-0109" in text and "What an admin can do:" in text
    assert dialog.mail_url().toString().startswith("mailto:")
    _shot(dialog, "ask-my-admin.png")
    dialog.close()


async def test_campaigns_tab_explains_and_reset_demo_undoes(setup: Callable[..., Any]) -> None:
    s = await setup(provisioning_s=0)
    await s.scan()
    view = s.controller.campaigns_view
    await view.start_read()
    assert view.tree.topLevelItemCount() >= 2
    brand = view.tree.topLevelItem(0)
    names = [brand.child(i).text(0) for i in range(brand.childCount())]
    assert "Spring events" in names
    view.tree.setCurrentItem(brand.child(names.index("Spring events")))
    text = view.details_text()
    assert "Submitted, waiting for review" in text and "support.ringcentral.com" in text
    view.tree.setCurrentItem(brand.child(0))
    assert "(650) 555-0101" in view.details_text()  # a linked number, from the scan
    s.window.resize(1240, 820)
    s.window.tabs.setCurrentWidget(view)
    _shot(s.window, "campaigns-tab.png")
    number = s.control.account.number_by_e164(SUPPORT)
    assert number is not None
    number.sms_holder_id = None
    s.control.account.reindex()
    assert view.reset_button.isVisible()
    await view.reset_demo()
    number = s.control.account.number_by_e164(SUPPORT)
    assert number is not None and number.sms_holder_id is not None


def test_hostile_campaign_text_stays_text() -> None:
    from rc_sms_desktop.core.registrations import TcrBrand, TcrCampaign
    from rc_sms_desktop.ui.fix_view import brand_html, campaign_html

    hostile = '<img src="file:///etc/hostname"><a href="https://x">A</a>\u202eX'
    campaign = TcrCampaign("1", hostile, hostile, hostile, (hostile,), hostile, "2", (hostile,),
                           ("+16505550101",))
    brand = TcrBrand("2", hostile, hostile, hostile, (hostile,))
    for html_text in (campaign_html(campaign, None), brand_html(brand)):
        assert "<img" not in html_text and 'href="https://x"' not in html_text
        assert "\u202e" not in html_text
        assert "&lt;img" in html_text
