"""The secret of a resident's private edit link. It is random (256 bits), not chosen by a person,
so a fast hash (SHA-256) is enough: only the hash is stored, with each of their pins."""
from __future__ import annotations

import hashlib
import secrets

EDIT_KEY_PATTERN = r"^[A-Za-z0-9_-]{32,128}$"


def new_edit_key() -> str:
    return secrets.token_urlsafe(32)


def edit_key_hash(edit_key: str) -> bytes:
    return hashlib.sha256(edit_key.encode("ascii")).digest()
