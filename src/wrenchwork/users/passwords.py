"""Passwords of people who sign in to the web app: argon2 hashes (pwdlib), never the password itself."""

from __future__ import annotations

from pwdlib import PasswordHash

from wrenchwork.core.errors import Unprocessable

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHash.recommended()
# Verified against when the address is unknown, so a wrong address takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password: str, stored: str | None) -> bool:
    if stored is None:
        _hasher.verify(password, _DUMMY)
        return False
    return _hasher.verify(password, stored)


def check_new(password: str, confirmation: str) -> None:
    """422 for a password too short or too long, or a confirmation that differs."""
    if len(password) < MIN_LENGTH:
        raise Unprocessable.field("password", f"is too short (minimum is {MIN_LENGTH} characters)")
    if len(password) > MAX_LENGTH:
        raise Unprocessable.field("password", f"is too long (maximum is {MAX_LENGTH} characters)")
    if password != confirmation:
        raise Unprocessable.field("password_confirmation", "does not match the password")
