"""Sign-in throttling: failed attempts counted per e-mail address and per client IP with the `limits` library,
in the storage the API's rate limiter uses (memory, or Redis shared by several server processes)."""

from __future__ import annotations

import logging
import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from wrenchwork.config import Settings
from wrenchwork.core.errors import AppError
from wrenchwork.core.ratelimit import RateLimiter

log = logging.getLogger("wrenchwork.web")


class TooManyAttempts(AppError):
    status_code = 429
    default_message = "Too many sign-in attempts"


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        self.limiter = FixedWindowRateLimiter(storage_from_string(settings.rate_limit_storage_url or "memory://"))
        self.account = parse(settings.login_rate_limit_account)
        self.ip = parse(settings.login_rate_limit_ip)
        # Only for its reading of the client address behind trusted proxies.
        self.addresses = RateLimiter("1 per second", "memory://", settings.trusted_proxies)

    def client_ip(self, peer: str | None, forwarded_for: str | None) -> str:
        return self.addresses.client_ip(peer, forwarded_for)

    def check(self, email: str, ip: str) -> None:
        """429 while the address or the IP has used up its failed attempts."""
        for item, key in ((self.account, f"login:account:{email.lower()}"), (self.ip, f"login:ip:{ip}")):
            try:
                if self.limiter.test(item, key):
                    continue
                reset = self.limiter.get_window_stats(item, key).reset_time
            except Exception:  # a limiter outage must not lock everyone out
                log.warning("sign-in throttle storage unavailable", exc_info=True)
                return
            minutes = max(1, math.ceil((reset - time.time()) / 60))
            raise TooManyAttempts(f"Too many sign-in attempts; try again in {minutes} minutes")

    def failed(self, email: str, ip: str) -> None:
        try:
            self.limiter.hit(self.account, f"login:account:{email.lower()}")
            self.limiter.hit(self.ip, f"login:ip:{ip}")
        except Exception:
            log.warning("sign-in throttle storage unavailable", exc_info=True)
