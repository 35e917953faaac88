"""The automated content checks: pure functions of a submission's title and text.

Each check has the signature `(*, title, text, language) -> list[Finding]` and returns at most
one finding, for the rule of the code of conduct it enforces (moderation/rules.py). A score of
1.0 is a clear breach, which the pipeline rejects (threshold 0.8, a setting); 0.6 marks an
ambiguous one, which it sends to a moderator. No check looks at the rating: a 1-star and a
5-star review are checked alike (NF-MOD-3), and a harsh opinion is not a breach (FTC-8).

Everything a check needs (word lists, patterns, the language model) is loaded once per process,
so a check costs a few regular-expression passes over the text.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from accounts.services import SUPPORTED_REVIEW_LANGUAGES
from moderation.checks.base import Finding
from moderation.checks.text import (
    Normalised,
    normal_forms,
    normalise_for_matching,
    strip_accents,
    vowel_count,
    words,
)

CLEAR = 1.0  # a clear breach: rejected
AMBIGUOUS = 0.6  # a moderator reads it

ContentCheck = Callable[..., list[Finding]]


@dataclass(frozen=True)
class _Hit:
    """One thing found in one field: what kind, where in the original field, how sure."""

    field: str  # "title" or "text"
    kind: str
    start: int
    end: int
    score: float
    shown: str = ""  # what a moderator may see of it; empty for personal data
    reported: bool = False  # quoted or reported speech ("m'a traité de ...")


def _fields(title: str, text: str) -> Iterator[tuple[str, str]]:
    yield "title", title or ""
    yield "text", text or ""


def _where(hits: list[_Hit]) -> str:
    fields = [name for name in ("title", "text") if any(hit.field == name for hit in hits)]
    return " and the ".join(fields)


def _spans(hits: list[_Hit]) -> list[dict[str, Any]]:
    """Where each hit lies in its field, for a moderator's highlighting: never the text itself."""
    return [
        {"field": hit.field, "kind": hit.kind, "start": hit.start, "end": hit.end} for hit in hits
    ]


# --- word lists: insults, hate speech, threats ------------------------------------------------

WORDLIST_DIR = Path(__file__).parent / "wordlists"
_LIST_LANGUAGES = ("fr", "en")
_SLOT = re.compile(r"\(([^()]*)\)|[^\s()]+")
_ENTRY_SCORE = re.compile(r"\|\s*([01](?:\.\d+)?)$")  # "abruti | 0.6"; "|" inside "( )" is not it
_WORD_IN_NORMAL_FORM = re.compile(r"[a-z0-9]+")

_Slot = tuple[tuple[str, ...], bool]  # the normalised options for one slot; is it optional?


@dataclass(frozen=True)
class _Entry:
    source: str  # "insults_fr.txt:14", for a moderator who wonders why it matched
    score: float
    pattern: re.Pattern[str]  # matched at the start of a word; ends at the end of a word


@dataclass(frozen=True)
class _Lexicon:
    """One category's word lists (French and English), indexed by the words an entry may start
    with: each word of a text tries only the few entries that can start there, instead of one
    alternation of hundreds of entries at every position."""

    by_first_word: dict[str, tuple[_Entry, ...]]


def _parse_line(line: str) -> tuple[str, float]:
    """("connard", 1.0) from "connard", ("abruti", 0.6) from "abruti | 0.6", ("", 1.0) for none."""
    body = line.split("#", 1)[0].strip()
    scored = _ENTRY_SCORE.search(body)
    if scored is None:
        return body, CLEAR
    return body[: scored.start()].strip(), float(scored.group(1))


def _normalise_term(term: str) -> str:
    normal = normalise_for_matching(term)
    if not normal or "," in normal:
        raise ValueError(f"word list entry {term!r} normalises to {normal!r}")
    return normal


def _parse_entry(entry: str) -> list[_Slot]:
    """Literal words and "(a|b|)" slots, space-separated, each option normalised."""
    slots: list[_Slot] = []
    for slot in _SLOT.finditer(entry):
        if slot.group(1) is None:
            slots.append(((_normalise_term(slot.group()),), False))
            continue
        options = slot.group(1).split("|")
        normals = {_normalise_term(option) for option in options if option.strip()}
        # Longest first, so that a match covers "ferme ta gueule" rather than "ferme ta".
        slots.append((tuple(sorted(normals, key=len, reverse=True)), len(normals) < len(options)))
    return slots


def _entry_pattern(slots: list[_Slot]) -> re.Pattern[str]:
    pattern = ""
    for options, optional in slots:
        alternation = "(?:" + "|".join(re.escape(option) for option in options) + ")"
        if not optional:
            pattern += (" " if pattern else "") + alternation
        elif pattern:
            pattern += f"(?: {alternation})?"
        else:
            pattern += f"(?:{alternation} )?"
    return re.compile(pattern + "(?![a-z0-9])")


