"""A support capture: exactly what the app read, in the format `explain` and `simulator --data` read.

`extension` (readExtension), `phoneNumbers` (the listExtensionPhoneNumbers records, as received)
and `smsConfigurations` (phone-number id -> the body as received, null where it failed). Only
RingCentral's answers go in, never a token or a header. `with_placeholders` replaces people's
names, labels and emails by placeholders (the same value always by the same placeholder), so a
capture can be shared without them while the verdicts stay the same.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from rc_sms_desktop.core.eligibility import ConfigState, Verdict

__all__ = ["build_account_capture", "build_capture", "capture_text", "with_placeholders"]

_PERSONAL = {
    "name": "Name",
    "firstName": "First name",
    "lastName": "Last name",
    "label": "Label",
    "email": "email",
    "company": "Company",
    "jobTitle": "Job title",
    "location": "Location",
}


def build_capture(extension_raw: object, verdicts: Iterable[Verdict]) -> dict[str, Any]:
    """The capture of one load: the raw records the verdicts were made from."""
    numbers: list[Any] = []
    configurations: dict[str, Any] = {}
    for verdict in verdicts:
        numbers.append(verdict.number.raw)
        key = verdict.number.id
        if not key:
            continue
        if verdict.config is not None and verdict.config.raw is not None:
            configurations[key] = verdict.config.raw
        elif verdict.config_state == ConfigState.FAILED:
            configurations[key] = None
    capture: dict[str, Any] = {"phoneNumbers": numbers, "smsConfigurations": configurations}
    if extension_raw is not None:
        capture["extension"] = extension_raw
    return capture


def build_account_capture(
    own_extension_id: str | None,
    account_numbers: Iterable[Any],
    extensions: Mapping[str, Any],
    extension_lists: Mapping[str, Mapping[str, Any]],
    configurations: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """The capture of an account scan (`check --account`): what the scan read, as read.

    The account-wide keys are the ones `simulator --data` serves the Account tab from
    (`accountPhoneNumbers`, `extensions`, `extensionPhoneNumbers`); `extension` and
    `phoneNumbers` are the signed-in user's own (from the extension list), so `explain` reads it
    too. A configuration that failed is null, as in `build_capture`.
    """
    lists = {str(k): list(v.get("records") or []) for k, v in extension_lists.items()}
    capture: dict[str, Any] = {
        "phoneNumbers": lists.get(own_extension_id or "", []),
        "smsConfigurations": {
            str(k): None if v.get("failed") else v.get("raw") for k, v in configurations.items()
        },
        "accountPhoneNumbers": list(account_numbers),
        "extensions": list(extensions.values()),
        "extensionPhoneNumbers": lists,
    }
    own = extensions.get(own_extension_id or "")
    if own is not None:
        capture["extension"] = own
    return capture


def with_placeholders(capture: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with names, labels, emails (and the like) replaced by stable placeholders."""
    seen: dict[tuple[str, str], str] = {}

    def placeholder(key: str, value: str) -> str:
        found = seen.get((key, value))
        if found is None:
            count = sum(1 for k, _ in seen if k == key) + 1
            kind = _PERSONAL[key]
            found = f"person{count}@example.invalid" if kind == "email" else f"{kind} {count}"
            seen[(key, value)] = found
        return found

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: placeholder(k, v) if k in _PERSONAL and isinstance(v, str) and v else walk(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    result: dict[str, Any] = walk(copy.deepcopy(dict(capture)))
    return result


def capture_text(capture: Mapping[str, Any], placeholders: bool) -> str:
    """The file's text (placeholders applied when asked): the one format `check` and the window write."""
    document = with_placeholders(capture) if placeholders else dict(capture)
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
