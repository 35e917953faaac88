"""The code of conduct: the one registry of rules that moderation may cite.

The public code-of-conduct page, the API, the pipeline's checks and the moderators' decision form
all read `RULES`; a test proves that the set the pipeline and moderators can cite equals the set
published (NF-MOD-1, FR-15). A change of rules is a new `RULESET_VERSION` with a changelog
entry; every decision stores the version it applied.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Category(StrEnum):
    CONTENT = "content"
    AUTHENTICITY = "authenticity"
    RELEVANCE = "relevance"
    LEGAL = "legal"


class Action(StrEnum):
    REJECT = "reject"  # the content is refused (or removed once published)
    SEND_TO_HUMAN = "send_to_human"  # the pipeline asks a moderator; it never rejects alone
    LABEL = "label"  # published with a visible label (e.g. incentivised)


class DsaGround(StrEnum):
    ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
    INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"


@dataclass(frozen=True)
class Rule:
    code: str
    category: Category
    action: Action
    automatic: bool  # may the pipeline apply the action without a human?
    title_fr: str
    title_en: str
    explanation_fr: str
    explanation_en: str
    dsa_ground: DsaGround
    dsa_category: str
    dsa_keywords: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # the kinds of content it applies to; empty: every kind
    # For rules on illegal content: the provision of law the statement of reasons cites
    # (DSA art. 17(3)(d)).
    legal_ground: str = ""
    # Kinds it never applies to, whatever `kinds` says: a brand's reply is no consumer
    # experience, so the authenticity rules of reviews do not apply to it.
    excluded_kinds: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return (not self.kinds or kind in self.kinds) and kind not in self.excluded_kinds

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def explanation(self, language: str) -> str:
        return self.explanation_fr if language == "fr" else self.explanation_en


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    published_on: date
    changes_fr: str
    changes_en: str


RULESET_VERSION = "2026.3"
CHANGELOG = (
    ChangelogEntry(
        version="2026.3",
        published_on=date(2026, 11, 25),
        changes_fr="Photos et vidéos jointes aux réponses des marques : un modérateur les examine "
        "avant publication (« Photos et vidéos examinées par un modérateur ») et refuse celles "
        "qui ne conviennent pas (« Photo ou vidéo inappropriée »).",
        changes_en="Photos and videos attached to brand replies: a moderator looks at them before "
        'they are published ("Photos and videos checked by a moderator") and refuses those that '
        'are not suitable ("Unsuitable photo or video").',
    ),
    ChangelogEntry(
        version="2026.2",
        published_on=date(2026, 11, 25),
        changes_fr="Réponses des marques : elles suivent les règles de contenu des avis (insultes, "
        "données personnelles, liens et publicité...) et deux règles propres, « Pression sur "
        "l'auteur de l'avis » et « Identité du client » ; les règles d'authenticité des avis ne "
        "s'appliquent pas aux réponses.",
        changes_en="Brand replies: they follow the content rules of reviews (insults, personal "
        'data, links and advertising...) and two rules of their own, "Pressure on the reviewer" '
        'and "Customer\'s identity"; the authenticity rules of reviews do not apply to replies.',
    ),
    ChangelogEntry(
        version="2026.1",
        published_on=date(2026, 11, 25),
        changes_fr="Première version publiée de la charte de modération.",
        changes_en="First published version of the code of conduct.",
    ),
)

_TC = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
_SPEECH = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
_FRAUD = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
_NOT_REPLIES = ("reply",)

_RULE_LIST = (
    # CONTENT: clear breaches the pipeline rejects on its own
    Rule(
        "insult",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Insultes et grossièretés",
        "Insults and profanity",
        "Un avis peut être sévère, mais il ne doit contenir ni insulte, ni grossièreté, ni "
        "attaque personnelle contre quiconque (client, salarié, dirigeant).",
        "A review may be harsh, but it must not contain insults, profanity or personal attacks "
        "against anyone (customer, employee, manager).",
        DsaGround.INCOMPATIBLE,
        _SPEECH,
        ("KEYWORD_CYBER_HARASSMENT",),
    ),
    Rule(
        "hate_speech",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Propos haineux ou discriminatoires",
        "Hate speech and discrimination",
        "Aucun propos visant une personne ou un groupe pour son origine, sa religion, son sexe, "
        "son orientation sexuelle, son handicap ou toute autre caractéristique protégée.",
        "No content attacking a person or a group for their origin, religion, sex, sexual "
        "orientation, disability or any other protected characteristic.",
        DsaGround.INCOMPATIBLE,
        _SPEECH,
        ("KEYWORD_HATE_SPEECH", "KEYWORD_DISCRIMINATION"),
    ),
    Rule(
        "threat",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Menaces et violence",
        "Threats and violence",
        "Aucune menace, appel à la violence ou intimidation envers quiconque.",
        "No threats, calls to violence or intimidation against anyone.",
        DsaGround.INCOMPATIBLE,
        "STATEMENT_CATEGORY_VIOLENCE",
        ("KEYWORD_INCITEMENT_VIOLENCE_HATRED",),
    ),
    Rule(
        "personal_data",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Données personnelles",
        "Personal data",
        "Un avis ne doit révéler aucune donnée personnelle : adresse e-mail, numéro de "
        "téléphone, adresse postale, coordonnées bancaires, nom complet d'un salarié ou d'un "
        "client. Vous pouvez soumettre un nouvel avis sans ces informations.",
        "A review must not reveal personal data: email addresses, phone numbers, postal "
        "addresses, bank details, the full name of an employee or a customer. You may submit a "
        "new review without them.",
        DsaGround.INCOMPATIBLE,
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    ),
    Rule(
        "advertising",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Liens et publicité",
        "Links and advertising",
        "Pas de lien, de code promo, de publicité ni de sollicitation commerciale, pour la "
        "marque évaluée comme pour une autre.",
        "No links, promo codes, advertising or commercial solicitation, for the reviewed brand "
        "or any other.",
        DsaGround.INCOMPATIBLE,
        _TC,
        ("KEYWORD_HIDDEN_ADVERTISEMENT",),
    ),
    Rule(
        "unintelligible",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Texte inintelligible",
        "Unintelligible text",
        "Le texte doit être lisible et compréhensible : pas de suite de caractères sans sens, "
        "de répétitions ni de texte entièrement en majuscules ou en symboles.",
        "The text must be readable and understandable: no meaningless strings of characters, "
        "repetitions, or text made only of capitals or symbols.",
        DsaGround.INCOMPATIBLE,
        _TC,
    ),
    Rule(
        "unsupported_language",
        Category.CONTENT,
        Action.REJECT,
        True,
        "Langue non prise en charge",
        "Unsupported language",
        "Les avis sont publiés en français ou en anglais, les langues que maîtrisent nos "
        "modérateurs.",
        "Reviews are published in French or English, the languages our moderators master.",
        DsaGround.INCOMPATIBLE,
        _TC,
        ("KEYWORD_LANGUAGE_REQUIREMENTS",),
    ),
    # RELEVANCE
    Rule(
        "off_topic",
        Category.RELEVANCE,
        Action.SEND_TO_HUMAN,
        False,
        "Hors sujet",
        "Off topic",
        "L'avis doit porter sur votre expérience de consommateur avec cette marque, pas sur un "
        "autre sujet (politique, actualité, une autre entreprise).",
        "The review must be about your experience as a consumer with this brand, not another "
        "subject (politics, news, another company).",
        DsaGround.INCOMPATIBLE,
        _TC,
    ),
    Rule(
        "no_consumer_experience",
        Category.RELEVANCE,
        Action.REJECT,
        False,
        "Absence d'expérience de consommation",
        "No consumer experience",
        "L'avis doit décrire une expérience réellement vécue par son auteur, à la date "
        "indiquée. Un avis rédigé sans expérience réelle, sur commande ou par un tiers est "
        "refusé.",
        "The review must describe an experience its author actually had, on the stated date. "
        "A review written without a real experience, to order, or by someone else is rejected.",
        DsaGround.INCOMPATIBLE,
        _FRAUD,
        ("KEYWORD_INAUTHENTIC_USER_REVIEWS",),
        excluded_kinds=_NOT_REPLIES,
    ),
    # AUTHENTICITY: the pipeline only sends to a human; a moderator decides
    Rule(
        "duplicate_content",
        Category.AUTHENTICITY,
        Action.SEND_TO_HUMAN,
        False,
        "Contenu copié ou dupliqué",
        "Copied or duplicated content",
        "Un avis doit être personnel : un texte copié d'un autre avis, ou publié à l'identique "
        "par plusieurs comptes, est examiné par un modérateur et refusé s'il n'est pas "
        "authentique.",
        "A review must be personal: a text copied from another review, or posted identically "
        "by several accounts, is examined by a moderator and rejected if not authentic.",
        DsaGround.INCOMPATIBLE,
        _FRAUD,
        ("KEYWORD_INAUTHENTIC_USER_REVIEWS",),
        excluded_kinds=_NOT_REPLIES,
    ),
    Rule(
        "coordinated_campaign",
        Category.AUTHENTICITY,
        Action.SEND_TO_HUMAN,
        False,
        "Campagne coordonnée",
        "Coordinated campaign",
        "Plusieurs comptes liés (même réseau, même appareil, même période) qui notent la même "
        "marque dans le même sens sont examinés par un modérateur.",
        "Several linked accounts (same network, same device, same period) rating the same "
        "brand the same way are examined by a moderator.",
        DsaGround.INCOMPATIBLE,
        _FRAUD,
        ("KEYWORD_INAUTHENTIC_USER_REVIEWS", "KEYWORD_INAUTHENTIC_ACCOUNTS"),
        excluded_kinds=_NOT_REPLIES,
    ),
    Rule(
        "conflict_of_interest",
        Category.AUTHENTICITY,
        Action.SEND_TO_HUMAN,
        False,
        "Conflit d'intérêts",
        "Conflict of interest",
        "Les dirigeants, salariés et proches d'une marque ne peuvent pas l'évaluer, ni évaluer "
        "ses concurrents.",
        "Managers, employees and relatives of a brand may not review it, nor its competitors.",
        DsaGround.INCOMPATIBLE,
        _FRAUD,
        ("KEYWORD_INAUTHENTIC_USER_REVIEWS",),
        excluded_kinds=_NOT_REPLIES,
    ),
    Rule(
        "undisclosed_incentive",
        Category.AUTHENTICITY,
        Action.LABEL,
        False,
        "Contrepartie non déclarée",
        "Undisclosed incentive",
        "Un avis rédigé en échange d'une contrepartie (cadeau, réduction, paiement) doit le "
        "déclarer ; il est alors publié avec la mention « avis avec contrepartie ». Une "
        "contrepartie liée à une note positive est interdite.",
        "A review written in exchange for something (gift, discount, payment) must say so; it "
        'is then published labelled "incentivised review". An incentive tied to a positive '
        "rating is forbidden.",
        DsaGround.INCOMPATIBLE,
        _TC,
        ("KEYWORD_HIDDEN_ADVERTISEMENT",),
        excluded_kinds=_NOT_REPLIES,
    ),
    # BRAND REPLIES: rules of their own, on top of the content rules above (NF-RES-5, FTC-7)
    Rule(
        "pressure_to_withdraw",
        Category.CONTENT,
        Action.REJECT,
        False,
        "Pression sur l'auteur de l'avis",
        "Pressure on the reviewer",
        "Une réponse ne doit pas demander à l'auteur de retirer ou de modifier son avis, lui "
        "offrir quoi que ce soit pour cela, ni le menacer (poursuites, plainte, accusation "
        "publique). Une marque qui conteste l'authenticité d'un avis le signale gratuitement ; "
        "un modérateur examine chaque réponse concernée.",
        "A reply must not ask the reviewer to remove or change their review, offer them "
        "anything for it, or threaten them (legal action, complaint, public accusation). A brand "
        "that doubts a review is authentic flags it, free of charge; a moderator examines every "
        "such reply.",
        DsaGround.INCOMPATIBLE,
        _TC,
        kinds=("reply",),
    ),
    Rule(
        "customer_identity",
        Category.CONTENT,
        Action.REJECT,
        False,
        "Identité du client",
        "Customer's identity",
        "Les avis sont publiés sous pseudonyme : une réponse ne doit pas révéler qui en est "
        "l'auteur, ni son nom, ni un numéro de commande, de client ou de dossier, ni aucune "
        "information que la marque connaît de lui.",
        "Reviews are published under a pseudonym: a reply must not reveal who wrote the review, "
        "neither their name, nor an order, customer or case number, nor anything else the brand "
        "knows about them.",
        DsaGround.INCOMPATIBLE,
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        kinds=("reply",),
    ),
    Rule(
        "media_review",
        Category.CONTENT,
        Action.SEND_TO_HUMAN,
        True,
        "Photos et vidéos examinées par un modérateur",
        "Photos and videos checked by a moderator",
        "Aucun contrôle automatique ne sait lire une image : une réponse accompagnée de photos "
        "ou de vidéos est examinée par un modérateur avant publication, dans le même délai "
        "maximal que les autres réponses.",
        "No automated check can read a picture: a reply with photos or videos is examined by a "
        "moderator before it is published, within the same maximum delay as other replies.",
        DsaGround.INCOMPATIBLE,
        _TC,
        kinds=("reply",),
    ),
    Rule(
        "unsuitable_media",
        Category.CONTENT,
        Action.REJECT,
        False,
        "Photo ou vidéo inappropriée",
        "Unsuitable photo or video",
        "Les photos et vidéos d'une réponse doivent se rapporter à l'avis (le produit, le lieu, "
        "la correction apportée) : pas de personne reconnaissable sans son accord, pas de "
        "contenu violent, sexuel ou publicitaire, pas de texte incrusté qui enfreindrait la "
        "charte.",
        "Photos and videos in a reply must relate to the review (the product, the place, the fix "
        "made): no recognisable person without their consent, no violent, sexual or advertising "
        "content, no embedded text that would break the code of conduct.",
        DsaGround.INCOMPATIBLE,
        _TC,
        kinds=("reply",),
    ),
    # LEGAL: decided by a human only
    Rule(
        "defamation",
        Category.LEGAL,
        Action.REJECT,
        False,
        "Diffamation",
        "Defamation",
        "Un avis ne doit pas imputer à une personne identifiable un fait précis portant "
        "atteinte à son honneur sans pouvoir en justifier.",
        "A review must not accuse an identifiable person of a specific fact that harms their "
        "reputation without being able to substantiate it.",
        DsaGround.ILLEGAL,
        _SPEECH,
        ("KEYWORD_DEFAMATION",),
        legal_ground="Loi du 29 juillet 1881 sur la liberté de la presse, articles 29 et 32",
    ),
    Rule(
        "illegal_content",
        Category.LEGAL,
        Action.REJECT,
        False,
        "Contenu illicite",
        "Illegal content",
        "Tout contenu contraire à la loi française ou européenne (contrefaçon, incitation à "
        "commettre un délit, atteinte à la vie privée...) est retiré.",
        "Any content contrary to French or EU law (counterfeiting, incitement to an offence, "
        "invasion of privacy...) is removed.",
        DsaGround.ILLEGAL,
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        ("KEYWORD_VIOLATION_NATIONAL_LAW",),
        legal_ground="The provision of French or EU law named in the notice and in the facts",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULE_LIST}


def get_rule(code: str) -> Rule:
    """The rule with this code. KeyError for a code that is not published: nothing may cite it."""
    return RULES[code]


def rules_for_kind(kind: str) -> list[Rule]:
    return [rule for rule in RULES.values() if rule.applies_to(kind)]
