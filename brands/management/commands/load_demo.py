"""Demo data for a first run: brands with places, customers, a moderator, brand members.

Idempotent: running it again changes nothing. Everything goes through the services, so the
demo's audit trail is as real as production's. Later layers extend it (see `extend_demo`).
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from brands.models import Brand, Membership
from brands.services import add_membership, create_brand, create_place

DEMO_PASSWORD = "demo-voix-2026"

BRANDS = [
    ("Boulangerie Dupain", "dupain.fr", "Boulangeries artisanales à Paris et Lyon.",
     [("Dupain Bastille", "Paris"), ("Dupain Croix-Rousse", "Lyon")]),
    ("Vélos Rapides", "velosrapides.fr", "Vente et réparation de vélos.",
     [("Atelier Nantes", "Nantes")]),
    ("Banque Horizon", "banque-horizon.fr", "Banque de détail en ligne et en agence.",
     [("Agence Bordeaux Centre", "Bordeaux"), ("Agence Lille Gare", "Lille")]),
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


class Command(BaseCommand):
    help = "Create demo brands, places and accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = {email: self._user(email, pseudonym, role, langs)
                 for email, pseudonym, role, langs in USERS}
        for name, domain, description, places in BRANDS:
            if Brand.objects.filter(name=name).exists():
                continue
            brand = create_brand(name=name, domain=domain, description=description, actor=None)
            for place_name, city in places:
                create_place(brand=brand, name=place_name, city=city, actor=None)
        dupain = Brand.objects.get(name="Boulangerie Dupain")
        add_membership(brand=dupain, user=users["gerant@dupain.fr"],
                       role=Membership.Role.OWNER, actor=None)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready. Accounts (password {DEMO_PASSWORD!r}): "
            + ", ".join(email for email, *_ in USERS)))

    def _user(self, email: str, pseudonym: str, role: str, languages: list[str]) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, pseudonym=pseudonym, role=role,
                is_staff=role == User.Role.OPERATOR, is_superuser=role == User.Role.OPERATOR,
                moderation_languages=languages, email_verified_at=timezone.now())
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user