def _first_words(slots: list[_Slot]) -> set[str]:
    words: set[str] = set()
    for options, optional in slots:
        words.update(option.split(" ")[0] for option in options)
        if not optional:
            return words
    raise ValueError("a word list entry needs at least one slot that is not optional")


def _load_lexicon(category: str) -> _Lexicon:
    index: dict[str, list[_Entry]] = {}
    for language in _LIST_LANGUAGES:
        path = WORDLIST_DIR / f"{category}_{language}.txt"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text, score = _parse_line(line)
            if not text:
                continue
            slots = _parse_entry(text)
            entry = _Entry(f"{path.name}:{number}", score, _entry_pattern(slots))
            for word in _first_words(slots):
                index.setdefault(word, []).append(entry)
    return _Lexicon({word: tuple(entries) for word, entries in index.items()})


_INSULTS = _load_lexicon("insults")
_HATE_SPEECH = _load_lexicon("hate_speech")
_THREATS = _load_lexicon("threats")


# A review may report what the author was called or told ("le vendeur m'a traité de « sale
# arabe »", 'he said "I will kill you"'): silencing it would silence the victim. A term in
# quotation marks or shortly after such a verb is left to a moderator.
_REPORTING_VERB = re.compile(
    r"\b(?:(?:trait|insult|qualifi|appel|menac)[a-z]*|dit|dire|disait|disant|crie|hurle|lance"
    r"|repondu|ecrit|entendu|entendre|sorti|mot|mots|propos|called|calling|call|said|says|told"
    r"|shouted|yelled|wrote|heard|threatened|word|words)(?:,? [a-z0-9]+){0,3},? ?$"
)
_REPORTING_WINDOW = 60  # characters of normalised text looked at before a term
_QUOTES = frozenset('«"“„‹')  # not the apostrophe: "l'enculé" is no quotation


def _is_reported(normal: Normalised, match: re.Match[str], original: str, start: int) -> bool:
    before = normal.text[max(0, match.start() - _REPORTING_WINDOW) : match.start()]
    quoted = original[:start].rstrip()[-1:] in _QUOTES
    return quoted or _REPORTING_VERB.search(before) is not None


def _entry_matches(lexicon: _Lexicon, normal: Normalised) -> Iterator[tuple[_Entry, re.Match[str]]]:
    for word in _WORD_IN_NORMAL_FORM.finditer(normal.text):
        for entry in lexicon.by_first_word.get(word.group(), ()):
            if match := entry.pattern.match(normal.text, word.start()):
                yield entry, match


def _lexicon_hits(lexicon: _Lexicon, title: str, text: str) -> list[_Hit]:
    found: list[_Hit] = []
    for field, value in _fields(title, text):
        for normal in normal_forms(value):
            for entry, match in _entry_matches(lexicon, normal):
                start, end = normal.original_span(match.start(), match.end())
                reported = _is_reported(normal, match, value, start)
                score = min(entry.score, AMBIGUOUS) if reported else entry.score
                found.append(_Hit(field, entry.source, start, end, score, match.group(), reported))
    # Where matches overlap ("nique ta mère" and "nique", "fucking idiot" and "idiot"), keep the
    # clearest, then the longest.
    kept = _without_overlaps(sorted(found, key=lambda hit: (-hit.score, hit.start - hit.end)))
    return sorted(kept, key=lambda hit: (hit.field != "title", hit.start))


def _lexicon_check(
    lexicon: _Lexicon, rule_code: str, label: str, title: str, text: str
) -> list[Finding]:
    hits = _lexicon_hits(lexicon, title, text)
    if not hits:
        return []
    counts = Counter(hit.shown for hit in hits)
    terms = ", ".join(f'"{term}"' for term in counts)
    matches = "1 match" if len(hits) == 1 else f"{len(hits)} matches"
    evidence = f"{label} in the {_where(hits)} ({matches}): {terms}."
    if all(hit.reported for hit in hits):
        evidence += ' Quoted or reported ("m\'a traité de", "called me"): a moderator decides.'
    data = {
        "terms": dict(counts),
        "reported": sum(hit.reported for hit in hits),
        "spans": _spans(hits),
    }
    return [Finding(rule_code, rule_code, max(hit.score for hit in hits), evidence, data)]


def check_insults(*, title: str, text: str, language: str) -> list[Finding]:
    """Insults and strong profanity, French and English (rule "insult").

    Both languages' lists apply whatever `language` says: the declaration can be wrong, and
    people insult in either language.
    """
    return _lexicon_check(_INSULTS, "insult", "Insult or profanity", title, text)


