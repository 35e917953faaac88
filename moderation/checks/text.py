"""Text helpers shared by the content checks: a normal form for word-list matching, and tokens.

Word lists are matched against a normalised form of the text, so that one entry catches the
spellings people use to slip past a filter: capitals, accents, look-alike letters, leetspeak,
letters repeated for emphasis and letters spaced out ("c o n n a r d", "c.o.n.n.a.r.d").

The normal form keeps, for each of its characters, the index of the character of the original
text it comes from, so that a check can report where a match lies in what the author wrote.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

# Letters of other scripts that look like Latin ones and that NFKC leaves alone: "соnnаrd" typed
# with Cyrillic с, о and а must read as "connard".
_LOOK_ALIKES = str.maketrans("аеорсухіјѕοαιν", "aeopcyxijsoaiv")
# Latin letters that are not accented forms (so NFD does not split them) but read as plain ones.
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
# Leetspeak digits and signs, undone only inside a token that also has letters ("c0nn4rd",
# "$alope") so that prices, dates and order numbers stay digits.
_LEET = str.maketrans("013457@$", "oieastas")
_TOKEN_CHARS = "a-z0-9@$"
# Three or more single characters separated by a space, dot, dash, underscore or middle dot:
# "c o n n a r d", "c.o.n.n.a.r.d", "f-u-c-k". Three at least, so that French "y a", "l'a" and
# English "a b" stay apart. A lone letter next to a word ("à lui") is not part of a run.
_ONE_CHAR = rf"(?<![{_TOKEN_CHARS}])[{_TOKEN_CHARS}](?![{_TOKEN_CHARS}])"
_SPACED_LETTERS = re.compile(rf"{_ONE_CHAR}(?:[ .\-_·]{{1,2}}{_ONE_CHAR}){{2,}}")
_TOKEN_SET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$")
# A token with a letter and a leetspeak sign in it ("c0nn4rd", "$alope"), not "2024" or "49".
_LEET_TOKEN = re.compile(
    rf"(?<![{_TOKEN_CHARS}])(?=[{_TOKEN_CHARS}]*[a-z])(?=[{_TOKEN_CHARS}]*[0-9@$])[{_TOKEN_CHARS}]+"
)
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")
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
    "saloooope", 2 catches "connnnard" (a word list matcher tries both: see `normal_forms`).
    """
    return normalise_with_origins(text, max_repeat=max_repeat).text


def normalise_with_origins(text: str, *, max_repeat: int = 1) -> Normalised:
    """`normalise_for_matching`, keeping each character's index in `text`."""
    return _as_normalised(_collapse_repeats(_before_collapse(text), max_repeat))


@lru_cache(maxsize=256)
def normal_forms(text: str) -> tuple[Normalised, ...]:
    """The normal form with repeats cut to one, then, if it differs, the one with repeats cut to
    two. Cached: the word-list checks all look at the same review one after the other."""
    form = _before_collapse(text)
    if not _REPEATED_LETTER.search(form[0]):
        return (_as_normalised(form),)
    return (
        _as_normalised(_collapse_repeats(form, 1)),
        _as_normalised(_collapse_repeats(form, 2)),
    )


# A text being normalised, and for each of its characters the index of the original one.
_Form = tuple[str, Sequence[int]]


def _before_collapse(text: str) -> _Form:
    form = _fold(text)
    form = _rewrite(form, _SPACED_LETTERS, _join_letters)
    form = _rewrite(form, _LEET_TOKEN, _undo_leetspeak)
    return _rewrite(form, _SEPARATORS, _simplify_separator)


def _as_normalised(form: _Form) -> Normalised:
    return Normalised(form[0], tuple(form[1]))


def _fold(text: str) -> _Form:
    if text.isascii():  # most English reviews: NFKC and case-folding are just lower()
        return text.lower(), range(len(text))
    pieces = [_fold_char(char) for char in text]
    return "".join(pieces), [index for index, piece in enumerate(pieces) for _ in piece]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character in lowercase ASCII when it has a Latin reading: "É"→"e", "ﬁ"→"fi", "Ｃ"→"c"."""
    folded = unicodedata.normalize("NFKC", char).casefold().translate(_LOOK_ALIKES)
    without_marks = "".join(
        c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c)
    )
    return "".join(_LIGATURES.get(c, c) for c in without_marks)


def _rewrite(
    form: _Form,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str], Sequence[int]], _Form],
) -> _Form:
    """Replace each match of `pattern`, carrying the origins along. Unchanged when none."""
    text, origins = form
    texts: list[str] = []
    origin_runs: list[Sequence[int]] = []
    position = 0
    for match in pattern.finditer(text):
        new_text, new_origins = replace(match, origins)
        texts += (text[position : match.start()], new_text)
        origin_runs += (origins[position : match.start()], new_origins)
        position = match.end()
    if not texts:
        return form
    texts.append(text[position:])
    origin_runs.append(origins[position:])
    return "".join(texts), list(chain.from_iterable(origin_runs))


def _join_letters(match: re.Match[str], origins: Sequence[int]) -> _Form:
    """ "c o n" -> "con": keep the characters, drop the separators."""
    kept = [i for i in range(match.start(), match.end()) if match.string[i] in _TOKEN_SET]
    return "".join(match.string[i] for i in kept), [origins[i] for i in kept]


def _undo_leetspeak(match: re.Match[str], origins: Sequence[int]) -> _Form:
    return match.group().translate(_LEET), origins[match.start() : match.end()]


def _simplify_separator(match: re.Match[str], origins: Sequence[int]) -> _Form:
    """Any run of other characters becomes one space, or ", " if it holds a clause break."""
    if match.start() == 0 or match.end() == len(match.string):
        return "", []  # nothing before the first word or after the last
    separator = ", " if _CLAUSE_BREAK.search(match.group()) else " "
    return separator, [origins[match.start()]] * len(separator)


def _collapse_repeats(form: _Form, max_repeat: int) -> _Form:
    """A letter repeated three times or more is kept `max_repeat` times; pairs stay as typed."""

    def keep_some(match: re.Match[str], origins: Sequence[int]) -> _Form:
        return match.group()[:max_repeat], origins[match.start() : match.start() + max_repeat]

    return _rewrite(form, _REPEATED_LETTER, keep_some)


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
