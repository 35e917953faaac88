import factory
from django.utils import timezone

from accounts.models import User
from brands.models import Brand, Membership, Place


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    pseudonym = factory.Sequence(lambda n: f"Pseudo{n}")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Marque {n}")
    slug = factory.Sequence(lambda n: f"marque-{n}")
    domain = factory.Sequence(lambda n: f"marque{n}.fr")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Magasin {n}")
    slug = factory.Sequence(lambda n: f"magasin-{n}")
    city = "Lyon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    brand = factory.SubFactory(BrandFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.AGENT
