"""factory_boy factories for the domain models (fixtures for tests, not a way to write data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from pilotage.accounts.models import Membership, Role, User
from pilotage.portfolio.models import Portfolio, Programme, Project, StrategicObjective

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    code = factory.Sequence(lambda n: f"PF{n:03d}")
    name = factory.Sequence(lambda n: f"Portfolio {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"PG{n:03d}")
    name = factory.Sequence(lambda n: f"Programme {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    start_date = dt.date(2026, 1, 5)
    finish_date = dt.date(2026, 12, 18)
    budget = Decimal("100000.00")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    code = factory.Sequence(lambda n: f"OBJ{n:02d}")
    name = factory.Sequence(lambda n: f"Objective {n}")
    weight = 2


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


__all__ = [
    "PASSWORD",
    "MembershipFactory",
    "ObjectiveFactory",
    "PortfolioFactory",
    "ProgrammeFactory",
    "ProjectFactory",
    "Role",
    "UserFactory",
]
