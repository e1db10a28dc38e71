"""User settings: a small versioned JSON file in the platform's config directory. No secrets.

The store is Qt-free. It holds only non-secret choices: the last sign-in server, client id and
custom URL, the sender chosen per account, the "only numbers that can send" toggle and the
window geometry (base64 of `QMainWindow.saveGeometry()`). Tokens live in the keyring, never here.

- Versioned: the file carries `"version"`. `MIGRATIONS[n]` turns a version-`n` document into
  version `n + 1`; loading applies them in order up to `SETTINGS_VERSION`. A file without a
  version is version 0 (the flat layout written before the file was versioned).
- Atomic: writes go to a temporary file in the same directory, fsync'd, then `os.replace`d.
- Forgiving: an unreadable or corrupt file is moved aside to `settings.json.corrupt-<time>` and
  defaults are used (`Settings.recovered_from` says where the old file went, for a notice);
  a value of the wrong type reads as its default. A file from a newer version of the app is
  copied to `settings.json.v<N>-backup` before this version first overwrites it.

`rc_sms_desktop.ui.window_geometry.restore_window_geometry(window, settings)` is the UI's one call to put the main window back,
falling back to a centred default size when the stored bytes are bad or off-screen.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import platformdirs

from rc_sms_desktop import APP_NAME
from rc_sms_desktop.infra import guarded_file
from rc_sms_desktop.infra.private_files import (
    make_private_dir,
)

SETTINGS_VERSION: Final = 1
SETTINGS_FILE_NAME: Final = "settings.json"
DEFAULT_WINDOW_SIZE: Final = (1100, 720)

_log = logging.getLogger(__name__)

Document = dict[str, Any]


def _migrate_0_to_1(old: Document) -> Document:
    """Version 0 was flat (`server`, `client_id`, `custom_url`, `sender`, `only_sendable`,
    `geometry`); version 1 groups the sign-in fields and keys senders by account."""
    sign_in = {
        "server": old.get("server"),
        "client_id": old.get("client_id"),
        "custom_url": old.get("custom_url"),
    }
    senders = old.get("senders") if isinstance(old.get("senders"), dict) else {}
    return {
        "version": 1,
        "sign_in": {k: v for k, v in sign_in.items() if v is not None},
        "senders": senders,
        "only_numbers_that_can_send": old.get("only_sendable", False),
        "window_geometry": old.get("geometry"),
    }


# from-version -> function producing the next version's document.
MIGRATIONS: Final[dict[int, Callable[[Document], Document]]] = {0: _migrate_0_to_1}


def default_settings_path() -> Path:
    """Where settings live (e.g. ~/.config/rc-sms-desktop/settings.json on Linux)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / SETTINGS_FILE_NAME


