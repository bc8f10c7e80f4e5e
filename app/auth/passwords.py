"""argon2id password hashing with OWASP's recommended parameters.

19 MiB of memory, 2 iterations, 1 lane (OWASP Password Storage Cheat Sheet, the first of its
equivalent argon2id settings). argon2-cffi's default (RFC 9106 "low memory": 64 MiB, 3 passes,
4 lanes) costs about 270 ms of CPU per login on this project's 2-core server, so a morning's
logins queue every other request behind them; these cost about 25 ms. Guessing stays expensive
for an attacker with the hashes, and online guessing is limited by the per-address rate limit
and the per-account lockout. A hash made with other parameters is redone at the next login
(services.authenticate).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
