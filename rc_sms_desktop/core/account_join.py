"""Join RingCentral's account-wide lists into one row per account number (the admin view).

RingCentral spreads what an admin needs over several lists (listAccountPhoneNumbers; listExtensionPhoneNumbers): the account number
list has the owner's id and name but no owner type and no `features`; the extension list has the
types; only each extension's *own* number list shows `features`, and the extension whose own list
carries `SmsSender` for a number is the one that can text from it. `AccountJoin` takes these
pieces as they arrive (in any order, any number of times) and keeps an `AccountRow` per number
up to date, so a scan can show rows while it is still running. Pure: no I/O, no Qt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rc_sms_desktop.core.eligibility import ConfigState, Verdict, evaluate, needs_configuration
from rc_sms_desktop.core.marks import Mark, verdict_mark
from rc_sms_desktop.core.models import (
    ExtensionRef,
    PhoneNumber,
    SmsConfiguration,
    parse_extension,
    parse_phone_number,
    parse_sms_configuration,
)
from rc_sms_desktop.core.number_kinds import (
    COMPANY_USAGE_TYPES,
    SHARED_OWNER_TYPES,
    Ownership,
    ownership,
)
from rc_sms_desktop.core.text_safety import without_bidi_controls

# Features that mean "this extension holds the number's SMS features" (A2PSmsSender is the
# high-volume variant of SmsSender; the guide assigns both to the one dedicated extension).
HOLDER_FEATURES = frozenset({"SmsSender", "A2PSmsSender"})

# RingCentral extension types -> words an admin uses. Unknown types are shown raw.
OWNER_KIND_BY_TYPE: Mapping[str, str] = {
    "User": "User",
    "Department": "Call queue",  # "legacy 'Department' extension type corresponds to 'Call Queue'"
    "IvrMenu": "IVR",
    "Site": "Site",
    "DigitalUser": "Digital user",
    "VirtualUser": "Virtual user",
    "FaxUser": "Fax user",
    "SharedLinesGroup": "Shared lines group",
    "DelegatedLinesGroup": "Delegated lines group",
    "ApplicationExtension": "Application",
    "Announcement": "Announcement",
    "Voicemail": "Voicemail",
    "PagingOnly": "Paging group",
    "ParkLocation": "Park location",
    "Limited": "Limited extension",
    "Bot": "Bot",
    "Room": "Room",
}
AUTO_RECEPTIONIST = "Auto-receptionist"
SHARED_UNASSIGNED_CODE = "sms-assigned-elsewhere"  # core.eligibility's code for a shared number
UNASSIGNED = "No extension"  # e.g. conferencing or forwarded numbers the account keeps itself
PENDING_REASON = "checking"
UNAVAILABLE_REASON = "list-unavailable"


@dataclass(frozen=True, slots=True)
class ExtensionSummary:
    """Who an extension is, as far as the lists tell: enough to name it in a table cell."""

    id: str | None
    name: str | None
    extension_number: str | None
    type: str | None  # raw RingCentral type (open string); None when not yet known
    kind: str  # what an admin calls it: "User", "Call queue", "IVR", "Site", "Auto-receptionist"…

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "extensionNumber": self.extension_number,
            "type": self.type,
            "kind": self.kind,
        }

    def describe(self) -> str:
        """"Front desk (ext. 101)"; falls back to the id when the name is unknown."""
        name = self.name or (f"extension id {self.id}" if self.id else self.kind)
        return f"{name} (ext. {self.extension_number})" if self.extension_number else name


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One account number with its owner, SMS holder, configuration and verdict.

    `verdict` is None while the scan cannot yet tell (the extension lists that would show the
    number's features are still loading); `pending` says so.
    """

    key: str  # the phone number id; a synthetic key for malformed records without one
    number: PhoneNumber  # the record carrying the features (holder's or owner's own list)
    owner: ExtensionSummary
    sms_holder: ExtensionSummary | None
    features: tuple[str, ...]
    features_known: bool
    config: SmsConfiguration | None
    config_state: ConfigState
    verdict: Verdict | None
    ownership: Ownership | None
    as_of: datetime | None
    notes: tuple[str, ...] = ()
    unavailable: str | None = None  # why the verdict cannot be known (a list could not be read)
    # Derived once here: filters, sorting and the summary read them for every row.
    mark: Mark = field(init=False)  # its `label` is the Verdict column: "Can send SMS", "Blocked"…
    reason_code: str = field(init=False)  # the main reason's code ("checking" while pending)
    reason_text: str = field(init=False)  # the main reason in words
    reason_summary: str = field(init=False)  # a few words: "campaign pending review" (filters)

    def __post_init__(self) -> None:
        verdict = self.verdict
        mark = verdict_mark(verdict, unavailable=self.unavailable is not None)
        if verdict is None and self.unavailable is not None:
            code, text = UNAVAILABLE_REASON, self.unavailable
        elif verdict is None:
            code, text = PENDING_REASON, "Still loading this number's features"
        else:
            main = verdict.main_reason
            code = main.code if main is not None else ""
            if verdict.can_send_sms or main is None:
                text = verdict.headline  # "Ready to send SMS and MMS": the caveats are in details
            elif code == SHARED_UNASSIGNED_CODE:
                # The user-side wording ("not you") does not fit an admin looking at the account.
                if self.sms_holder is None:
                    text = (
                        "No extension holds this number's SMS features: assign them to one user "
                        "or call queue in the Admin Portal (if the number is SMS-enabled at all)."
                    )
                else:
                    text = (
                        f"{self.sms_holder.describe()} is its SMS recipient, but no extension's "
                        "list shows this number with SMS features: it is probably not SMS-enabled."
                    )
            else:
                text = main.message
        object.__setattr__(self, "mark", mark)
        object.__setattr__(self, "reason_code", code)
        summary = reason_label(code)
        if verdict is not None and code != SHARED_UNASSIGNED_CODE:
            main_reason = verdict.main_reason
            summary = main_reason.summary if main_reason is not None and main_reason.summary else summary
        object.__setattr__(self, "reason_summary", summary)
        object.__setattr__(self, "reason_text", text)

    @property
    def verdict_label(self) -> str:
        """The mark in words ("Can send SMS", "Blocked", "Unknown", "Checking…")."""
        return self.mark.label

    @property
    def pending(self) -> bool:
        """Still waiting for data (not: failed to get it)."""
        return self.verdict is None and self.unavailable is None

    @property
    def e164(self) -> str:
        return self.number.phone_number or ""

    @property
    def campaign_status(self) -> str | None:
        campaign = self.config.campaign if self.config else None
        return campaign.status if campaign else None

    @property
    def brand_status(self) -> str | None:
        brand = self.config.brand if self.config else None
        return brand.status if brand else None

    @property
    def tier(self) -> str | None:
        campaign = self.config.campaign if self.config else None
        return campaign.registration_tier if campaign else None

    @property
    def use_cases(self) -> tuple[str, ...]:
        campaign = self.config.campaign if self.config else None
        return tuple(campaign.use_cases) if campaign else ()

    def to_json(self) -> dict[str, Any]:
        """The `explain` JSON shape (`Verdict.to_json()`) plus the account-view fields."""
        body: dict[str, Any] = dict(self.verdict.to_json()) if self.verdict is not None else {
            "id": self.key,
            "phoneNumber": self.e164,
            "pending": self.pending,
            "unavailable": self.unavailable,
        }
        body.update(
            {
                "phoneNumberId": self.key,
                "label": self.number.label,
                "usageType": self.number.usage_type,
                "status": self.number.status,
                "owner": self.owner.to_json(),
                "smsHolder": self.sms_holder.to_json() if self.sms_holder else None,
                "features": list(self.features),
                "featuresKnown": self.features_known,
                "campaignStatus": self.campaign_status,
                "brandStatus": self.brand_status,
                "registrationTier": self.tier,
                "useCases": list(self.use_cases),
                "verdict": self.verdict_label,
                "mainReason": self.reason_code,
                "asOf": self.as_of.isoformat() if self.as_of else None,
                "notes": list(self.notes),
            }
        )
        return body


