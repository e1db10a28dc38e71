"""Sign in to RingCentral: in the browser (authorization code + PKCE) or with a JWT.

The dialog is opened with `open()` and never blocks the loop: the sign-in runs as an asyncio task
held here, and Cancel (or closing the dialog) cancels it, which closes the loopback listener and
frees its port. Progress and errors are shown in words inside the dialog. Only non-secret
settings are remembered (server, custom URL, client ID); secrets stay in their fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rc_sms_desktop.api.auth import ClientCredentials
from rc_sms_desktop.api.client import RingCentralClient
from rc_sms_desktop.api.errors import ApiError, explain
from rc_sms_desktop.api.servers import KNOWN_SERVERS, Server, ServerUrlError, custom_server
from rc_sms_desktop.api.session import TokenSession, open_system_browser
from rc_sms_desktop.api.tokens import TokenStore
from rc_sms_desktop.core.marks import Mark
from rc_sms_desktop.infra.redaction import Secret
from rc_sms_desktop.infra.settings import Settings
from rc_sms_desktop.ui.accessibility import announce
from rc_sms_desktop.ui.theme import mark_colour
from rc_sms_desktop.ui.window_services import AccountSession, signed_in_session

_log = logging.getLogger(__name__)

BrowserOpener = Callable[[str], Awaitable[bool]]

_SERVER_CHOICES = (
    ("production", "RingCentral (most customers)"),
    ("partner", "RingCentral partner: AT&T Office@Hand, Verizon (.biz)"),
    ("custom", "Custom server URL…"),
)


def _words(error: BaseException) -> str:
    if isinstance(error, ApiError | ServerUrlError):
        return explain(error).message
    return "Sign-in did not work. Please check the details and try again."


class SignInDialog(QDialog):
    """Browser and JWT sign-in; on success `session` holds the new `AccountSession`.

    Signals: `signedIn(session)` just before the dialog accepts; `progressChanged(text)` as the
    flow advances (the same text the dialog shows). `transport` (tests: `httpx.ASGITransport`
    over the simulator), `open_browser` and `token_store` are injectable.
    """

    signedIn = Signal(object)
    progressChanged = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        transport: Any = None,
        open_browser: BrowserOpener | None = None,
        token_store: Any = None,
        redirect_port: int = 0,
        browser_timeout: float = 300.0,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to RingCentral")
        self.setAccessibleName("Sign in to RingCentral")
        self.setMinimumWidth(520)
        self._settings = settings
        self._transport = transport
        self._open_browser = open_browser
        self._token_store = token_store
        self._redirect_port = redirect_port
        self._browser_timeout = browser_timeout
        self._task: asyncio.Task[None] | None = None
        self.session: AccountSession | None = None

        self.server_combo = QComboBox(self)
        self.server_combo.setObjectName("serverCombo")
        self.server_combo.setAccessibleName("RingCentral server")
        for key, text in _SERVER_CHOICES:
            self.server_combo.addItem(text, key)
        self.custom_url_edit = QLineEdit(self)
        self.custom_url_edit.setObjectName("customUrlEdit")
        self.custom_url_edit.setAccessibleName("Custom server URL")
        self.custom_url_edit.setPlaceholderText("https://platform.example.com")
        self.server_combo.currentIndexChanged.connect(self._on_server_changed)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("signInTabs")
        browser = QWidget(self.tabs)
        browser_form = QFormLayout(browser)
        self.client_id_edit = QLineEdit(browser)
        self.client_id_edit.setObjectName("clientIdEdit")
        self.client_id_edit.setAccessibleName("Client ID")
        self.client_secret_edit = QLineEdit(browser)
        self.client_secret_edit.setObjectName("clientSecretEdit")
        self.client_secret_edit.setAccessibleName("Client secret (optional)")
        self.client_secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret_edit.setPlaceholderText("Only if your app has one")
        browser_help = QLabel(
            "Your browser opens RingCentral's sign-in page; after you allow access it returns "
            "to this app. Your password never passes through this app.",
            browser,
        )
        browser_help.setWordWrap(True)
        # Mnemonics are unique in the dialog (a repeated Alt+letter only cycles focus).
        browser_form.addRow("Client I&D:", self.client_id_edit)
        browser_form.addRow("Client s&ecret:", self.client_secret_edit)
        browser_form.addRow(browser_help)
        self.tabs.addTab(browser, "&Browser")

        jwt = QWidget(self.tabs)
        jwt_form = QFormLayout(jwt)
        self.jwt_client_id_edit = QLineEdit(jwt)
        self.jwt_client_id_edit.setObjectName("jwtClientIdEdit")
        self.jwt_client_id_edit.setAccessibleName("Client ID for JWT")
        self.jwt_client_secret_edit = QLineEdit(jwt)
        self.jwt_client_secret_edit.setObjectName("jwtClientSecretEdit")
        self.jwt_client_secret_edit.setAccessibleName("Client secret for JWT")
        self.jwt_client_secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.jwt_edit = QLineEdit(jwt)
        self.jwt_edit.setObjectName("jwtEdit")
        self.jwt_edit.setAccessibleName("JWT credential")
        self.jwt_edit.setEchoMode(QLineEdit.EchoMode.Password)
        jwt_help = QLabel(
            "For admins and service users: a JWT credential created in the RingCentral "
            "Developer Console, with the client ID and secret of an app that allows JWT.",
            jwt,
        )
        jwt_help.setWordWrap(True)
        jwt_form.addRow("Client &ID:", self.jwt_client_id_edit)
        jwt_form.addRow("Client secre&t:", self.jwt_client_secret_edit)
        jwt_form.addRow("J&WT:", self.jwt_edit)
        jwt_form.addRow(jwt_help)
        self.tabs.addTab(jwt, "&JWT")

        self.status_label = QLabel("", self)
        self.status_label.setObjectName("signInStatus")
        self.status_label.setWordWrap(True)
        # Its fallback link ("open this address yourself") is reachable with Tab; see _show_status.
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.status_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status_label.setAccessibleName("Sign-in status")
        self.status_label.setOpenExternalLinks(True)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("signInProgress")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Signing in")
        self.busy.hide()

        self.buttons = QDialogButtonBox(self)
        self.sign_in_button: QPushButton = self.buttons.addButton(
            "&Sign in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.sign_in_button.setObjectName("signInSubmitButton")
        self.sign_in_button.setDefault(True)
        self.cancel_button: QPushButton = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("signInCancelButton")
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.cancel_button.clicked.connect(self.reject)

        server_form = QFormLayout()
        server_form.addRow("Se&rver:", self.server_combo)
        server_form.addRow("Server &URL:", self.custom_url_edit)
        self._server_form = server_form
        layout = QVBoxLayout(self)
        layout.addLayout(server_form)
        layout.addWidget(self.tabs)
        layout.addWidget(self.status_label)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self._restore_settings()
        self._on_server_changed()

    # ------------------------------------------------------------------------------ settings

    def _restore_settings(self) -> None:
        settings = self._settings
        if settings is None:
            return
        key = settings.last_server
        index = self.server_combo.findData(key) if key else -1
        if index >= 0:
            self.server_combo.setCurrentIndex(index)
        if settings.custom_server_url:
            self.custom_url_edit.setText(settings.custom_server_url)
        if settings.last_client_id:
            self.client_id_edit.setText(settings.last_client_id)
            self.jwt_client_id_edit.setText(settings.last_client_id)

    def preset_server(self, server_text: str) -> None:
        """Select `--server URL`'s server: a known one by key or URL, else the custom URL."""
        from rc_sms_desktop.api.servers import resolve_server

        server = resolve_server(server_text)
        key = next((k for k, known in KNOWN_SERVERS.items() if known.url == server.url), "custom")
        self.server_combo.setCurrentIndex(self.server_combo.findData(key))
        if key == "custom":
            self.custom_url_edit.setText(server.url)
        self._on_server_changed()

    def _remember(self, server_key: str, client_id: str) -> None:
        settings = self._settings
        if settings is None:
            return
        settings.last_server = server_key
        settings.last_client_id = client_id
        if server_key == "custom":
            settings.custom_server_url = self.custom_url_edit.text().strip()

    def _on_server_changed(self) -> None:
        custom = self.server_combo.currentData() == "custom"
        self.custom_url_edit.setVisible(custom)
        label = self._server_form.labelForField(self.custom_url_edit) if hasattr(self, "_server_form") else None
        if label is not None:
            label.setVisible(custom)

    def server(self) -> Server:
        """The chosen server; raises `ServerUrlError` (with words) for a bad custom URL."""
        key = str(self.server_combo.currentData())
        if key in KNOWN_SERVERS:
            return KNOWN_SERVERS[key]
        return custom_server(self.custom_url_edit.text())

    # ------------------------------------------------------------------------------ the flow

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start_sign_in(self) -> None:
        if self.running:
            return
        try:
            server = self.server()
        except ServerUrlError as error:
            self._show_error(str(error))
            return
        jwt_mode = self.tabs.currentIndex() == 1
        client_id = (self.jwt_client_id_edit if jwt_mode else self.client_id_edit).text().strip()
        if not client_id:
            self._show_error("Enter the client ID of your RingCentral app.")
            return
        if jwt_mode and not self.jwt_edit.text().strip():
            self._show_error("Paste the JWT credential.")
            return
        self._set_busy(True)
        self._task = asyncio.get_running_loop().create_task(
            self._sign_in(server, client_id, jwt_mode), name="sign-in"
        )

    async def _sign_in(self, server: Server, client_id: str, jwt_mode: bool) -> None:

        secret_edit = self.jwt_client_secret_edit if jwt_mode else self.client_secret_edit
        secret_text = secret_edit.text().strip()
        credentials = ClientCredentials(client_id, Secret(secret_text) if secret_text else None)
        store = self._token_store if self._token_store is not None else TokenStore()
        client = RingCentralClient(server.url, self._transport)
        try:
            if jwt_mode:
                self._progress(f"Signing in to {server.name} with your JWT…")
                token_session = await TokenSession.sign_in_with_jwt(
                    client.http, server, credentials, Secret(self.jwt_edit.text().strip()), store
                )
            else:
                opener = self._open_browser or open_system_browser

                async def open_and_tell(url: str) -> bool:
                    self._progress(
                        "Finish signing in in your browser. If it did not open, "
                        f'<a href="{html.escape(url, quote=True)}">open the sign-in page</a> yourself.',
                    )
                    return await opener(url)

                self._progress("Opening your browser…")
                token_session = await TokenSession.sign_in_with_browser(
                    client.http, server, credentials, store,
                    open_browser=open_and_tell, port=self._redirect_port, time_limit=self._browser_timeout,
                )
        except asyncio.CancelledError:
            await client.aclose()
            raise
        except Exception as error:
            await client.aclose()
            _log.info("sign-in failed: %s", type(error).__name__)
            self._set_busy(False)
            self._show_error(_words(error))
            return
        self._remember(str(self.server_combo.currentData()), client_id)
        self.jwt_edit.clear()
        self.session = signed_in_session(client, token_session, server)
        self._progress("Signed in.")
        self._set_busy(False)
        self.signedIn.emit(self.session)
        self.accept()

    def _progress(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self._show_status(text, text, error=False)
        self.progressChanged.emit(text)

    def _show_error(self, text: str) -> None:
        self.status_label.setStyleSheet(f"color: {mark_colour(Mark.BLOCKED, self.palette()).name()};")
        self._show_status(f"<b>Could not sign in.</b> {_escape(text)}", f"Could not sign in. {text}", error=True)
        self.progressChanged.emit(text)

    def _show_status(self, shown: str, spoken: str, *, error: bool) -> None:
        self.status_label.setText(shown)
        # Focusable only while it holds a link: an empty or plain status is no Tab stop.
        self.status_label.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if "<a " in shown else Qt.FocusPolicy.NoFocus
        )
        # Nobody has the status focused: it is spoken (errors at once).
        announce(self.status_label, QTextDocumentFragment.fromHtml(spoken).toPlainText()
                 if "<" in spoken else spoken, assertive=error)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        for widget in (self.tabs, self.server_combo, self.custom_url_edit):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        """Cancel: stop the flow in flight (closing the loopback listener) and close."""
        self.cancel_flow()
        super().reject()

    def cancel_flow(self) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            self._set_busy(False)
            self._progress("Sign-in cancelled.")

    async def wait_stopped(self) -> None:
        """Await the flow's end after a cancel (the port is free when this returns)."""
        task = self._task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
