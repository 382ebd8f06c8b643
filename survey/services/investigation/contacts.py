"""Frame contacts, encrypted at rest and deleted when no longer needed.

A frame may carry the applicants' contact details (name, phone, e-mail, address) so the
field staff can reach the drawn cases. They are never stored in clear: each dossier's details
are one text (the four fields joined by U+001F, which a field may not hold) sealed with
AES-256-GCM (`cryptography`), key from the environment
(`HAILONG_CONTACT_KEY`, 32 random bytes in URL-safe base64; `hailong investigation
contact-key` prints a new one), a random 96-bit nonce per blob, and the investigation id and
dossier code as associated data, so a blob moved to another row no longer opens. The blob is
nonce ‖ ciphertext ‖ tag; `key_id` (the first 16 hex digits of the key's SHA-256) tells a wrong
key from a damaged blob.

AES-GCM rather than Fernet (same library): Fernet costs about 42 µs a row here, 85 s for a
2,000,000-dossier frame; AES-GCM about 6 µs, and it authenticates the row it belongs to.

Deletion (`delete_unsampled`, `delete_all`): the draw deletes the contacts of every dossier
not drawn; closing the fieldwork deletes the rest. A deleted row is gone from the database
(SQLite: `secure_delete` is on for those statements, so the freed pages are zeroed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from survey.extensions import db
from survey.models.investigation import FrameContact, FrameDossier, SampleCase

CONTACT_FIELDS = ("contact_name", "phone", "email", "address")
CONTACT_MAX_CHARS = 300
SEPARATOR = "\x1f"  # the ASCII unit separator: cheaper than JSON at 2,000,000 rows


class ContactKeyError(RuntimeError):
    """The contact key is missing, malformed, or not the one the blobs were sealed with."""


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _key_bytes(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ContactKeyError("HAILONG_CONTACT_KEY must be 32 bytes in URL-safe base64 "
                              "(`hailong investigation contact-key` prints one)")
    return key


def configured_key() -> str:
    return current_app.config.get("CONTACT_KEY") or ""


class Sealer:
    """Seals and opens one investigation's contact blobs with the configured key."""

    def __init__(self, key_text: str | None = None):
        text = configured_key() if key_text is None else key_text
        if not text:
            raise ContactKeyError("HAILONG_CONTACT_KEY is not set")
        key = _key_bytes(text)
        self.key_id = hashlib.sha256(key).hexdigest()[:16]
        self._aead = AESGCM(key)

    def seal(self, investigation_id: int, dossier_code: str, contact: tuple[str, ...]) -> bytes:
        """`contact`: the CONTACT_FIELDS' values in order, none holding U+001F."""
        nonce = os.urandom(12)
        plain = SEPARATOR.join(contact).encode()
        return nonce + self._aead.encrypt(nonce, plain, _context(investigation_id, dossier_code))

    def seal_many(self, investigation_id: int, dossier_codes: Sequence[str],
                  plains: Sequence[str]) -> list[bytes]:
        """`seal` of many dossiers at once, `plains` their fields already joined by SEPARATOR:
        the same blobs, made with C-level passes (one os.urandom for all the nonces, map over
        encrypt) instead of Python code per dossier, which cost more than the encryption at
        2,000,000 rows. (Not in threads: two sealed no faster than one on this 2-core
        machine, and for a row's few dozen bytes the call itself, under the GIL, is most of
        the cost.)"""
        pool = os.urandom(12 * len(plains))
        nonces = [pool[i:i + 12] for i in range(0, len(pool), 12)]
        prefix = _context(investigation_id, "")
        contexts = map(prefix.__add__, map(str.encode, dossier_codes))
        sealed = map(self._aead.encrypt, nonces, map(str.encode, plains), contexts)
        return list(map(bytes.__add__, nonces, sealed))

    def open(self, investigation_id: int, dossier_code: str, key_id: str,
             blob: bytes) -> dict[str, str]:
        if key_id != self.key_id:
            raise ContactKeyError(f"the contacts were sealed with key {key_id}, "
                                  f"not the configured {self.key_id}")
        try:
            plain = self._aead.decrypt(blob[:12], blob[12:],
                                       _context(investigation_id, dossier_code))
        except InvalidTag:
            raise ContactKeyError("a contact blob does not open: damaged, or moved from "
                                  "another dossier") from None
        values = plain.decode().split(SEPARATOR)
        return {k: v for k, v in zip(CONTACT_FIELDS, values, strict=True) if v}


def _context(investigation_id: int, dossier_code: str) -> bytes:
    return f"hailong.contact:{investigation_id}:{dossier_code}".encode()


def contact_of(investigation_id: int, frame_dossier_id: int, dossier_code: str,
               sealer: Sealer | None = None) -> dict[str, str] | None:
    """A frame dossier's contact details in clear (for the fieldwork), or None."""
    row = db.session.get(FrameContact, frame_dossier_id)
    if row is None:
        return None
    return (sealer or Sealer()).open(investigation_id, dossier_code, row.key_id, row.blob)


def _secure(statement) -> int:
    """Run a DELETE; on SQLite with secure_delete, so the freed pages are overwritten."""
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        return connection.execute(statement).rowcount
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA secure_delete = OFF")


def _frame_of(investigation_id: int):
    return db.select(FrameDossier.id).where(FrameDossier.investigation_id == investigation_id)


def delete_unsampled(investigation_id: int) -> int:
    """Delete the contacts of the frame dossiers not drawn; how many were deleted."""
    drawn = db.select(SampleCase.frame_dossier_id).where(
        SampleCase.investigation_id == investigation_id)
    return _secure(db.delete(FrameContact).where(
        FrameContact.frame_dossier_id.in_(_frame_of(investigation_id)),
        FrameContact.frame_dossier_id.not_in(drawn)))


def delete_all(investigation_id: int) -> int:
    return _secure(db.delete(FrameContact).where(
        FrameContact.frame_dossier_id.in_(_frame_of(investigation_id))))


def count(investigation_id: int) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(FrameContact).where(
        FrameContact.frame_dossier_id.in_(_frame_of(investigation_id)))).scalar_one()
