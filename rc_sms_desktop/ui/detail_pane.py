"""The detail pane: everything about the chosen number, in words, with what to do about it.

Top to bottom: a headline verdict; what the number can do (SMS, MMS, international, high
volume); a checklist of every condition with its state; the campaign's use cases with their
descriptions; registration tier and daily limit; who owns the number and who has its SMS (the
guide's ownership table applied to this number); what to do, who can do it, with RingCentral's
guide; the raw API data for admins (collapsed); and when the data was fetched.
"""

from __future__ import annotations

import dataclasses
import html
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.core.eligibility import (
    ITEM_SMS_HOLDER,
    ITEM_TCR_BRAND,
    ITEM_TCR_CAMPAIGN,
    LINK_TCR,
    LINK_TOLL_FREE,
    CheckState,
    ConfigState,
    Reason,
    Severity,
    State,
    Verdict,
)
from rc_sms_desktop.core.formatting import format_number
from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.core.models import Extension
from rc_sms_desktop.core.number_kinds import is_shared, is_toll_free, number_kind, ownership
from rc_sms_desktop.core.use_cases import describe_use_case
from rc_sms_desktop.ui.labels import plain_label
from rc_sms_desktop.ui.theme import (
    MARK_GLYPHS,
    link_colour,
    mark_colour,
    mark_icon,
    secondary_text_colour,
)

# Who the pane names as "you": the main window passes the signed-in `Extension`; the Account
# view passes the row's SMS holder as the lists summarise it.
if TYPE_CHECKING:  # at run time only the Account tab loads the join (tests/ui/test_deferred_views.py)
    from rc_sms_desktop.core.account_join import ExtensionSummary
SignedIn: TypeAlias = "Extension | ExtensionSummary"

GUIDE_LINK = "https://developers.ringcentral.com/guide/messaging/sms/sms-requirements"


@dataclass(frozen=True, slots=True)
class Condition:
    """One line of the checklist: a condition, its state, and a few words about it."""

    title: str
    mark: Mark
    detail: str


def _mark_of(state: State) -> Mark:
    return {State.READY: Mark.READY, State.BLOCKED: Mark.BLOCKED}.get(state, Mark.UNKNOWN)


_CHECK_MARKS = {
    CheckState.PASS: Mark.READY,
    CheckState.FAIL: Mark.BLOCKED,
    CheckState.UNKNOWN: Mark.UNKNOWN,
}


def conditions(verdict: Verdict, *, sms_holder: str | None = None, account_view: bool = False) -> list[Condition]:
    """The verdict's own checklist (built by the core with the verdict), as lines to show.

    Items that do not apply to this number (a toll-free check on a local number…) are left out;
    an item still being checked shows the loading mark. In the Account view the holder's name
    is added to the SMS-holder line.
    """
    loading = verdict.config_state is ConfigState.LOADING
    items: list[Condition] = []
    for entry in verdict.checklist:
        if entry.state is CheckState.NOT_APPLICABLE and entry.item != ITEM_TCR_CAMPAIGN:
            continue
        mark = _CHECK_MARKS.get(entry.state, Mark.UNKNOWN)
        if loading and entry.state is CheckState.UNKNOWN and entry.item in (ITEM_TCR_CAMPAIGN, ITEM_TCR_BRAND):
            mark = Mark.LOADING
        if entry.state is CheckState.NOT_APPLICABLE:
            mark = Mark.UNKNOWN
        detail = entry.detail
        if account_view and entry.item == ITEM_SMS_HOLDER and sms_holder:
            # An admin reads about someone's number: name the holder, not "this extension".
            detail = (f"{sms_holder} holds this number's SMS" if entry.state is CheckState.PASS
                      else f"{detail} (SMS recipient: {sms_holder})")
        items.append(Condition(entry.title, mark, detail))
    return items


