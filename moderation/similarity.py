"""Near-duplicate detection with MinHash and locality-sensitive hashing (datasketch).

Each text gets a MinHash signature of its word 3-shingles. The signature is cut into bands;
texts that share a band are candidates, found by an index lookup on `TextBand.key`, so the cost
per text does not grow with the number of texts stored. Candidates are then compared on their
full signatures (the estimated Jaccard similarity).
"""

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4 rows a band: texts of similarity ~0.5 and up become candidates
_SEED = 1  # fixed: signatures stored in the database must stay comparable
_WORD = re.compile(r"\w+")
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED)  # permutations computed once


def words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped)


def shingles(tokens: list[str]) -> list[bytes]:
    if len(tokens) < 3:
        return [t.encode() for t in tokens]
    return [" ".join(tokens[i : i + 3]).encode() for i in range(len(tokens) - 2)]


def signature(text: str) -> np.ndarray:
    minhash = MinHash(
        num_perm=NUM_PERM, seed=_SEED, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme
    )
    minhash.update_batch(shingles(words(text)))
    return minhash.hashvalues.astype(np.uint64)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u8")


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (fits a BigIntegerField)."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM
