"""Demo data for a first run: brands with places, customers, a moderator, brand members.

Idempotent: running it again changes nothing. Everything goes through the services, so the
demo's audit trail is as real as production's, and the demo reviews go through the real
moderation pipeline (in-process, or on the workers when Redis is configured).
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from brands.models import Brand, Membership
from brands.services import add_membership, create_brand, create_place
from reviews.models import Review
from reviews.services import submit_review

DEMO_PASSWORD = "demo-voix-2026"

BRANDS = [
    (
        "Boulangerie Dupain",
        "dupain.fr",
        "Boulangeries artisanales à Paris et Lyon.",
        [("Dupain Bastille", "Paris"), ("Dupain Croix-Rousse", "Lyon")],
    ),
    (
        "Vélos Rapides",
        "velosrapides.fr",
        "Vente et réparation de vélos.",
        [("Atelier Nantes", "Nantes")],
    ),
    (
        "Banque Horizon",
        "banque-horizon.fr",
        "Banque de détail en ligne et en agence.",
        [("Agence Bordeaux Centre", "Bordeaux"), ("Agence Lille Gare", "Lille")],
    ),
    ("Livraison Éclair", "livraison-eclair.com", "Livraison de repas à domicile.", []),
]

USERS = [
    # email, pseudonym, role, languages moderated
    ("camille@example.org", "Camille", User.Role.CUSTOMER, []),
    ("sam@example.org", "Sam_Lyon", User.Role.CUSTOMER, []),
    ("alex@example.org", "Alex", User.Role.CUSTOMER, []),
    ("moderation@voix.example", "Modération Voix", User.Role.MODERATOR, ["fr", "en"]),
    ("operateur@voix.example", "Opérateur Voix", User.Role.OPERATOR, ["fr", "en"]),
    ("gerant@dupain.fr", "Dupain (gérant)", User.Role.CUSTOMER, []),
]


REVIEWS = [
    # author, brand, rating, channel, title, text
    (
        "camille@example.org",
        "Boulangerie Dupain",
        5,
        "in_store",
        "Le meilleur pain du quartier",
        "Baguette tradition croustillante, croissants pur beurre et un accueil toujours souriant. "
        "J'y passe chaque matin avant le travail.",
    ),
    (
        "sam@example.org",
        "Boulangerie Dupain",
        2,
        "in_store",
        "Attente trop longue",
        "Vingt minutes de queue un dimanche matin avec une seule caisse ouverte, et plus de pain "
        "aux céréales à 10 h. Dommage, les produits sont bons.",
    ),
    (
        "alex@example.org",
        "Vélos Rapides",
        4,
        "in_store",
        "Réparation efficace",
        "Crevaison et câble de frein changés en une heure, prix annoncé respecté. Les conseils "
        "pour l'entretien de la chaîne étaient utiles.",
    ),
    (
        "camille@example.org",
        "Banque Horizon",
        1,
        "phone",
        "Conseiller injoignable",
        "Trois semaines pour obtenir un rendez-vous au sujet de mon prêt, et des appels jamais "
        "rappelés malgré les promesses. Je change de banque.",
    ),
    (
        "sam@example.org",
        "Livraison Éclair",
        1,
        "delivery",
        "Livreur insultant",
        "Le livreur m'a traité de connard parce que je suis descendu avec deux minutes de retard.",
    ),
    (
        "alex@example.org",
        "Livraison Éclair",
        4,
        "app",
        "Rapide et chaud",
        "Repas arrivé en vingt-cinq minutes, encore chaud, et l'application indique bien où se "
        "trouve le livreur. Bon service dans l'ensemble.",
    ),
]


class Command(BaseCommand):
    help = "Create demo brands, places, accounts and reviews (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            self._brands_and_accounts()
        for index, (email, brand_name, rating, channel, title, text) in enumerate(REVIEWS):
            self._review(index, email, brand_name, rating, channel, title, text)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Accounts (password {DEMO_PASSWORD!r}): "
                + ", ".join(email for email, *_ in USERS)
            )
        )

    def _review(
        self,
        index: int,
        email: str,
        brand_name: str,
        rating: int,
        channel: str,
        title: str,
        text: str,
    ) -> None:
        author = User.objects.get(email=email)
        brand = Brand.objects.get(name=brand_name)
        if Review.objects.filter(author=author, brand=brand).exists():
            return
        submit_review(
            author=author,
            brand=brand,
            place=brand.places.first(),
            channel=channel,
            rating=rating,
            title=title,
            text=text,
            experience_date=timezone.localdate() - timedelta(days=3 + index),
            attested=True,
            client_ip=f"198.51.100.{10 + index}",
            user_agent=f"Demo browser {index}",
        )

    def _brands_and_accounts(self) -> None:
        users = {
            email: self._user(email, pseudonym, role, langs)
            for email, pseudonym, role, langs in USERS
        }
        for name, domain, description, places in BRANDS:
            if Brand.objects.filter(name=name).exists():
                continue
            brand = create_brand(name=name, domain=domain, description=description, actor=None)
            for place_name, city in places:
                create_place(brand=brand, name=place_name, city=city, actor=None)
        dupain = Brand.objects.get(name="Boulangerie Dupain")
        add_membership(
            brand=dupain, user=users["gerant@dupain.fr"], role=Membership.Role.OWNER, actor=None
        )

    def _user(self, email: str, pseudonym: str, role: str, languages: list[str]) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                pseudonym=pseudonym,
                role=role,
                is_staff=role == User.Role.OPERATOR,
                is_superuser=role == User.Role.OPERATOR,
                moderation_languages=languages,
                email_verified_at=timezone.now(),
            )
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
