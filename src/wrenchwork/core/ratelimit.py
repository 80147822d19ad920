"""Fixed-window rate limiting per client IP with the `limits` library (memory or Redis storage)."""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger("wrenchwork.ratelimit")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    # Whole seconds that never point past the window's real end (a fraction of a second into the next one):
    # the unix time the window ends, rounded down, and the seconds from now until then, rounded down. A client
    # that waits them out may come back just before the new window and be told to wait once more, never longer
    # than the window itself.
    reset_at: int
    retry_after: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """`X-RateLimit-*` on every counted response; `retry-after` only on a refusal (it tells a client when to
        come back, which means nothing on an answer it already got)."""
        headers = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_at).encode()),
        ]
        if not self.allowed:
            headers.append((b"retry-after", str(self.retry_after).encode()))
        return headers


class RateLimiter:
    def __init__(self, rate: str, storage_url: str = "", trusted_proxies: str = "") -> None:
        self.item: RateLimitItem = parse(rate)
        self.limiter = FixedWindowRateLimiter(storage_from_string(storage_url or "memory://"))
        self.trusted: list[Network] = [
            ipaddress.ip_network(part.strip(), strict=False) for part in trusted_proxies.split(",") if part.strip()
        ]

    def client_ip(self, peer: str | None, forwarded_for: str | None) -> str:
        """The peer address, or with a trusted proxy in front, the last untrusted X-Forwarded-For hop."""
        peer = peer or "unknown"
        if not forwarded_for or not self._is_trusted(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def hit(self, key: str) -> Decision | None:
        """Count one request; None when the storage is unreachable (requests are then let through)."""
        try:
            allowed = self.limiter.hit(self.item, key)
            stats = self.limiter.get_window_stats(self.item, key)
        except Exception:  # a limiter outage must not take the API down
            log.warning("rate limit storage unavailable", exc_info=True)
            return None
        now = time.time()
        return Decision(
            allowed,
            self.item.amount,
            stats.remaining,
            reset_at=math.floor(stats.reset_time),
            retry_after=max(0, math.floor(stats.reset_time - now)),
        )
