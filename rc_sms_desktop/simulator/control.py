"""The handle tests and benchmarks use to steer a running simulator (`app.state.simulator`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rc_sms_desktop.simulator.clock import SimulatorClock
from rc_sms_desktop.simulator.config import SimulatorConfig
from rc_sms_desktop.simulator.demo_account import Account, build_demo_account
from rc_sms_desktop.simulator.faults import FaultInjector
from rc_sms_desktop.simulator.generators import scaled
from rc_sms_desktop.simulator.limits import RateLimiter
from rc_sms_desktop.simulator.oauth import OAuthServer
from rc_sms_desktop.simulator.stats import SimulatorStats

if TYPE_CHECKING:
    from rc_sms_desktop.simulator.capture import Capture
    from rc_sms_desktop.simulator.messaging import MessageStore
    from rc_sms_desktop.simulator.registrations import Registrations


class SimulatorControl:
    """All mutable simulator state, with the operations tests need.

    Attributes: `config`, `clock`, `stats`, `account`, `oauth`, `limiter`, `faults`, `messages`,
    `latency_ms`, `rate_limits_enabled`.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.clock = SimulatorClock()
        self.stats = SimulatorStats()
        self.account: Account = self._build_account()
        # A served capture (`--data`) answers the directory reads instead of the demo account.
        self.capture: Capture | None = None
        if config.data_path:
            from rc_sms_desktop.simulator.capture import load_capture  # only `simulator --data`

            self.capture = load_capture(Path(config.data_path))
        self.oauth = OAuthServer(config, self.clock, self.stats, self.account.signed_in_id)
        self.limiter = RateLimiter(self.clock, window_s=config.rate_window_s)
        self.rate_limits_enabled = config.rate_limits == "production"
        self.faults = FaultInjector(config.faults, config.seed)
        self.latency_ms = config.latency_ms
        self.slow_fault_s = config.slow_fault_s
        # Built on first use, with their modules (issue #20: the demo's first load needs neither).
        self._messages: MessageStore | None = None
        self._registrations: Registrations | None = None
        self.assign_requests = 0  # bulkAssignSmsRecipients calls that reached the handler

    @property
    def messages(self) -> MessageStore:
        """The sent messages (`messaging.MessageStore`)."""
        if self._messages is None:
            from rc_sms_desktop.simulator.messaging import MessageStore

            self._messages = MessageStore(self.clock, self.config.delivery_delay_s)
        return self._messages

    @property
    def registrations(self) -> Registrations:
        """The TCR brands and campaigns, and the number links being provisioned."""
        if self._registrations is None:
            from rc_sms_desktop.simulator.registrations import Registrations

            self._registrations = Registrations(self.clock, self.config.provisioning_s)
        return self._registrations

    def _build_account(self) -> Account:
        config = self.config
        return scaled(build_demo_account(admin=config.admin, user=config.demo_user), config.user_numbers,
                      config.account_numbers, config.extensions)

    # Demo changes (linking numbers, choosing who texts from a shared number)
    def settle_provisioning(self) -> None:
        """Finish the number links whose provisioning delay is over (called before each request)."""
        if self._registrations is not None:  # none yet: nothing was linked
            self._registrations.settle(self.account)

    def reset_demo(self) -> None:
        """Undo every change made through the API: the demo account as it started ("Reset demo")."""
        admin = self.account.signed_in.admin
        self.account = self._build_account()
        self.account.signed_in.admin = admin
        self._registrations = None  # a fresh one, as the demo started, on next use

    # Tokens and sessions
    def expire_access_tokens(self) -> None:
        """Every access token issued so far is now expired (the next call gets 401 OAU-128)."""
        self.oauth.expire_access_tokens()

    def expire_refresh_tokens(self) -> None:
        self.oauth.expire_refresh_tokens()

    def revoke_all_sessions(self) -> None:
        """End every session: all access and refresh tokens stop working (401 / invalid_grant)."""
        self.oauth.revoke_all()

    # Account
    def set_admin(self, admin: bool) -> None:
        """Make the signed-in user an administrator or a plain user (403 CMN-408 on admin lists)."""
        self.account.signed_in.admin = admin

    # Time
    def advance(self, seconds: float) -> None:
        """Move the simulator clock forward (tokens, rate windows, penalties, message delivery)."""
        self.clock.advance(seconds)

    # Faults and limits
    def inject_fault(self, kind: str, count: int = 1) -> None:
        """The next `count` API/OAuth requests fail with `kind` (500, 503, reset, badjson, slow, 429)."""
        self.faults.force(kind, count)

    def set_fault_rates(self, spec: str) -> None:
        self.faults.set_rates(spec)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset_rate_limits(self) -> None:
        self.limiter.reset()

    def stats_json(self) -> dict[str, object]:
        return self.stats.to_json()

    def reset_stats(self) -> None:
        self.stats.__init__()  # type: ignore[misc]
