"""Password-reset links: mailed with smtplib when `smtp_url` is set, else written to the server log (an
administrator passes them on). Sending runs in a thread: a slow mail server never holds a request."""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from wrenchwork.config import Settings

log = logging.getLogger("wrenchwork.mail")


def send_reset_link(settings: Settings, to: str, link: str) -> None:
    if not settings.smtp_url:
        log.warning("password reset link for %s (no smtp_url set to mail it): %s", to, link)
        return
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = "Set your wrenchwork password"
    message.set_content(f"Someone asked to reset the password of {to}.\n\nSet a new one here:\n{link}\n\n"
                        "If it was not you, ignore this message: the link expires by itself.")  # fmt: skip
    threading.Thread(target=_send, args=(settings.smtp_url, message), daemon=True).start()


def _send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    host, port = parts.hostname or "localhost", parts.port or (465 if secure else 587)
    try:
        with smtplib.SMTP_SSL(host, port, timeout=30) if secure else smtplib.SMTP(host, port, timeout=30) as smtp:
            if not secure and port != 25:
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("password reset mail not sent", extra={"fields": {"email": message["To"]}})