def tier_text(verdict: Verdict) -> str | None:
    """Registration tier and daily limit in words, or None when there is no campaign."""
    config = verdict.config
    if config is None or config.campaign is None:
        return None
    if is_toll_free(verdict.number):
        return None  # toll-free numbers are verified, not registered: no TCR tier or limit
    tier = config.campaign.registration_tier
    which = f"campaign {config.campaign.id}" if config.campaign.id else "this campaign"
    if tier == "LowVolume":
        return (f"Low volume: at most 6,000 messages a day across all the numbers linked to {which} "
                "(to US mobile carriers).")
    if tier == "StandardVolume":
        return f"Standard volume: more than 6,000 messages a day across the numbers linked to {which}."
    if tier:
        return f"{tier} (a tier this app does not know; RingCentral's value is shown as sent)."
    return "RingCentral did not say."


# Each mark's meaning in words, written after it: a screen reader (and anyone who cannot tell
# the colours apart) gets the state from the text, not from a picture.
_CONDITION_WORDS = {
    Mark.READY: "met",
    Mark.BLOCKED: "not met",
    Mark.UNKNOWN: "not known",
    Mark.LOADING: "being checked",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class DetailPane(QWidget):
    """Shows one verdict in full; `show_verdict(None)` shows a hint instead."""

    def __init__(self, parent: QWidget | None = None, *, account_view: bool = False) -> None:
        super().__init__(parent)
        # account_view: an admin reads about someone's number (the Account tab), not their own.
        self._account_view = account_view
        self.setObjectName("detailPane")
        self.setAccessibleName("Details of the chosen number")
        self._verdict: Verdict | None = None
        self._as_of: datetime | None = None
        self._signed_in: SignedIn | None = None

        self._icon = QLabel(self)
        self._icon.setObjectName("verdictIcon")
        self._icon.setFixedSize(28, 28)
        self._headline = plain_label(self, "verdictHeadline", wrap=True, selectable=True)
        font = self._headline.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.35)
        font.setBold(True)
        self._headline.setFont(font)
        self._subtitle = plain_label(self, "verdictSubtitle", wrap=True, selectable=True)

        self._body = QTextBrowser(self)
        self._body.setObjectName("detailBody")
        self._body.setAccessibleName("Conditions, use cases, ownership and what to do")
        self._body.setOpenExternalLinks(True)
        self._body.setFrameShape(QFrame.Shape.NoFrame)
        # Frameless while unfocused; a frame shows where the keyboard is (Tab then walks the links).
        self._body.installEventFilter(self)
        self._body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self._raw_toggle = QToolButton(self)
        self._raw_toggle.setObjectName("rawDataToggle")
        self._raw_toggle.setText("Raw API data (for admins)")
        self._raw_toggle.setAccessibleName("Show the raw API data")
        self._raw_toggle.setCheckable(True)
        self._raw_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._raw_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._raw_toggle.setAutoRaise(True)
        self._raw_toggle.toggled.connect(self._toggle_raw)
        self._raw = QPlainTextEdit(self)
        self._raw.setObjectName("rawData")
        self._raw.setAccessibleName("Raw API data")
        self._raw.setReadOnly(True)
        self._raw.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._raw.hide()
        self._as_of_label = plain_label(self, "detailAsOf")

        head = QHBoxLayout()
        head.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self._headline, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(head)
        layout.addWidget(self._subtitle)
        layout.addWidget(self._body, 3)
        layout.addWidget(self._raw_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._raw, 2)
        layout.addWidget(self._as_of_label)
        self.show_verdict(None)

    def add_action_widget(self, widget: QWidget) -> None:
        """A row of actions (ui/fix_view.py) above the as-of line."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self._as_of_label), widget)

    # -- what tests and the window read ---------------------------------------------------------

    @property
    def verdict(self) -> Verdict | None:
        return self._verdict

    def headline(self) -> str:
        return self._headline.text()

    def body_text(self) -> str:
        """Everything in the body as plain text (what a screen reader would read)."""
        return self._body.toPlainText()

    def raw_text(self) -> str:
        return self._raw.toPlainText()

    # -- what the window calls -------------------------------------------------------------------

    def set_signed_in(self, extension: SignedIn | None) -> None:
        """Who is signed in: "you" in the ownership table."""
        self._signed_in = extension
        if self._verdict is not None:
            self.show_verdict(self._verdict)

    def _sms_holder_text(self) -> str | None:
        holder = self._signed_in
        if holder is None:
            return None
        return holder.name if isinstance(holder, Extension) else holder.describe()

    def set_as_of(self, as_of: datetime | None) -> None:
        self._as_of = as_of
        self._as_of_label.setText(f"Data as of {as_of:%-d %b %Y, %H:%M:%S}" if as_of else "")

    def show_verdict(self, verdict: Verdict | None) -> None:
        self._verdict = verdict
        if verdict is None:
            self._icon.clear()
            self._icon.setAccessibleName("")
            self._headline.setText("Choose a number")
            self._subtitle.setText(
                "Choose a row in the table above to see whether its number can text, and why."
                if self._account_view
                else "Pick a number under “Send from” to see whether it can text, and why."
            )
            self._body.setHtml("")
            self._raw.setPlainText("")
            self._raw_toggle.setEnabled(False)
            return
        mark = verdict_mark(verdict)
        self._icon.setPixmap(mark_icon(mark).pixmap(QSize(28, 28), self.devicePixelRatioF()))
        self._icon.setAccessibleName(mark.label)
        self._headline.setText(verdict.headline)
        number = verdict.number
        e164 = number.phone_number or "(no number)"
        region = number.country.iso_code if number.country is not None else None
        formatted = format_number(e164, region) if number.phone_number else e164
        parts = [formatted, number_kind(number)]
        if number.label:
            parts.append(f"“{number.label}”")
        if number.location:
            parts.append(number.location)
        self._subtitle.setText(" · ".join(parts) + f"   ({e164})")
        self._body.setHtml(self._body_html(verdict))
        self._raw.setPlainText(raw_json(verdict))
        self._raw_toggle.setEnabled(True)

    # -- internals -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if watched is self._body and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            focused = event.type() == QEvent.Type.FocusIn
            self._body.setFrameShape(QFrame.Shape.Box if focused else QFrame.Shape.NoFrame)
            self._body.setLineWidth(2 if focused else 1)
        return False

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._verdict is not None:
            self.show_verdict(self._verdict)  # the body's colours follow light/dark

    def _toggle_raw(self, shown: bool) -> None:
        self._raw.setVisible(shown)
        self._raw_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self._raw_toggle.setAccessibleName("Hide the raw API data" if shown else "Show the raw API data")

    def _body_html(self, verdict: Verdict) -> str:
        # Plain paragraphs only: Qt exposes a table's cells and an image to screen readers as
        # U+FDD0/U+FFFC marks; each mark here is a coloured glyph followed by its meaning in words.
        palette = self.palette()
        muted = secondary_text_colour(palette).name()
        link = link_colour(palette).name()
        out: list[str] = []

        def mark_html(mark: Mark) -> str:
            return f'<span style="color:{mark_colour(mark, palette).name()}">{MARK_GLYPHS[mark]}</span>'

        def heading(text: str) -> None:
            out.append(f'<h3 style="margin-top:14px; margin-bottom:4px">{_e(text)}</h3>')

        # What it can do
        caps = [("SMS", verdict.sms), ("MMS", verdict.mms), ("International SMS", verdict.international)]
        if verdict.high_volume is State.READY:  # most numbers never need it: no red cross for it
            caps.append(("High Volume SMS", verdict.high_volume))
        cells = " &nbsp;·&nbsp; ".join(
            f'{mark_html(_mark_of(state))}&nbsp;{_e(name)}:'
            f'&nbsp;<span style="color:{muted}">{_e(_state_word(state))}</span>'
            for name, state in caps
        )
        out.append(f"<p>{cells}</p>")

        # What to do (first: it is what the user came for when something is wrong)
        # Reasons that keep SMS from working come first, under "What to do"; limits of a number
        # that can text (no MMS, no international, the daily cap) follow as "Limits".
        blocking = verdict.sms is not State.READY
        main = [r for r in verdict.reasons if blocking and "sms" in r.affects]
        limits = [r for r in verdict.reasons if r not in main and r.severity is not Severity.INFO]
        # The daily limit has its own section below.
        info = [r for r in verdict.reasons if r not in main and r not in limits and r.code != "daily-limit"]
        for title, group in (("What to do", main), ("Limits", limits)):
            if not group:
                continue
            heading(title)
            for reason in group:
                severe = reason.severity is Severity.ERROR and group is main
                colour = mark_colour(Mark.BLOCKED if severe else Mark.UNKNOWN, palette).name()
                guide = (f' <a style="color:{link}" href="{_e(reason.link)}">RingCentral’s guide</a>'
                         if reason.link else "")
                out.append(
                    f'<p style="margin-bottom:2px"><b style="color:{colour}">{_e(reason.message)}</b></p>'
                    f'<p style="margin-top:0; margin-left:12px">{_e(reason.fix)}{guide}<br>'
                    f'<span style="color:{muted}">Who can fix this: {_e(_who(reason))}</span></p>'
                )

        heading("Checklist")
        for c in conditions(verdict, sms_holder=self._sms_holder_text(), account_view=self._account_view):
            out.append(
                f"<p style='margin-top:1px; margin-bottom:1px'>{mark_html(c.mark)}&nbsp; {_e(c.title)}: "
                f"{_e(c.detail)} <span style='color:{muted}'>({_CONDITION_WORDS[c.mark]})</span></p>"
            )

        heading("Use cases")
        if verdict.use_cases:
            out.append("<ul style='margin-top:0'>")
            for code in verdict.use_cases:
                use_case = describe_use_case(code)
                out.append(
                    f"<li><b>{_e(use_case.title)}</b> <span style='color:{muted}'>({_e(code)})</span>"
                    f" — {_e(use_case.description)}</li>"
                )
            out.append("</ul>")
            out.append(f"<p style='color:{muted}'>Every message must fit at least one of these.</p>")
        elif is_toll_free(verdict.number):
            out.append("<p>Toll-free numbers are verified rather than registered to a campaign, so "
                       "they have no campaign use cases.</p>")
        else:
            out.append("<p>None known: this number has no confirmed SMS campaign.</p>")

        tier = tier_text(verdict)
        if tier is not None:
            heading("Registration tier and daily limit")
            out.append(f"<p>{_e(tier)}</p>")

        number = verdict.number
        me = self._signed_in
        # The signed-in user holds the SMS features of a shared number that lists SmsSender.
        holder = me if me is not None and is_shared(number) and "SmsSender" in number.features else None
        owner = ownership(number, holder)
        # "You" only where the number is known to be the user's (the core says "This extension";
        # a caller-ID-only number without `extension` is "Not reported", never "yours").
        if me is not None and owner.owner == "This extension":
            you = (
                self._sms_holder_text() or "The extension itself"
                if self._account_view
                else f"You ({me.name}, ext. {me.extension_number})" if me.name else "You"
            )
            owner = dataclasses.replace(owner, owner=you, caller_id=you, sms_features=you)
        heading("Who owns this number and who can text from it")
        out.append(
            f"<p><b>Owner:</b> {_e(owner.owner)}<br>"
            f"<b>Caller ID:</b> {_e(owner.caller_id)}<br>"
            f"<b>SMS features:</b> {_e(owner.sms_features)}</p>"
            f"<p style='color:{muted}'>{_e(owner.explanation)}</p>"
        )

        if info:
            heading("Good to know")
            for reason in info:
                out.append(f"<p>{_e(reason.message)}</p>")

        heading("More help")
        guide = LINK_TOLL_FREE if is_toll_free(verdict.number) else LINK_TCR
        out.append(
            f'<p><a style="color:{link}" href="{GUIDE_LINK}">RingCentral’s SMS requirements guide</a> · '
            f'<a style="color:{link}" href="{guide}">'
            f"{'Toll-free verification' if is_toll_free(verdict.number) else 'Registering a brand and campaign'}"
            "</a></p>"
        )
        return "".join(out)


def _state_word(state: State) -> str:
    return {State.READY: "yes", State.BLOCKED: "no"}.get(state, "not known")


def _who(reason: Reason) -> str:
    who = str(reason.who)
    return who[0].upper() + who[1:] if who else "—"


def raw_json(verdict: Verdict) -> str:
    """The number and SMS configuration exactly as RingCentral sent them, pretty-printed."""
    data: dict[str, Any] = {"phoneNumber": verdict.number.raw}
    if verdict.config is not None:
        data["smsConfiguration"] = verdict.config.raw
    try:
        return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(data)
