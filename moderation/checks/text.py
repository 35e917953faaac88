"""Text helpers shared by the content checks: a normal form for word-list matching, and tokens.

Word lists are matched against a normalised form of the text, so that one entry catches the
spellings people use to slip past a filter: capitals, accents, look-alike letters, leetspeak,
letters repeated for emphasis and letters spaced out ("c o n n a r d", "c.o.n.n.a.r.d").

The normal form keeps, for each of its characters, the index of the character of the original
text it comes from, so that a check can report where a match lies in what the author wrote.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

# Letters of other scripts that look like Latin ones and that NFKC leaves alone: "соnnаrd" typed
# with Cyrillic с, о and а must read as "connard".
_LOOK_ALIKES = str.maketrans("аеорсухіјѕοαιν", "aeopcyxijsoaiv")
# Latin letters that are not accented forms (so NFD does not split them) but read as plain ones.
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
# Leetspeak digits and signs, undone only inside a token that also has letters ("c0nn4rd",
# "$alope") so that prices, dates and order numbers stay digits.
_LEET = str.maketrans("013457@$", "oieasta" + "s")
_TOKEN_CHARS = "a-z0-9@$"
# Three or more single characters separated by a space, dot, dash, underscore or middle dot:
# "c o n n a r d", "c.o.n.n.a.r.d", "f-u-c-k". Three at least, so that French "y a", "l'a" and
# English "a b" stay apart. A lone letter next to a word ("à lui") is not part of a run.
_ONE_CHAR = rf"(?<![{_TOKEN_CHARS}])[{_TOKEN_CHARS}](?![{_TOKEN_CHARS}])"
_SPACED_LETTERS = re.compile(rf"{_ONE_CHAR}(?:[ .\-_·]{{1,2}}{_ONE_CHAR}){{2,}}")
_TOKEN = re.compile(rf"[{_TOKEN_CHARS}]+")
_HAS_LETTER = re.compile(r"[a-z]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
# Punctuation that ends a clause: kept as ", " so that a phrase never matches across it
# ("le sol était sale, noir de crasse" is not "sale noir").
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"«»“”„/\n]")
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Normalised:
    """The normal form of a text, with where each of its characters comes from."""

    text: str
    origins: tuple[int, ...]  # origins[i]: index in the original text of text[i]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced text[start:end] (end > start)."""
        return self.origins[start], self.origins[end - 1] + 1


def normalise_for_matching(text: str, *, max_repeat: int = 1) -> str:
    """Lowercase ASCII words separated by single spaces, ", " where a clause ends.

    >>> normalise_for_matching("Quel C0NNNARD, c.o.n.n.a.r.d !")
    'quel conard, connard'

    Letters repeated three times or more are cut to `max_repeat` copies: 1 catches
    "saloooope", 2 catches "connnnard" (a word list matcher tries both).
    """
    return normalise_with_origins(text, max_repeat=max_repeat).text


def normalise_with_origins(text: str, *, max_repeat: int = 1) -> Normalised:
    """`normalise_for_matching`, keeping each character's index in `text`."""
    chars: list[tuple[str, int]] = [
        (folded, index) for index, char in enumerate(text) for folded in _fold_char(char)
    ]
    chars = _join_spaced_letters(chars)
    chars = _undo_leetspeak(chars)
    chars = _simplify_separators(chars)
    chars = _collapse_repeats(chars, max_repeat)
    return Normalised("".join(c for c, _ in chars), tuple(i for _, i in chars))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character in lowercase ASCII when it has a Latin reading: "É"→"e", "ﬁ"→"fi", "Ｃ"→"c"."""
    folded = unicodedata.normalize("NFKC", char).casefold().translate(_LOOK_ALIKES)
    without_marks = "".join(
        c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c)
    )
    return "".join(_LIGATURES.get(c, c) for c in without_marks)


_Chars = list[tuple[str, int]]


def _as_text(chars: _Chars) -> str:
    return "".join(c for c, _ in chars)


def _join_spaced_letters(chars: _Chars) -> _Chars:
    text = _as_text(chars)
    drop: set[int] = set()
    for match in _SPACED_LETTERS.finditer(text):
        drop.update(i for i in range(match.start(), match.end()) if not _TOKEN.match(text[i]))
    return [pair for i, pair in enumerate(chars) if i not in drop] if drop else chars


def _undo_leetspeak(chars: _Chars) -> _Chars:
    text = _as_text(chars)
    result = list(chars)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if _HAS_LETTER.search(token) and token != token.translate(_LEET):
            for offset, char in enumerate(token.translate(_LEET)):
                result[match.start() + offset] = (char, chars[match.start() + offset][1])
    return result


def _simplify_separators(chars: _Chars) -> _Chars:
    """Every run of other characters becomes one space, or ", " if it holds a clause break."""
    text = _as_text(chars)
    result: _Chars = []
    position = 0
    for match in _SEPARATORS.finditer(text):
        result.extend(chars[position : match.start()])
        position = match.end()
        if match.start() == 0 or match.end() == len(text):
            continue  # no separator before the first word or after the last
        origin = chars[match.start()][1]
        separator = ", " if _CLAUSE_BREAK.search(match.group()) else " "
        result.extend((c, origin) for c in separator)
    result.extend(chars[position:])
    return result


def _collapse_repeats(chars: _Chars, max_repeat: int) -> _Chars:
    """A letter repeated three times or more is kept `max_repeat` times; pairs stay as typed."""
    result: _Chars = []
    for _, group in groupby(chars, key=lambda pair: pair[0]):
        run = list(group)
        keep = max_repeat if len(run) >= 3 and run[0][0].isalpha() else len(run)
        result.extend(run[:keep])
    return result


def strip_accents(text: str) -> str:
    """The text without diacritics, case kept: "Été" → "Ete".

    One character for one, so that a span found in the result is the same span in `text`.
    """
    return "".join(_first_of_decomposition(c) for c in text)


@lru_cache(maxsize=4096)
def _first_of_decomposition(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0]


_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The words of a text, lowercase and without accents; digits and signs are not words."""
    return _WORD.findall(strip_accents(unicodedata.normalize("NFC", text)).casefold())


def vowel_count(word: str) -> int:
    """Vowels (y included) in a lowercase, accent-free word."""
    return sum(1 for c in word if c in _VOWELS)
