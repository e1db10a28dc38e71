"""Suggest a sender: while the "Send from" list is open and a message is typed, numbers whose
campaign fits the text come first, each with a short note ("fits: Delivery updates").

Numbers that would be refused (they cannot text, or not this text: an international recipient,
an attachment) keep their places, greyed. The suggestion only reorders the open list: it never
changes the chosen sender, and the picker order returns when the list closes. The judging is
Qt-free (`core.content_checks.judge_senders` and `suggested_positions`); this module watches
the list open and close and hands the result to the picker's `SendableFilterModel`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QComboBox, QListView

from rc_sms_desktop.core.content_checks import Fit, judge_senders, suggested_positions
from rc_sms_desktop.core.recipients import Recipient
from rc_sms_desktop.ui.sender_model import SendableFilterModel, SenderListModel

LAYOUT_BATCH = 40

# What the suggestion reads from the compose panel: the text and its recipients.
DraftSource = Callable[[], tuple[str, Sequence[Recipient]]]


# A ranking's inputs: the text, the recipients and the picker model's verdict generation.
_RankingKey = tuple[str, tuple[Recipient, ...], int]


@dataclass(frozen=True)
class _Ranking:
    places: dict[str, int]
    notes: dict[str, str]
    refused: frozenset[str]


class SenderSuggestion(QObject):
    """Reorders `combo`'s list by fit for the draft `draft()` returns, while the list is open.

    `combo.model()` must be the window's `SendableFilterModel` over a `SenderListModel`. Ranking
    1,000 numbers takes ~12 ms: `prepare()` (called when typing pauses) ranks ahead of time, so
    opening the list only reorders it. A combo with a `popupAboutToShow` signal (the window's
    `SenderCombo`) is reordered before its popup is laid out; any other, when the popup shows.
    """

    def __init__(self, combo: QComboBox, draft: DraftSource) -> None:
        super().__init__(combo)
        self._combo = combo
        self._draft = draft
        self._ranking: tuple[_RankingKey, _Ranking] | None = None
        # view() creates the popup container; its Show/Hide are the list opening and closing.
        view = combo.view()
        self._popup = view.window()
        self._popup.installEventFilter(self)
        about_to_show = getattr(combo, "popupAboutToShow", None)
        self._apply_on_show = about_to_show is None
        if about_to_show is not None:
            about_to_show.connect(self.apply)
        if isinstance(view, QListView):
            # Reordering makes the list measure every row again (~0.25 ms a row in the
            # delegate): in batches, the loop keeps turning between them.
            view.setLayoutMode(QListView.LayoutMode.Batched)
            view.setBatchSize(LAYOUT_BATCH)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._popup:
            if event.type() == QEvent.Type.Show and self._apply_on_show:
                self.apply()
            elif event.type() == QEvent.Type.Hide:
                self.clear()
        return False

    def _proxy(self) -> SendableFilterModel | None:
        proxy = self._combo.model()
        return proxy if isinstance(proxy, SendableFilterModel) else None

    def _draft_for(self) -> tuple[str, Sequence[Recipient], SendableFilterModel, SenderListModel] | None:
        """The draft and the picker's models, or None when there is nothing to suggest for."""
        proxy = self._proxy()
        source = proxy.sourceModel() if proxy is not None else None
        if proxy is None or not isinstance(source, SenderListModel):
            return None
        text, recipients = self._draft()
        return (text, recipients, proxy, source) if text.strip() else None

    def prepare(self) -> None:
        """Rank the numbers for the current draft now, so opening the list need not."""
        draft = self._draft_for()
        if draft is not None:
            text, recipients, _proxy, source = draft
            self._ranked(text, recipients, source)

    def _ranked(self, text: str, recipients: Sequence[Recipient], source: SenderListModel) -> _Ranking:
        key: _RankingKey = (text, tuple(recipients), source.generation)
        if self._ranking is not None and self._ranking[0] == key:
            return self._ranking[1]
        judged = judge_senders(text, source.verdicts(), recipients)
        positions = suggested_positions(judged)
        places: dict[str, int] = {}
        notes: dict[str, str] = {}
        refused: set[str] = set()
        for item, place in zip(judged, positions, strict=True):
            number_id = str(item.verdict.number.id)
            places[number_id] = place
            if item.refused is not None:
                if item.verdict.can_send_sms:  # ready, but not for this text: say why
                    refused.add(number_id)
                    notes[number_id] = "not for this message"
            elif item.check.fit is not Fit.NEUTRAL:
                notes[number_id] = item.check.fit_note()
        ranking = _Ranking(places, notes, frozenset(refused))
        self._ranking = (key, ranking)
        return ranking

    def apply(self) -> bool:
        """Order the list for the current draft; False when there is nothing to suggest for."""
        draft = self._draft_for()
        if draft is None:
            return False
        text, recipients, proxy, source = draft
        ranking = self._ranked(text, recipients, source)
        proxy.set_suggestion(ranking.places, ranking.notes, ranking.refused)
        return True

    def clear(self) -> None:
        proxy = self._proxy()
        if proxy is not None:
            proxy.clear_suggestion()


def install_sender_suggestion(window: object, draft: DraftSource) -> SenderSuggestion | None:
    """Attach a suggestion to a `MainWindow`'s picker (None for a window without one)."""
    combo = getattr(window, "sender_combo", None)
    if not isinstance(combo, QComboBox):
        return None
    return SenderSuggestion(combo, draft)