def owner_kind(extension_type: str | None, usage_type: str | None, has_owner: bool) -> str:
    """The guide's owner categories; company numbers belong to the main site's auto-receptionist."""
    if usage_type in COMPANY_USAGE_TYPES:
        return AUTO_RECEPTIONIST
    if not has_owner:
        return UNASSIGNED
    if extension_type is None:
        return "Extension"  # owner known, its type not (extension list not loaded or absent)
    return OWNER_KIND_BY_TYPE.get(extension_type, extension_type)


@dataclass(slots=True)
class _ListEntry:
    extension_id: str
    record: PhoneNumber


@dataclass(slots=True)
class _NumberState:
    key: str
    account_record: PhoneNumber
    as_of: datetime | None
    entries: dict[str, _ListEntry] = field(default_factory=dict)  # extension id -> own-list record
    # The entries that carry SMS features: a company number is on every user's list (CallerId),
    # so scanning `entries` for the holder would cost thousands of steps per row.
    holders: dict[str, _ListEntry] = field(default_factory=dict)
    config: SmsConfiguration | None = None
    config_state: ConfigState = ConfigState.NOT_LOADED
    config_as_of: datetime | None = None


@dataclass(slots=True)
class _ExtensionState:
    raw_type: str | None
    name: str | None
    extension_number: str | None
    list_loaded: bool = False
    list_as_of: datetime | None = None
    numbers: frozenset[str] = frozenset()  # keys of numbers its own list showed


