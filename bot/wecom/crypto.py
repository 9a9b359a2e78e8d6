"""WeCom callback crypto (the official WXBizMsgCrypt scheme) on the `cryptography` primitives.

msg_signature = SHA1 of the sorted [token, timestamp, nonce, encrypted]; the payload is AES-256-CBC
with key = base64(EncodingAESKey + "="), IV = key[:16], PKCS#7 padding to 32-byte blocks, over
random(16) + length(4, big-endian) + message + receive id (the corp id, checked on the way in).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_BITS = 256  # WeCom pads to 32-byte blocks, not AES's 16


class CallbackError(ValueError):
    """A callback that must be refused; `reason` is short and safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WeComCrypto:
    """Verify, decrypt and (for replies and tests) encrypt WeCom callback payloads."""

    def __init__(self, token: str, aes_key: str, receive_id: str) -> None:
        if len(aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not base64") from exc
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self.token = token
        self.receive_id = receive_id

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """The msg_signature of one payload."""
        joined = "".join(sorted([self.token, timestamp, nonce, encrypted]))
        return hashlib.sha1(joined.encode()).hexdigest()

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """Raise CallbackError unless the signature matches (constant-time compare)."""
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), (signature or "").encode()):
            raise CallbackError("bad signature")

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def decrypt(self, encrypted: str) -> bytes:
        """The plain message; raises CallbackError on bad base64, padding, length or receive id."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CallbackError("malformed ciphertext") from exc
        if not data or len(data) % 16:
            raise CallbackError("malformed ciphertext")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
        try:
            plain = unpadder.update(padded) + unpadder.finalize()
        except ValueError as exc:
            raise CallbackError("bad padding") from exc
        if len(plain) < 20:
            raise CallbackError("malformed plaintext")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20:20 + length], plain[20 + length:]
        if len(message) != length:
            raise CallbackError("malformed plaintext")
        if not hmac.compare_digest(receive_id, self.receive_id.encode()):
            raise CallbackError("wrong corp id")
        return message

    def encrypt(self, message: bytes, *, random16: bytes | None = None) -> str:
        """Base64 ciphertext of a message, as WeCom builds it."""
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(message)) + message + self.receive_id.encode()
        padder = padding.PKCS7(BLOCK_BITS).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """URL verification (GET): check and decrypt echostr; the plain text is the answer."""
        self.verify(signature, timestamp, nonce, echostr)
        return self.decrypt(echostr).decode()

    def open(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> bytes:
        """A POSTed payload: check the signature, then decrypt (the corp id is checked)."""
        self.verify(signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)
