"""Simulator settings and the demo credentials it accepts."""

from __future__ import annotations

from dataclasses import dataclass

# The demo credentials are public by design: they only open the simulator, never RingCentral.
DEMO_CLIENT_ID = "rcsim-demo-client"
DEMO_CLIENT_SECRET = "rcsim-demo-client-secret"
# Shaped like a JWT (three base64url parts) so clients that sanity-check the shape accept it.
DEMO_JWT = (
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"
    ".eyJpc3MiOiJyY3NpbSIsInN1YiI6ImRlbW8tdXNlciIsImF1ZCI6InJjc2ltIn0"
    ".cmNzaW0tZGVtby1zaWduYXR1cmU"
)

RATE_LIMIT_MODES = ("production", "off")


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that shapes one simulator run; the defaults are a well-behaved demo account.

    Times are seconds unless the name says otherwise. `rate_window_s` scales the rate-limit
    windows and penalties together (RingCentral's default is 60 s for both, https://developers.ringcentral.com/guide/basics/rate-limits).
    """

    rate_limits: str = "production"  # "production" (default plan, https://developers.ringcentral.com/guide/basics/rate-limits) or "off"
    rate_window_s: float = 60.0
    latency_ms: float = 0.0
    faults: str = ""  # e.g. "500:0.1,503:0.05,reset:0.05,badjson:0.05,slow:0.02,429:0.02"
    slow_fault_s: float = 10.0  # how long a `slow` fault holds the response
    seed: int = 0
    token_prefix: str = ""
    access_token_ttl_s: int = 3600  # https://developers.ringcentral.com/guide/authentication: 1 hour
    refresh_token_ttl_s: int = 604800  # https://developers.ringcentral.com/guide/authentication: 7 days
    auth_code_ttl_s: float = 60.0  # https://developers.ringcentral.com/guide/authentication: codes come back with expires_in 60
    issue_refresh_tokens: bool = True
    admin: bool = True  # whether the signed-in demo user is an account administrator
    demo_user: str = "alex"  # who signs in: demo_account.DEMO_USERS (sam: a role without SMS)
    user_numbers: int | None = None  # exact size of the signed-in user's number list
    account_numbers: int | None = None  # total numbers in the account (large-account mode)
    extensions: int | None = None  # total extensions in the account (large-account mode)
    delivery_delay_s: float = 1.0  # Queued → Sent after this, → Delivered/failed after twice it
    # After linkNumbers, how long until sms-configuration shows the campaign and SmsSender.
    provisioning_s: float = 3.0
    # The permissions the app was granted (the token's `scope`); the write endpoints answer
    # 403 CMN-401 without EditAccounts / EditExtensions (their x-app-permission).
    app_scope: str = "ReadAccounts ReadMessages SMS EditAccounts EditExtensions"
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    jwt: str = DEMO_JWT
    # Required (header X-Simulator-Token) by the /_simulator/* control endpoints when set; the
    # served simulator (`serve`) always sets a fresh one per run; in-process ones need none.
    control_token: str = ""
    # `simulator --data FILE`: serve this capture as the signed-in user's account (capture.py).
    data_path: str = ""

    def __post_init__(self) -> None:
        if self.rate_limits not in RATE_LIMIT_MODES:
            raise ValueError(f"rate_limits must be one of {', '.join(RATE_LIMIT_MODES)}")
        if self.rate_window_s <= 0:
            raise ValueError("rate_window_s must be positive")
        for name in ("latency_ms", "slow_fault_s", "delivery_delay_s", "auth_code_ttl_s",
                     "provisioning_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.access_token_ttl_s <= 0 or self.refresh_token_ttl_s <= 0:
            raise ValueError("token lifetimes must be positive")
        for name in ("user_numbers", "account_numbers", "extensions"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")

    def __repr__(self) -> str:
        # The demo secrets are harmless, but a custom client secret or JWT must never be printed.
        return (
            f"SimulatorConfig(rate_limits={self.rate_limits!r}, rate_window_s={self.rate_window_s}, "
            f"latency_ms={self.latency_ms}, faults={self.faults!r}, seed={self.seed}, "
            f"admin={self.admin}, user_numbers={self.user_numbers}, "
            f"account_numbers={self.account_numbers}, extensions={self.extensions})"
        )
