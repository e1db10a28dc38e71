"""`simulator --data FILE`: serve a saved capture, byte for byte, as the signed-in user's account.

A capture is what `explain` reads: `extension` (the readExtension body), `phoneNumbers` (the
listExtensionPhoneNumbers records, or a page of them) and `smsConfigurations` (phone-number id ->
the smsConfiguration body, or null for one that failed). Records are served exactly as captured,
hostile or not, so support sees in the window and in `check` what the user saw.

Account-wide data (for the Account tab and `check --account`) comes from optional keys:

* `accountPhoneNumbers`: the listAccountPhoneNumbers records; without it, the user's own records,
  each with its `extension` reference set to the captured extension when it has none;
* `extensions`: the listExtensions records; without it, the captured extension alone;
* `extensionPhoneNumbers`: extension id -> that extension's listExtensionPhoneNumbers records;
  without it, only the captured extension has a list (its `phoneNumbers`).

The sign-in is the demo's (its printed credentials), and the signed-in user is the captured
extension whatever its id (`~` and that id both name it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Capture", "CaptureError", "load_capture"]

# The same bound as explain's input (a capture is one account's data).
MAX_CAPTURE_BYTES = 64 << 20


class CaptureError(ValueError):
    """The file is not a capture the simulator can serve (one line for the user)."""


@dataclass
class Capture:
    extension: dict[str, Any]
    numbers: list[Any]
    configurations: dict[str, Any]
    account_numbers: list[Any]
    extensions: list[Any]
    extension_numbers: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def extension_id(self) -> str:
        return str(self.extension.get("id", "~"))

    def is_me(self, raw_id: str, owner_id: int) -> bool:
        return raw_id in ("~", self.extension_id, str(owner_id))

    def numbers_of(self, raw_id: str, owner_id: int) -> list[Any] | None:
        """An extension's captured list; None when the capture does not know the extension."""
        if raw_id in self.extension_numbers:
            return self.extension_numbers[raw_id]
        if self.is_me(raw_id, owner_id):
            return self.numbers
        known = {str(e.get("id")) for e in self.extensions if isinstance(e, Mapping)}
        return [] if raw_id in known else None


def _records(value: object, key: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("records"), list):
        return list(value["records"])
    raise CaptureError(f"{key} must be a list of records or a page with records")


def load_capture(path: Path) -> Capture:
    """Read a capture; raises `CaptureError` with one line for anything unusable."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CAPTURE_BYTES + 1)
    except OSError as error:
        raise CaptureError(f"{path}: {error.strerror or error}") from None
    if len(data) > MAX_CAPTURE_BYTES:
        raise CaptureError(f"{path}: larger than {MAX_CAPTURE_BYTES >> 20} MiB")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise CaptureError(f"{path}: not UTF-8 text (at byte {error.start})") from None
    except RecursionError:
        raise CaptureError(f"{path}: nested too deeply") from None
    except ValueError as error:
        raise CaptureError(f"{path}: not usable JSON ({error})") from None
    if not isinstance(document, dict) or "phoneNumbers" not in document:
        raise CaptureError(f"{path}: expected a JSON object with phoneNumbers (explain's input)")
    extension = document.get("extension")
    if not isinstance(extension, dict):
        extension = {"id": "~", "name": "Captured user", "extensionNumber": "", "type": "User"}
    numbers = _records(document["phoneNumbers"], "phoneNumbers")
    configurations = document.get("smsConfigurations") or {}
    if not isinstance(configurations, dict):
        raise CaptureError(f"{path}: smsConfigurations must be an object keyed by phone number id")
    if "accountPhoneNumbers" in document:
        account_numbers = _records(document["accountPhoneNumbers"], "accountPhoneNumbers")
    else:
        reference = {k: extension[k] for k in ("id", "name", "extensionNumber") if k in extension}
        account_numbers = [
            {**record, "extension": record.get("extension") or reference}
            if isinstance(record, dict) else record
            for record in numbers
        ]
    extensions = _records(document.get("extensions", [extension]), "extensions")
    per_extension = document.get("extensionPhoneNumbers") or {}
    if not isinstance(per_extension, dict):
        raise CaptureError(f"{path}: extensionPhoneNumbers must be an object keyed by extension id")
    return Capture(
        extension=extension,
        numbers=numbers,
        configurations={str(k): v for k, v in configurations.items()},
        account_numbers=account_numbers,
        extensions=extensions,
        extension_numbers={
            str(k): _records(v, f"extensionPhoneNumbers.{k}") for k, v in per_extension.items()
        },
    )
