"""Password hashes shared by the server's accounts and the workstation's offline verifier.

New hashes are argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane; about 25 ms).
Hashes made before (scrypt, N = 2^14) still verify; ``needs_rehash`` tells the caller to
store a new argon2id hash after the next successful sign-in, when the password is at hand.
Pure computation (no I/O), so both sides can use it.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1

_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
)


def hash_password(password: str) -> str:
    """A new argon2id hash (PHC string, about 100 characters, salt included)."""
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (argon2id, or a legacy scrypt hash)."""
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    return False


def needs_rehash(stored: str) -> bool:
    """True for any hash that is not argon2id with today's parameters (legacy scrypt too)."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def scrypt_matches(password: str, salt: bytes, digest_hex: str, n: int = 2**14) -> bool:
    """A legacy scrypt digest (r = 8, p = 1, 32 bytes) compared in constant time."""
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    return hmac.compare_digest(candidate.hex(), digest_hex)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        params = int(n), int(r), int(p)
        salt_bytes = bytes.fromhex(salt)
    except ValueError:
        return False
    if params[1:] != (8, 1) or not 2 <= params[0] <= 2**20:
        return False  # only what earlier versions wrote; no attacker-chosen cost
    return scrypt_matches(password, salt_bytes, digest, n=params[0])