def migrate(document: Document) -> Document:
    """Bring `document` up to `SETTINGS_VERSION`; newer documents are returned unchanged."""
    version = document.get("version", 0)
    if not isinstance(version, int) or version < 0:
        version = 0
    while version < SETTINGS_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
        document["version"] = version
    return document


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class Settings:
    """The settings file, loaded once; each setter saves immediately (atomically).

    Construct with `Settings.load()` (or `Settings.load(path)` in tests).
    """

    def __init__(self, path: Path, document: Document, recovered_from: Path | None = None) -> None:
        self.path = path
        self._doc = document
        # Set when a corrupt file was moved aside at load, so the UI can mention it once.
        self.recovered_from = recovered_from
        self._newer_backed_up = False

    # --- loading and saving ----------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the file, migrating older versions; never raises for a bad or missing file.

        Read through the app's guarded reader (infra/guarded_file.py): a damaged file is moved
        aside to `settings.json.corrupt-<time>` and the app starts with defaults.
        """
        path = path or default_settings_path()
        notices_before = len(guarded_file.pending_notices())
        document = guarded_file.load_json(path, "settings file")
        if document is None:
            pending = guarded_file.pending_notices()
            recovered = pending[-1].backup if len(pending) > notices_before else None
            return cls(path, {"version": SETTINGS_VERSION}, recovered)
        try:
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
            return cls(path, migrate(document))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            notice = guarded_file.set_aside(path, "settings file", str(error) or type(error).__name__)
            return cls(path, {"version": SETTINGS_VERSION}, notice.backup)

    @property
    def version(self) -> int:
        """The version of the loaded document (newer than ours if a newer app wrote it)."""
        version = self._doc.get("version", SETTINGS_VERSION)
        return version if isinstance(version, int) else SETTINGS_VERSION

    def save(self) -> None:
        """Write the file atomically. Failure to write is logged, never raised: settings are a
        convenience and must not take the app down."""
        try:
            make_private_dir(self.path.parent)
            if self.version > SETTINGS_VERSION and not self._newer_backed_up and self.path.exists():
                shutil.copy2(
                    self.path, self.path.with_name(f"{self.path.name}.v{self.version}-backup")
                )
                self._newer_backed_up = True
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(self._doc, handle, indent=2, sort_keys=True)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as error:
            _log.warning("could not save settings to %s: %s", self.path, error)

    def _section(self, name: str) -> dict[str, Any]:
        section = self._doc.get(name)
        if not isinstance(section, dict):
            section = {}
            self._doc[name] = section
        return section

    # --- sign-in (non-secret) --------------------------------------------------------------
    @property
    def last_server(self) -> str | None:
        """The server chosen at the last sign-in ("production", "sandbox", "custom", …)."""
        return _str_or_none(self._section("sign_in").get("server"))

    @last_server.setter
    def last_server(self, value: str | None) -> None:
        self._set("sign_in", "server", value)

    @property
    def last_client_id(self) -> str | None:
        """The OAuth client id used last (public, not a secret)."""
        return _str_or_none(self._section("sign_in").get("client_id"))

    @last_client_id.setter
    def last_client_id(self, value: str | None) -> None:
        self._set("sign_in", "client_id", value)

    @property
    def custom_server_url(self) -> str | None:
        """The custom server URL typed last."""
        return _str_or_none(self._section("sign_in").get("custom_url"))

    @custom_server_url.setter
    def custom_server_url(self, value: str | None) -> None:
        self._set("sign_in", "custom_url", value)

    def _set(self, section: str, key: str, value: str | None) -> None:
        values = self._section(section)
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
        self.save()

    # --- sender picker ---------------------------------------------------------------------
    def chosen_sender(self, account_id: str) -> str | None:
        """The phone number id last picked as sender for `account_id`, if any."""
        return _str_or_none(self._section("senders").get(account_id))

    def set_chosen_sender(self, account_id: str, phone_number_id: str | None) -> None:
        """Remember (or with None forget) the sender picked for `account_id`."""
        self._set("senders", account_id, phone_number_id)

    @property
    def only_numbers_that_can_send(self) -> bool:
        """The picker's "only numbers that can send" toggle (off by default)."""
        return self._doc.get("only_numbers_that_can_send") is True

    @only_numbers_that_can_send.setter
    def only_numbers_that_can_send(self, value: bool) -> None:
        self._doc["only_numbers_that_can_send"] = bool(value)
        self.save()

    # --- appearance ------------------------------------------------------------------------
    @property
    def appearance(self) -> str:
        """"system" (follow the system's colour scheme, the default), "light" or "dark"."""
        value = self._doc.get("appearance")
        return value if value in ("system", "light", "dark") else "system"

    @appearance.setter
    def appearance(self, value: str) -> None:
        self._doc["appearance"] = value if value in ("system", "light", "dark") else "system"
        self.save()

    # --- window geometry -------------------------------------------------------------------
    @property
    def window_geometry(self) -> bytes | None:
        """The bytes of `QMainWindow.saveGeometry()` from the last run, or None if absent or
        not valid base64 (the Qt-side validity check is `restore_window_geometry`)."""
        value = self._doc.get("window_geometry")
        if not isinstance(value, str) or not value:
            return None
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None

    @window_geometry.setter
    def window_geometry(self, value: bytes | None) -> None:
        self._doc["window_geometry"] = None if value is None else base64.b64encode(value).decode()
        self.save()