def check_hate_speech(*, title: str, text: str, language: str) -> list[Finding]:
    """Slurs and hateful phrases against protected groups (rule "hate_speech")."""
    return _lexicon_check(_HATE_SPEECH, "hate_speech", "Hate speech or slur", title, text)


def check_threats(*, title: str, text: str, language: str) -> list[Finding]:
    """Threats of violence and wishes of death (rule "threat")."""
    return _lexicon_check(_THREATS, "threat", "Threat or call to violence", title, text)


# --- personal data -----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?![\w-])", re.IGNORECASE
)
# "jean [at] gmail [dot] com", "jean(arobase)gmail.com": written so to dodge a filter.
_OBFUSCATED_EMAIL = re.compile(
    r"[\w.+-]+\s*[\[(]\s*(?:at|arobase|@)\s*[\])]\s*[\w-]+"
    r"(?:\s*(?:\.|[\[(]\s*(?:dot|point)\s*[\])])\s*[\w-]+)+",
    re.IGNORECASE,
)
_PHONE_REGIONS = ("FR", "GB", "US")  # France first: most of our reviewers write from there
_MIN_PHONE_DIGITS = 8
# Two letters, two check digits, then 11 to 30 letters or digits, maybe in groups of four.
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]){11,30}\b")
_IBAN_LENGTHS = range(15, 35)
_STREET_NUMBER = r"(?<![\w,.])\d{1,4}(?:\s?(?:bis|ter|quater|[a-dA-D]))?,?\s+"
_FRENCH_ARTICLE = r"(?:(?:de\s+la|de\s+l'|de\s+l’|des|du|de|d'|d’|la|le|les|l'|l’)\s*)?"
# "à 2 rue d'ici", "2 rue plus loin": words that follow "rue" without naming a street.
_NOT_A_STREET_NAME = (
    r"(?!(?:d['’]\s*)?(?:ici|là|la|plus|loin|après|apres|avant|coin|en|et|ou|pour|par)\b)"
)
# Words that only name streets: the street's name may be typed in lowercase.
_FRENCH_STREET_TYPES = r"rue|avenue|boulevard|bd|bld|blvd|impasse|quai|faubourg|fbg|allée|allee"
# Words that also mean something else ("1 place de libre", "2 cours de cuisine"): only with a
# capitalised name after them ("5 place de la Comédie").
_FRENCH_PLACE_TYPES = (
    r"place|pl|cours|route|rte|chemin|av|passage|voie|square|promenade|villa|cité|cite|mail"
    r"|parvis|esplanade|sentier|résidence|residence|hameau|rond-point"
)
_FRENCH_ADDRESS = re.compile(
    _STREET_NUMBER
    + r"(?:"
    + rf"(?i:{_FRENCH_STREET_TYPES})\.?\s+{_FRENCH_ARTICLE}{_NOT_A_STREET_NAME}"
    + r"[^\W\d_][\w'’-]{2,}"
    + r"|"
    + rf"(?i:{_FRENCH_PLACE_TYPES})\.?\s+{_FRENCH_ARTICLE}[A-ZÀ-Ý][\w'’-]{{2,}}"
    + r")"
)
_ENGLISH_ADDRESS = re.compile(
    r"(?<![\w,.])(?<![Tt]op )\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'’-]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Close|Court|Ct|Crescent"
    r"|Place|Pl|Way|Terrace|Square|Sq|Gardens|Grove|Row|Mews|Parkway|Highway|Hwy)\b"
)
# What a moderator reads instead of the data itself; the score says how sure the check is.
_PERSONAL_DATA_KINDS = {
    "email": ("an email address", "email addresses", CLEAR),
    "phone": ("a phone number", "phone numbers", CLEAR),
    "iban": ("an IBAN", "IBANs", CLEAR),
    # A street address is often the shop's own ("la boulangerie du 5 rue Voltaire"):
    # a moderator tells it from a person's.
    "address": ("a street address", "street addresses", AMBIGUOUS),
}


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_EMAIL, _OBFUSCATED_EMAIL):
        for match in pattern.finditer(text):
            yield match.span()


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    if sum(char.isdigit() for char in text) < _MIN_PHONE_DIGITS:
        return  # cheap way out: PhoneNumberMatcher is the slowest part of the checks
    for region in _PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.STRICT_GROUPING
        ):
            raw = match.raw_string
            # Ten bare digits not starting with 0 are an order number far more often than a
            # phone number written without its national or international prefix.
            if raw.isdigit() and not raw.startswith("0"):
                continue
            yield match.start, match.end