def _put_entry(state: _NumberState, entry: _ListEntry) -> None:
    state.entries[entry.extension_id] = entry
    if HOLDER_FEATURES.intersection(entry.record.features):
        state.holders[entry.extension_id] = entry
    else:
        state.holders.pop(entry.extension_id, None)


class AccountJoin:
    """Incremental join of the account lists into `AccountRow`s (see the module docstring).

    Every `add_*` method returns the keys of the rows it changed, so a scan can send only
    those to the view. `row(key)` builds the current row; `rows()` builds all of them.
    """

    def __init__(self) -> None:
        self._numbers: dict[str, _NumberState] = {}
        self._by_e164: dict[str, str] = {}
        self._extensions: dict[str, _ExtensionState] = {}
        # Keys of numbers seen in own lists before the account list named them.
        self._orphan_entries: dict[str, dict[str, _ListEntry]] = {}
        self._owned: dict[str, set[str]] = {}  # owner extension id -> keys of its numbers
        self._order: dict[str, int] = {}  # key -> position in the account list as first seen
        # Owner extension id -> who `sms-recipients` says handles its numbers' SMS.
        self._recipients: dict[str, tuple[ExtensionSummary, ...]] = {}
        self._failed_lists: dict[str, str] = {}  # extension id -> why its list could not be read
        self.all_lists_loaded = False

    # -- inputs -------------------------------------------------------------------------

    def add_account_numbers(
        self, records: Iterable[object], *, as_of: datetime | None = None
    ) -> set[str]:
        """Records of `listAccountPhoneNumbers` (one page or all). Unknown shapes become rows."""
        changed: set[str] = set()
        for raw in records:
            number = parse_phone_number(raw)
            key = number.id or f"unidentified-{len(self._numbers) + 1}"
            state = self._numbers.get(key)
            if state is None:
                state = _NumberState(key=key, account_record=number, as_of=as_of)
                self._numbers[key] = state
                self._order.setdefault(key, len(self._order))
                orphans = self._orphan_entries.pop(key, None)
                if orphans:
                    for orphan in orphans.values():
                        if self._relevant(state, orphan):
                            _put_entry(state, orphan)
            else:
                self._forget_owner(state)
                state.account_record = number
                state.as_of = as_of
            owner = self._owner_id(state)
            if owner:
                self._owned.setdefault(owner, set()).add(key)
            if number.phone_number:
                self._by_e164[number.phone_number] = key
            changed.add(key)
        return changed

    def remove_numbers_not_in(self, keys: set[str]) -> set[str]:
        """After a complete re-list: drop numbers the account no longer has."""
        gone = set(self._numbers) - keys
        for key in gone:
            state = self._numbers.pop(key)
            self._forget_owner(state)
            if state.account_record.phone_number:
                self._by_e164.pop(state.account_record.phone_number, None)
        return gone

    def add_extensions(self, records: Iterable[object]) -> set[str]:
        """Records of `listExtensions`: gives each owner its type (call queue, IVR, site…)."""
        touched: set[str] = set()
        for raw in records:
            extension = parse_extension(raw)
            if not extension.id:
                continue
            state = self._extensions.get(extension.id)
            if state is None:
                self._extensions[extension.id] = _ExtensionState(
                    raw_type=extension.type,
                    name=extension.name,
                    extension_number=extension.extension_number,
                )
            else:
                state.raw_type = extension.type
                state.name = extension.name
                state.extension_number = extension.extension_number
            touched.add(extension.id)
        changed: set[str] = set()
        for extension_id in touched:
            changed.update(self._owned.get(extension_id, ()))
            numbers = self._extensions[extension_id].numbers
            changed.update(k for k in numbers if k in self._numbers)
        return changed

    def add_extension_numbers(
        self, extension_id: str, records: Iterable[object], *, as_of: datetime | None = None
    ) -> set[str]:
        """One extension's own `listExtensionPhoneNumbers` (all pages): features and holders."""
        extension = self._extensions.setdefault(
            extension_id, _ExtensionState(raw_type=None, name=None, extension_number=None)
        )
        changed: set[str] = set()
        seen: set[str] = set()
        for raw in records:
            number = parse_phone_number(raw)
            key = self._key_for(number)
            if key is None:
                continue
            entry = _ListEntry(extension_id=extension_id, record=number)
            state = self._numbers.get(key)
            if state is not None and not self._relevant(state, entry):
                continue
            seen.add(key)
            if state is None:
                self._orphan_entries.setdefault(key, {})[extension_id] = entry
            else:
                _put_entry(state, entry)
                changed.add(key)
        # A number that left this extension's list (reassigned) loses this entry.
        for key in extension.numbers - seen:
            state = self._numbers.get(key)
            if state is not None and state.entries.pop(extension_id, None) is not None:
                state.holders.pop(extension_id, None)
                changed.add(key)
        extension.numbers = frozenset(seen)
        self._failed_lists.pop(extension_id, None)
        extension.list_loaded = True
        extension.list_as_of = as_of
        # Shared numbers owned by this extension may now be resolvable (no holder among lists).
        changed.update(self._owned.get(extension_id, ()))
        return changed

    def is_relevant(self, extension_id: str, record: object) -> bool:
        """Whether an own-list record matters to the join (the scan saves only those).

        It does when it carries SMS features or comes from the number's owner. The rest (a company
        number on every user's list, with CallerId only) would cost memory and decide nothing.
        """
        if not isinstance(record, dict):
            return False
        features = record.get("features")
        if isinstance(features, list) and HOLDER_FEATURES.intersection(
            f for f in features if isinstance(f, str)
        ):
            return True
        raw_id = record.get("id")
        key = str(raw_id) if isinstance(raw_id, int | str) else None
        if key not in self._numbers and isinstance(record.get("phoneNumber"), str):
            key = self._by_e164.get(record["phoneNumber"], key)
        state = self._numbers.get(key) if key is not None else None
        if state is None:
            return True  # owner not known yet: keep it
        return self._owner_id(state) == extension_id

    def _relevant(self, state: _NumberState, entry: _ListEntry) -> bool:
        if HOLDER_FEATURES.intersection(entry.record.features):
            return True
        owner = self._owner_id(state)
        return owner == entry.extension_id or entry.extension_id in state.entries

    def mark_list_failed(self, extension_id: str, message: str) -> set[str]:
        """An extension's own list could not be read: its numbers must not look feature-less."""
        self._failed_lists[extension_id] = message
        return set(self._owned.get(extension_id, ()))

    def set_all_lists_loaded(self, loaded: bool = True) -> set[str]:
        """Every extension's own list is in: numbers with no holder are now known to have none."""
        self.all_lists_loaded = loaded
        return {key for key, state in self._numbers.items() if self._holder_entry(state) is None}

    def set_sms_recipients(self, owner_id: str, body: object) -> set[str]:
        """A call queue's (or site's, IVR's) `sms-recipients` answer: who texts for it."""
        records = body.get("smsRecipients") if isinstance(body, dict) else None
        found: list[ExtensionSummary] = []
        for raw in records if isinstance(records, list) else ():
            if not isinstance(raw, dict):
                continue
            raw_id = raw.get("id")
            ext_type = raw.get("extensionType")
            name = raw.get("name")
            number = raw.get("extensionNumber")
            found.append(
                ExtensionSummary(
                    id=str(raw_id) if isinstance(raw_id, int | str) else None,
                    # Server text, read here rather than by models.py: strip bidi overrides too.
                    name=without_bidi_controls(name) if isinstance(name, str) else None,
                    extension_number=without_bidi_controls(number) if isinstance(number, str) else None,
                    type=ext_type if isinstance(ext_type, str) else None,
                    kind=OWNER_KIND_BY_TYPE.get(ext_type, ext_type)
                    if isinstance(ext_type, str) else "Extension",
                )
            )
        self._recipients[owner_id] = tuple(found)
        return set(self._owned.get(owner_id, ()))

    def needs_recipients(self, key: str) -> str | None:
        """The owner to ask `sms-recipients` about, for a shared number no list shows a holder for."""
        state = self._numbers.get(key)
        if state is None or self._holder_entry(state) is not None:
            return None
        owner = self._owner_id(state)
        if owner is None or owner in self._recipients:
            return None
        return owner if self.extension_type(owner) in SHARED_OWNER_TYPES else None

    def set_config(
        self,
        key: str,
        raw: object | None,
        *,
        state: ConfigState = ConfigState.LOADED,
        as_of: datetime | None = None,
    ) -> set[str]:
        """A number's `sms-configuration` body (or its failure/loading state)."""
        number = self._numbers.get(key)
        if number is None:
            return set()
        number.config = parse_sms_configuration(raw) if raw is not None else None
        number.config_state = state
        number.config_as_of = as_of
        return {key}

    # -- queries ------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return list(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._numbers))

    def __contains__(self, key: object) -> bool:
        return key in self._numbers

    def extension_ids(self) -> list[str]:
        return list(self._extensions)

    def extension_type(self, extension_id: str) -> str | None:
        state = self._extensions.get(extension_id)
        return state.raw_type if state else None

    def list_loaded(self, extension_id: str) -> bool:
        state = self._extensions.get(extension_id)
        return bool(state and state.list_loaded)

    def owner_id(self, key: str) -> str | None:
        state = self._numbers.get(key)
        return self._owner_id(state) if state else None

    def config_target(self, key: str) -> tuple[str, str] | None:
        """(extension id, phone number id) to ask for `sms-configuration`, once it is worth it.

        None while the features are unknown, when the configuration cannot change the verdict,
        or when the number has no extension to ask through.
        """
        state = self._numbers.get(key)
        if state is None or not state.account_record.id:
            return None
        number, features_known = self._feature_record(state)
        if not features_known or not needs_configuration(number):
            return None
        holder = self._holder_entry(state)
        extension_id = holder.extension_id if holder else self._owner_id(state)
        return (extension_id, state.account_record.id) if extension_id else None

    def row(self, key: str) -> AccountRow:
        return self._build_row(self._numbers[key])

    def ordered(self, keys: Iterable[str]) -> list[str]:
        """The known keys among `keys`, in account-list order."""
        order = self._order
        return sorted((k for k in keys if k in self._numbers), key=lambda k: order.get(k, 0))

    def rows(self, keys: Iterable[str] | None = None) -> list[AccountRow]:
        """Rows in account-list order (all of them, or those of `keys`)."""
        if keys is None:
            selected: Iterable[str] = self._numbers.keys()
        else:
            order = self._order
            selected = sorted((k for k in keys if k in self._numbers), key=lambda k: order.get(k, 0))
        return [self._build_row(self._numbers[k]) for k in selected]

    # -- internals ------------------------------------------------------------------------

    def _key_for(self, number: PhoneNumber) -> str | None:
        if number.id and number.id in self._numbers:
            return number.id
        if number.phone_number and number.phone_number in self._by_e164:
            return self._by_e164[number.phone_number]
        return number.id

    def _forget_owner(self, state: _NumberState) -> None:
        owner = self._owner_id(state)
        if owner and owner in self._owned:
            self._owned[owner].discard(state.key)

    @staticmethod
    def _owner_id(state: _NumberState) -> str | None:
        ref = state.account_record.extension
        return ref.id if ref is not None and ref.id else None

    def _holder_candidates(self, state: _NumberState) -> list[_ListEntry]:
        return list(state.holders.values())

    def _holder_entry(self, state: _NumberState) -> _ListEntry | None:
        candidates = self._holder_candidates(state)
        if not candidates:
            return None
        owner = self._owner_id(state)
        # Prefer the owner, then a stable order, when (unexpectedly) several lists claim it.
        candidates.sort(key=lambda e: (e.extension_id != owner, e.extension_id))
        return candidates[0]

    def _feature_record(self, state: _NumberState) -> tuple[PhoneNumber, bool]:
        """The record whose `features` decide the verdict, and whether they are final yet."""
        holder = self._holder_entry(state)
        if holder is not None:
            return self._merged(state, holder.record), True
        owner = self._owner_id(state)
        owner_entry = state.entries.get(owner) if owner else None
        owner_state = self._extensions.get(owner) if owner else None
        owner_is_user = owner_state is not None and owner_state.raw_type == "User"
        usage = state.account_record.usage_type
        shared = usage in COMPANY_USAGE_TYPES or not owner_is_user
        if owner_entry is not None:
            # A user extension gets all its number's features itself (guide, rule 1).
            known = not shared or self.all_lists_loaded
            return self._merged(state, owner_entry.record), known
        if owner is not None and owner in self._failed_lists:
            return self._merged(state, state.account_record), False
        known = self.all_lists_loaded or (
            not shared and owner_state is not None and owner_state.list_loaded
        )
        return self._merged(state, state.account_record), known

    def _merged(self, state: _NumberState, listed: PhoneNumber) -> PhoneNumber:
        """The record the rules see: own-list features, account-list owner with its type."""
        account = state.account_record
        update: dict[str, Any] = {}
        for name in ("label", "usage_type", "status", "phone_number", "location", "payment_type"):
            if getattr(listed, name, None) in (None, "") and getattr(account, name, None):
                update[name] = getattr(account, name)
        owner = self._owner_ref(state)
        if owner is not None:
            update["extension"] = owner
        return dataclasses.replace(listed, **update) if update else listed

    def _owner_ref(self, state: _NumberState) -> ExtensionRef | None:
        """The account list's owner reference, with the type the extension list gave it."""
        ref = state.account_record.extension
        if ref is None:
            return None
        ext = self._extensions.get(ref.id) if ref.id else None
        if ext is None or (ref.type and ext.raw_type is None):
            return ref
        return dataclasses.replace(
            ref,
            type=ext.raw_type,
            name=ref.name or ext.name,
            extension_number=ref.extension_number or ext.extension_number,
        )

    def _summary(self, extension_id: str | None, fallback_name: str | None,
                 fallback_number: str | None, usage_type: str | None) -> ExtensionSummary:
        ext = self._extensions.get(extension_id) if extension_id else None
        raw_type = ext.raw_type if ext else None
        return ExtensionSummary(
            id=extension_id,
            name=(ext.name if ext and ext.name else fallback_name),
            extension_number=(
                ext.extension_number if ext and ext.extension_number else fallback_number
            ),
            type=raw_type,
            kind=owner_kind(raw_type, usage_type, extension_id is not None or bool(fallback_name)),
        )

    def _build_row(self, state: _NumberState) -> AccountRow:
        account = state.account_record
        ref = account.extension
        owner = self._summary(
            self._owner_id(state),
            ref.name if ref else None,
            ref.extension_number if ref else None,
            account.usage_type,
        )
        holder_entry = self._holder_entry(state)
        holder: ExtensionSummary | None = None
        notes: list[str] = []
        if holder_entry is not None:
            summary = self._summary(holder_entry.extension_id, None, None, None)
            holder = ExtensionSummary(
                id=summary.id,
                name=summary.name,
                extension_number=summary.extension_number,
                type=summary.type,
                kind=OWNER_KIND_BY_TYPE.get(summary.type or "", summary.type or "Extension"),
            )
            others = [e.extension_id for e in self._holder_candidates(state)
                      if e.extension_id != holder_entry.extension_id]
            if others:
                notes.append(
                    "More than one extension lists this number with SMS features: "
                    + ", ".join(sorted([*others, holder_entry.extension_id]))
                )
        recipients = self._recipients.get(owner.id or "", ()) if holder_entry is None else ()
        if recipients:
            # No list shows SMS features for the number, but RingCentral names who texts for
            # its owner: show them, and say why the number still cannot text.
            holder = recipients[0]
            names = ", ".join(r.describe() for r in recipients)
            notes.append(
                f"RingCentral's SMS recipients for this {owner.kind.lower()}: {names}. No "
                "extension's own number list shows this number with SMS features, so it is "
                "probably not SMS-enabled."
            )
        number, features_known = self._feature_record(state)
        if account.problem:
            notes.append(account.problem)
        config_state = state.config_state
        if features_known and not needs_configuration(number):
            config_state = ConfigState.NOT_NEEDED
        verdict: Verdict | None = None
        own: Ownership | None = None
        unavailable: str | None = None
        owner_failure = self._failed_lists.get(owner.id or "")
        if not features_known and owner_failure is not None:
            unavailable = (
                f"Could not read the numbers of {owner.describe()} ({owner_failure}), so this "
                "number's SMS features are unknown. Scan again to retry."
            )
        elif holder_entry is None and self.all_lists_loaded and self._failed_lists:
            notes.append(
                f"{len(self._failed_lists)} extension number lists could not be read; the "
                "extension holding this number's SMS may be among them."
            )
        if features_known or account.problem:
            verdict = evaluate(number, state.config, config_state=config_state)
        own = ownership(number, sms_holder=holder)
        times = [t for t in (state.as_of, state.config_as_of) if t is not None]
        if holder_entry is not None:
            ext = self._extensions.get(holder_entry.extension_id)
            if ext is not None and ext.list_as_of is not None:
                times.append(ext.list_as_of)
        return AccountRow(
            unavailable=unavailable,
            key=state.key,
            number=number,
            owner=owner,
            sms_holder=holder,
            features=tuple(number.features) if features_known else (),
            features_known=features_known,
            config=state.config,
            config_state=config_state,
            verdict=verdict,
            ownership=own,
            as_of=min(times) if times else None,
            notes=tuple(notes),
        )


def join_account(
    account_numbers: Sequence[object],
    extensions: Sequence[object],
    extension_numbers: Mapping[str, Sequence[object]],
    configs: Mapping[str, object] | None = None,
    *,
    all_lists_loaded: bool = True,
    as_of: datetime | None = None,
) -> list[AccountRow]:
    """One-shot join of complete lists (raw JSON records) into rows, in account-list order."""
    join = AccountJoin()
    join.add_account_numbers(account_numbers, as_of=as_of)
    join.add_extensions(extensions)
    for extension_id, records in extension_numbers.items():
        join.add_extension_numbers(extension_id, records, as_of=as_of)
    if all_lists_loaded:
        join.set_all_lists_loaded()
    for key, raw in (configs or {}).items():
        join.set_config(key, raw, as_of=as_of)
    return join.rows()


def reason_label(code: str) -> str:
    """A short label for a reason code in the summary bar: "campaign-pending" → "campaign pending"."""
    if code == PENDING_REASON:
        return "still checking"
    if code == SHARED_UNASSIGNED_CODE:
        return "no SMS holder"
    if code == UNAVAILABLE_REASON:
        return "number list unreadable"
    return code.replace("-", " ").replace("_", " ") if code else "no reason given"