def is_valid_iban(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97."""
    compact = re.sub(r"[ -]", "", candidate).upper()
    if len(compact) not in _IBAN_LENGTHS or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _iban_spans(text: str) -> Iterator[tuple[int, int]]:
    upper = text.upper()  # IBANs are sometimes typed in lowercase
    for match in _IBAN_CANDIDATE.finditer(upper):
        # The candidate may have swallowed a following word ("... 189 MERCI"): drop groups
        # from the end until the checksum holds.
        groups = list(re.finditer(r"[A-Z0-9]+", match.group()))
        for last in range(len(groups), 0, -1):
            end = match.start() + groups[last - 1].end()
            if is_valid_iban(upper[match.start() : end]):
                yield match.start(), end
                break


def _address_spans(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_FRENCH_ADDRESS, _ENGLISH_ADDRESS):
        for match in pattern.finditer(text):
            yield match.span()


_PERSONAL_DATA_FINDERS: dict[str, Callable[[str], Iterator[tuple[int, int]]]] = {
    "email": _email_spans,
    "iban": _iban_spans,  # before phones: an IBAN's digits can look like a phone number
    "phone": _phone_spans,
    "address": _address_spans,
}


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    kept: list[_Hit] = []
    for hit in hits:
        if not any(
            hit.field == other.field and hit.start < other.end and other.start < hit.end
            for other in kept
        ):
            kept.append(hit)
    return kept


def _describe(counts: Counter[str], kinds: dict[str, tuple[str, str, float]]) -> str:
    parts = []
    for kind, (one, many, _) in kinds.items():
        if counts[kind] == 1:
            parts.append(one)
        elif counts[kind] > 1:
            parts.append(f"{counts[kind]} {many}")
    return ", ".join(parts)


def check_personal_data(*, title: str, text: str, language: str) -> list[Finding]:
    """Email addresses, phone numbers, IBANs and street addresses (rule "personal_data").

    The evidence names what was found, never the data itself.
    """
    hits = _without_overlaps(
        [
            _Hit(field, kind, start, end, _PERSONAL_DATA_KINDS[kind][2])
            for field, value in _fields(title, text)
            for kind, finder in _PERSONAL_DATA_FINDERS.items()
            for start, end in finder(value)
        ]
    )
    if not hits:
        return []
    counts = Counter(hit.kind for hit in hits)
    evidence = f"Personal data in the {_where(hits)}: {_describe(counts, _PERSONAL_DATA_KINDS)}."
    data = {"counts": dict(counts), "spans": _spans(hits)}
    score = max(hit.score for hit in hits)
    return [Finding("personal_data", "personal_data", score, evidence, data)]


# --- links and advertising ---------------------------------------------------------------------

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\d?\.[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Top-level domains people type in reviews. Left out: those that are also common words after a
# missing space ("great.it was", "call.me", "for.us").
_TLDS = (
    r"fr|com|net|org|eu|io|uk|de|be|ch|lu|es|nl|ca|shop|store|info|biz|online|site|app|tv|ly"
    r"|gg|xyz|club|pro|re|bzh|paris|corsica|alsace"
)
# A bare domain: "amazon.fr", "Shop.com". The top-level domain in lowercase, so that a full stop
# followed by a capital ("Super.Re...") is a typo, not a domain. A path makes it a clear link.
_BARE_DOMAIN = re.compile(
    rf"(?<![\w@.-])(?:[\w-]+\.)*[\w-]*[^\W\d_][\w-]*\.(?:{_TLDS})(?![\w-])(?P<path>/[^\s]+)?"
)
_CODE_INTRODUCER = re.compile(
    r"(?i:"
    r"\b(?:code|coupon|voucher)\s*(?:promo(?:tionnel)?|de\s+r[ée]duc(?:tion)?|r[ée]duc|de\s+"
    r"parrainage|parrainage|de\s+remise|remise|cadeau|discount|referral|promotional)"
    r"|\b(?:promo|discount|coupon|referral|voucher|promotional)\s+code"
    r"|\b(?:use|enter|apply|with|using|avec|utilise[zr]?|entre[zr]?|saisi(?:ssez|r)?|tape[zr]?)"
    r"\s+(?:the\s+|my\s+|le\s+|mon\s+|ce\s+|this\s+|our\s+|notre\s+)?code"
    r")"
    r"\s*[:=]?\s*[\"'«“]?\s*(?P<code>[\w-]{3,20})"
)
# "-20% avec le code", "10% off with code": an offer even when the code itself is left out.
_DISCOUNT_WITH_CODE = re.compile(
    r"\d{1,2}\s?%\s*(?:de\s+r[ée]duction\s+|de\s+remise\s+|off\s+)?"
    r"(?:avec|with|using|gr[âa]ce\s+au)\s+(?:le\s+|mon\s+|my\s+|the\s+|this\s+|ce\s+)?code\b",
    re.IGNORECASE,
)
_MESSAGING_APPS = (
    r"whats\s?app|telegram|snap(?:chat)?|insta(?:gram)?|signal|facebook|messenger|tiktok"
    r"|discord|viber|wechat|kik"
)
# Asking readers to get in touch with the author: the way spam moves a deal off the platform.
# "Contactez-nous" is left out: it is what a brand's reply says to an unhappy customer.
_CONTACT_ME = re.compile(
    r"\b(?:"
    r"contacte[zr]?[\s-]+moi|ecri(?:ve)?[sz][\s-]+moi|envoie[sz]?[\s-]+moi|ajoute[sz]?[\s-]+moi"
    r"|appele[zr][\s-]+moi|appelle[\s-]+moi|texte[sz]?[\s-]+moi|(?:en|par)\s+mp|mp[\s-]+moi"
    r"|(?:contact|dm|pm|message|text|e-?mail|call|add|ping|whatsapp)\s+me|hit\s+me\s+up"
    r"|reach\s+(?:out\s+to\s+)?me"
    r")\b"
    rf"(?P<app>[^.!?\n]{{0,30}}?\b(?:{_MESSAGING_APPS})\b)?",
    re.IGNORECASE,
)
_ADVERTISING_KINDS = {
    "link": ("a link", "links", CLEAR),
    "promo_code": ("a promo code", "promo codes", CLEAR),
    "contact_app": (
        "a request to be contacted on a messaging app",
        "requests to be contacted on a messaging app",
        CLEAR,
    ),
    # A domain named in passing ("commandé sur amazon.fr") may just say where one bought.
    "domain": ("a domain name", "domain names", AMBIGUOUS),
    # "Contactez-moi pour régler ce litige" may be addressed to the brand.
    "contact": ("a request to be contacted", "requests to be contacted", AMBIGUOUS),
}


def _looks_like_a_code(token: str) -> bool:
    """Codes look like "SAVE20", "NOEL", "BIENVENUE10"; words like "ne", "pour", "at" do not."""
    has_digit = any(char.isdigit() for char in token)
    has_letter = any(char.isalpha() for char in token)
    return (has_digit and has_letter) or (token.isupper() and len(token) >= 4)


def _advertising_spans(text: str) -> Iterator[tuple[str, int, int]]:
    for match in _URL.finditer(text):
        yield "link", *match.span()
    for match in _BARE_DOMAIN.finditer(text):
        yield ("link" if match.group("path") else "domain"), *match.span()
    for match in _CODE_INTRODUCER.finditer(text):
        if _looks_like_a_code(match.group("code")):
            yield "promo_code", *match.span()
    for match in _DISCOUNT_WITH_CODE.finditer(text):
        yield "promo_code", *match.span()
    for match in _CONTACT_ME.finditer(strip_accents(text)):
        yield ("contact_app" if match.group("app") else "contact"), *match.span()


def check_links_and_advertising(*, title: str, text: str, language: str) -> list[Finding]:
    """Links, domain names, promo codes and requests to be contacted (rule "advertising")."""
    found = [
        _Hit(field, kind, start, end, _ADVERTISING_KINDS[kind][2])
        for field, value in _fields(title, text)
        for kind, start, end in _advertising_spans(value)
    ]
    # Where a clear sign and a weak one overlap ("www.shop.com" is a link and a domain), the
    # clear one counts.
    hits = _without_overlaps(sorted(found, key=lambda hit: -hit.score))
    if not hits:
        return []
    counts = Counter(hit.kind for hit in hits)
    evidence = f"Advertising in the {_where(hits)}: {_describe(counts, _ADVERTISING_KINDS)}."
    data = {"counts": dict(counts), "spans": _spans(hits)}
    score = max(hit.score for hit in hits)
    return [Finding("advertising", "advertising", score, evidence, data)]


# --- unintelligible text -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Sign:
    score: float
    reason: str


_KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_MASHING_RUN = 5  # no French or English word holds five keys of a row in order ("erty": 4)
_KEYBOARD_RUNS = frozenset(
    row[i : i + _MASHING_RUN]
    for keys in _KEYBOARD_ROWS
    for row in (keys, keys[::-1])
    for i in range(len(row) - _MASHING_RUN + 1)
)
_LONGEST_WORD = 30  # "anticonstitutionnellement" has 25 letters
_REPEATS = re.compile(r"(.)\1{2,}")
_MIN_VISIBLE = 10  # below this, a text is too short to judge ("RAS", "Top !", "10/10")
_MIN_WORDS_AROUND_NUMBERS = 5


@dataclass(frozen=True)
class _Shape:
    """Counts the unintelligible signs look at, computed once per text."""

    visible: str  # the text without white space
    letters: int
    capitals: int
    words: list[str]  # lowercase, accent-free words


def _shape(text: str) -> _Shape:
    visible = "".join(text.split())
    return _Shape(
        visible=visible,
        letters=sum(map(str.isalpha, visible)),
        capitals=sum(map(str.isupper, visible)),
        words=words(text),
    )


def _is_gibberish(word: str) -> bool:
    """A word without vowels ("sdfgh"), keyboard mashing ("qsdfgh") or far too long."""
    word = _REPEATS.sub(r"\1", word)  # "grrrr", "pfffff" are sounds, not gibberish
    if len(word) >= 5 and vowel_count(word) == 0:
        return True
    if len(word) >= _LONGEST_WORD:
        return True
    return any(word[i : i + _MASHING_RUN] in _KEYBOARD_RUNS for i in range(len(word) - 4))


def _gibberish_sign(shape: _Shape) -> _Sign | None:
    letters = sum(map(len, shape.words))
    if letters < 5:
        return None
    share = sum(len(word) for word in shape.words if _is_gibberish(word)) / letters
    mashing = f"keyboard mashing or words without vowels ({share:.0%} of the letters)"
    if share >= 0.5:
        return _Sign(CLEAR, mashing)
    vowel_ratio = sum(map(vowel_count, shape.words)) / letters
    # French and English text runs at 35-45 % vowels; abbreviations ("RAS", "SAV") lower it in
    # short texts, hence the minimum lengths.
    if letters >= 12 and vowel_ratio < 0.15:
        return _Sign(CLEAR, f"almost no vowels ({vowel_ratio:.0%} of the letters)")
    if share >= 0.25:
        return _Sign(AMBIGUOUS, mashing)
    if letters >= 20 and vowel_ratio < 0.22:
        return _Sign(AMBIGUOUS, f"few vowels ({vowel_ratio:.0%} of the letters)")
    return None


def _symbols_sign(shape: _Shape) -> _Sign | None:
    # A review of a few sentences stays readable around dates, prices and order numbers.
    if len(shape.visible) < _MIN_VISIBLE or len(shape.words) >= _MIN_WORDS_AROUND_NUMBERS:
        return None
    ratio = shape.letters / len(shape.visible)
    if ratio < 0.25:
        return _Sign(CLEAR, f"mostly symbols or digits ({ratio:.0%} letters)")
    if ratio < 0.4:
        return _Sign(AMBIGUOUS, f"mostly symbols or digits ({ratio:.0%} letters)")
    return None


def _one_character_sign(shape: _Shape) -> _Sign | None:
    if len(shape.visible) >= 8 and len(set(shape.visible.casefold())) <= 2:
        return _Sign(CLEAR, "one or two characters repeated")
    return None


def _capitals_sign(shape: _Shape) -> _Sign | None:
    if shape.letters < 40:  # a short title or "TOP !" in capitals is emphasis
        return None
    ratio = shape.capitals / shape.letters
    if ratio >= 0.95:
        return _Sign(CLEAR, f"written in capitals ({ratio:.0%} of the letters)")
    if ratio >= 0.8:
        return _Sign(AMBIGUOUS, f"written in capitals ({ratio:.0%} of the letters)")
    return None


def _repetition_sign(shape: _Shape) -> _Sign | None:
    total, distinct = len(shape.words), len(set(shape.words))
    if total >= 8 and distinct <= 0.25 * total:
        return _Sign(CLEAR, f"few distinct words repeated ({distinct} in {total})")
    return None


_UNINTELLIGIBLE_SIGNS = (
    _gibberish_sign,
    _symbols_sign,
    _one_character_sign,
    _capitals_sign,
    _repetition_sign,
)


def check_unintelligible(*, title: str, text: str, language: str) -> list[Finding]:
    """Keyboard mashing, symbols, one character or a few words repeated, all capitals.

    Title and text are judged together: a short review ("Parfait.", "RAS") is not unintelligible.
    """
    shape = _shape(f"{title or ''}\n{text or ''}")
    signs = [sign for detect in _UNINTELLIGIBLE_SIGNS if (sign := detect(shape))]
    if not signs:
        return []
    evidence = "Unintelligible text: " + "; ".join(sign.reason for sign in signs) + "."
    data = {"signs": [sign.reason for sign in signs]}
    score = max(sign.score for sign in signs)
    return [Finding("unintelligible", "unintelligible", score, evidence, data)]


# --- language ----------------------------------------------------------------------------------

_MIN_LETTERS_FOR_LANGUAGE = 25  # shorter texts are too often misread ("Top service, merci !")
_MIN_LANGUAGE_CONFIDENCE = 0.5  # below, "not French or English" is a guess; 0.5-0.8 → human
_NO_LANGUAGE = frozenset({"zxx", "und"})  # no linguistic content: the unintelligible check's job


@cache
def _language_identifier() -> LanguageIdentifier:
    """Loaded on first use (about a second), then kept: importing this module stays cheap."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the text's most likely language and its probability (0 to 1).

    Deterministic. Short texts get low probabilities: callers that prefill a review's language
    should keep their default below about 0.5.
    """
    language, probability = _language_identifier().classify(text)
    return str(language), round(float(probability), 3)


def check_language(*, title: str, text: str, language: str) -> list[Finding]:
    """A review written in a language other than French or English (rule "unsupported_language").

    Fires only on texts long enough to be sure, and the score is the detector's confidence.
    """
    combined = f"{title or ''}\n{text or ''}".strip()
    if sum(char.isalpha() for char in combined) < _MIN_LETTERS_FOR_LANGUAGE:
        return []
    detected, confidence = detect_language(combined)
    if (
        detected in SUPPORTED_REVIEW_LANGUAGES
        or detected in _NO_LANGUAGE
        or confidence < _MIN_LANGUAGE_CONFIDENCE
    ):
        return []
    evidence = (
        f'Written in a language other than French or English: "{detected}" '
        f"(confidence {confidence:.2f})."
    )
    data = {"detected": detected, "confidence": confidence, "declared": language}
    return [Finding("language", "unsupported_language", confidence, evidence, data)]


# --- brand replies: pressure on the reviewer, the customer's identity -------------------------
# Both checks run on every submission, as all checks do, and their rules apply to replies only
# (moderation/rules.py, `kinds`): the pipeline keeps their findings for replies alone. Neither
# rule is automatic: a moderator reads every reply they flag.

_REVIEW_WORDS = r"(?:avis|commentaires?|notes?|notation|evaluation|critique|message|publication"
_REVIEW_WORDS += r"|etoiles?|review|reviews|rating|comment|post|feedback|stars?|score)"
_DETERMINER = r"(?:votre|vos|ton|tes|cet|ce|cette|l|le|la|les|your|this|the|that)"
# Matched on the normal form of the text (lowercase ASCII words, see checks/text.py), so that
# "Merci de RETIRER votre avis" and "retirer l'avis" read alike.
_PRESSURE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "retirer votre avis", "modifier votre note", "remove your review", "update this rating"
    (
        "request",
        re.compile(
            r"\b(?:retir|supprim|effac|enlev|modifi|chang|revoir|revis|reconsider|corrig|remont"
            r"|amelior|rehauss|remove|removing|delete|deleting|withdraw|withdrawing|edit"
            r"|editing|change|changing|update|updating|amend|amending|revise|revising"
            r"|modify|modifying|raise|raising|increase|increasing|upgrade|upgrading)"
            rf"[a-z]*(?: [a-z]+)? {_DETERMINER} {_REVIEW_WORDS}\b"
        ),
    ),
    (
        "request",
        re.compile(
            rf"\b(?:mettre|mettiez|mettez) a jour {_DETERMINER} {_REVIEW_WORDS}\b"
            rf"|\btak(?:e|ing) {_DETERMINER} {_REVIEW_WORDS} (?:down|off)\b"
        ),
    ),
    # Something offered, or promised, for the change: "si vous modifiez", "once you remove"
    (
        "offer",
        re.compile(
            r"\b(?:si|des que|une fois que|lorsque|quand|a condition que|pour peu que) (?:vous|tu)"
            r" (?:retir|supprim|modifi|chang|effac|enlev|revoy|remont|corrig|mett)[a-z]*"
            r"|\b(?:en echange|en contrepartie)(?: [a-z]+){0,3}"
            r" (?:retrait|suppression|modification|changement)\b"
            r"|\b(?:in exchange for|in return for|once you|if you|as soon as you|after you)"
            r" (?:remove|delete|withdraw|take down|edit|change|update|amend|revise|modify"
            r"|raise|increase|upgrade)[a-z]*"
            r"|\bin (?:exchange|return) for (?:a |an |your )?(?:removing|deleting|withdrawing"
            r"|changing|updating|editing|better|higher|positive|new)\b"
        ),
    ),
    # Legal threats and public accusations (FTC-7)
    (
        "legal_threat",
        re.compile(
            r"\b(?:poursuites?(?: judiciaires?)?|porter plainte|portons plainte|deposer plainte"
            r"|deposer une plainte|deposerons plainte|plainte contre|action en justice"
            r"|actions en justice|en justice|mise en demeure|notre avocat|nos avocats"
            r"|service juridique|service contentieux|devant les tribunaux|au tribunal"
            r"|diffamation|diffamatoires?|denigrement|legal action|legal proceedings|legal steps"
            r"|sue you|lawsuit|our lawyers?|our attorneys?|our solicitors?|legal team"
            r"|legal department|cease and desist|take you to court|defamation|defamatory|libel"
            r"|libellous|slander|slanderous)\b"
        ),
    ),
)
_PRESSURE_KINDS = {
    "request": ("a request to remove or change the review", "requests to remove or change it"),
    "offer": ("something offered or promised for the change", "offers for the change"),
    "legal_threat": ("a legal threat or accusation", "legal threats or accusations"),
}
_PRESSURE_SCORES = {"request": 0.8, "offer": 0.9, "legal_threat": 0.8}


def check_pressure_to_withdraw(*, title: str, text: str, language: str) -> list[Finding]:
    """A reply that asks the reviewer to remove or change their review, offers something for
    it, or threatens them (rule "pressure_to_withdraw", FTC-7): French and English. Sent to a
    moderator; the evidence quotes the words found (they are the brand's, never personal)."""
    found: list[_Hit] = []
    for field, value in _fields(title, text):
        if not value:
            continue
        normal = normal_forms(value)[0]
        for kind, pattern in _PRESSURE_PATTERNS:
            for match in pattern.finditer(normal.text):
                start, end = normal.original_span(match.start(), match.end())
                found.append(_Hit(field, kind, start, end, _PRESSURE_SCORES[kind], match.group()))
    kept = _without_overlaps(sorted(found, key=lambda hit: (-hit.score, hit.start - hit.end)))
    hits = sorted(kept, key=lambda hit: (hit.field != "title", hit.start))
    if not hits:
        return []
    counts = Counter(hit.kind for hit in hits)
    terms = ", ".join(f'"{hit.shown}"' for hit in hits)
    kinds = {kind: (one, many, 0.0) for kind, (one, many) in _PRESSURE_KINDS.items()}
    evidence = (
        f"Pressure on the reviewer in the {_where(hits)}: {_describe(counts, kinds)} ({terms})."
    )
    data = {"counts": dict(counts), "terms": [hit.shown for hit in hits], "spans": _spans(hits)}
    score = max(hit.score for hit in hits)
    return [Finding("pressure_to_withdraw", "pressure_to_withdraw", score, evidence, data)]


# "Madame Martin", "M. Dupont", "Mr Smith": a civility title and a capitalised name; "Madame,
# Monsieur" and "Dear customer" are not names.
_CIVILITY_AND_NAME = re.compile(
    r"(?<![\w.])(?:M\.|Mr\.?|Mrs\.?|Ms\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle|Miss)"
    r"[ \t]+(?!(?:Client|Cliente|Customer|Sir|Madam|Madame|Monsieur)\b)[A-ZÀ-Ý][a-zà-ÿ'’-]+"
)
# "commande n°45821", "order #A1234", "dossier 2026-0042": a reference with a digit.
_CUSTOMER_REFERENCE = re.compile(
    r"(?i:\b(?:commande|order|facture|invoice|dossier|contrat|contract|ticket|client|customer"
    r"|account|compte|r[ée]servation|booking)\b[ \t]*(?:n[ \t]?[°o]\.?|no\.?|#|num[ée]ro|number"
    r"|nr\.?|r[ée]f(?:[ée]rence)?\.?)?[ \t]*:?[ \t]*)(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b"
)
_IDENTITY_KINDS = {
    "name": ("a name after a civility title", "names after a civility title", AMBIGUOUS),
    "reference": ("an order or customer number", "order or customer numbers", AMBIGUOUS),
}


def check_customer_identity(*, title: str, text: str, language: str) -> list[Finding]:
    """A reply that may reveal who wrote the review: a name after a civility title, an order,
    customer or case number (rule "customer_identity"). The evidence never quotes them."""
    hits = _without_overlaps(
        [
            _Hit(field, kind, match.start(), match.end(), AMBIGUOUS)
            for field, value in _fields(title, text)
            for kind, pattern in (("name", _CIVILITY_AND_NAME), ("reference", _CUSTOMER_REFERENCE))
            for match in pattern.finditer(value)
        ]
    )
    if not hits:
        return []
    counts = Counter(hit.kind for hit in hits)
    evidence = (
        f"Possible identification of the reviewer in the {_where(hits)}: "
        f"{_describe(counts, _IDENTITY_KINDS)}."
    )
    data = {"counts": dict(counts), "spans": _spans(hits)}
    return [Finding("customer_identity", "customer_identity", AMBIGUOUS, evidence, data)]


CONTENT_CHECKS: tuple[ContentCheck, ...] = (
    check_insults,
    check_hate_speech,
    check_threats,
    check_personal_data,
    check_links_and_advertising,
    check_unintelligible,
    check_language,
    check_pressure_to_withdraw,
    check_customer_identity,
)
