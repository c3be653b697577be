"""Reads for families. Every query starts from what the user may see (families.access)."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from families.access import families_visible_to, note_visibility_filter
from families.models import (
    CaseNote,
    Consent,
    Family,
    Involvement,
    Membership,
    Person,
)
from tafcase import identity
from tafcase.accounts.models import Role, User
from tafcase.references import id_from_reference


def with_list_columns(families: QuerySet[Family]) -> QuerySet[Family]:
    last_contact = (
        CaseNote.objects.filter(family=OuterRef("pk"))
        .order_by("-contact_date")
        .values("contact_date")[:1]
    )
    # Prefetched, not joined: a join would run for every visible family before the sort
    # picks one page, which is most of the cost for an agency that sees thousands.
    return families.prefetch_related("lead_professional", "locality").annotate(
        last_contact=Subquery(last_contact)
    )


def with_last_contact(family: Family) -> Family:
    """The family again, with the list columns (last contact) the API shows."""
    return with_list_columns(Family.objects.filter(pk=family.pk)).get()


def key_workers_of(authority) -> QuerySet[User]:
    """Active key workers who serve the authority or work for one of its agencies: the
    only people who may lead its families. Each once, with their agency and
    ``active_families``, how many active families they lead."""
    led = (
        Family.objects.filter(lead_professional=OuterRef("pk"), status=Family.Status.ACTIVE)
        .order_by()
        .values("lead_professional")
        .annotate(n=Count("pk"))
        .values("n")
    )
    eligible = User.objects.filter(is_active=True, roles__contains=[Role.KEY_WORKER]).filter(
        Q(authorities=authority) | Q(agency__local_authority=authority)
    )
    # Filtering on the many-to-many repeats a person once per match; choose by id instead.
    return (
        User.objects.filter(pk__in=eligible.values("pk"))
        .select_related("agency")
        .annotate(active_families=Coalesce(Subquery(led), 0))
        .order_by("full_name", "pk")
    )


@dataclass(frozen=True)
class FamilyDocumentPeople:
    """Who a document given to the family names: the lead professional to contact (with
    their agency) and the adults of the household, who sign it."""

    lead_professional: User | None
    adults: list[Person]


def family_document_people(family: Family) -> FamilyDocumentPeople:
    """The adults are the current parents, carers and other significant adults who live
    in the household, oldest first, leaving out anyone it would be unsafe to contact."""
    lead = (
        User.objects.select_related("agency").filter(pk=family.lead_professional_id).first()
        if family.lead_professional_id
        else None
    )
    adults = [
        m.person
        for m in Membership.objects.filter(
            family=family,
            ended_on=None,
            lives_in_household=True,
            no_contact_for_safety=False,
            role__in=[Membership.Role.PARENT_CARER, Membership.Role.OTHER_ADULT],
        )
        .select_related("person")
        .order_by(F("person__dob").asc(nulls_last=True), "person__pk")
    ]
    return FamilyDocumentPeople(lead_professional=lead, adults=adults)


def lead_professional_label(user: User, families: int, *, more: str = "") -> str:
    """How a lead professional appears in a list to choose from: "Kate Walker — Early Help
    (3 families)", so namesakes and caseloads can be told apart; `more` goes inside the
    brackets after the count."""
    name = user.get_full_name() or user.email
    agency = f" — {user.agency}" if user.agency_id else ""
    return f"{name}{agency} ({families} famil{'y' if families == 1 else 'ies'}{more})"


def caseload(
    user, *, mine_only: bool, status: str = "", worker=None, locality=None
) -> QuerySet[Family]:
    """'My families': the families the user leads or key-works (mine_only), or all the
    families the user may see, soonest review first; narrowed by status, lead
    professional and ward when given."""
    families = families_visible_to(user)
    if mine_only:
        families = families.filter(
            Q(lead_professional=user)
            | Q(Exists(Family.key_workers.through.objects.filter(family=OuterRef("pk"), user=user)))
        )
    if status:
        families = families.filter(status=status)
    if worker is not None:
        families = families.filter(lead_professional=worker)
    if locality is not None:
        families = families.filter(locality=locality)
    return with_list_columns(families).order_by("next_review_due", "-id")


@dataclass(frozen=True)
class SearchTerms:
    """What a search box's text means: a reference, a date of birth, a postcode or a name."""

    family_id: int | None = None
    dob: date | None = None
    postcode: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> "SearchTerms":
        text = " ".join(text.split())
        if not text:
            return cls()
        if text.upper().startswith("FF") and (family_id := id_from_reference(text)):
            return cls(family_id=family_id)
        with contextlib.suppress(identity.IdentityError):
            return cls(dob=identity.parse_date(text, lenient=True))
        if postcode := identity.postcode_search_prefix(text):
            return cls(postcode=postcode)
        return cls(name=text)


def family_search(user, text: str) -> QuerySet[Family]:
    terms = SearchTerms.parse(text)
    families = families_visible_to(user)
    if terms.family_id:
        families = families.filter(pk=terms.family_id)
    elif terms.dob:
        families = families.filter(
            Exists(Membership.objects.filter(family=OuterRef("pk"), person__dob=terms.dob))
        )
    elif terms.postcode:
        # Stored as "AB1 2CD"; an outward code ("AB1") matches its start.
        families = families.filter(postcode__startswith=terms.postcode)
    elif terms.name:
        people = Person.objects.all()
        for word in terms.name.split():
            people = people.filter(Q(forename__istartswith=word) | Q(surname__istartswith=word))
        families = families.filter(
            Q(name__icontains=terms.name)
            | Q(Exists(Membership.objects.filter(family=OuterRef("pk"), person__in=people)))
        )
    else:
        return Family.objects.none()
    return with_list_columns(families).order_by("name", "-id")


FamilyPageSection = Callable[[Any, Family], dict[str, Any]]
# Apps above families add to the family page (the data-match adds the partner records
# behind its people) without families importing them: they register a section here from
# their AppConfig.ready, and `family_detail` merges what each returns into the page.
_family_page_sections: list[FamilyPageSection] = []


def register_family_page_section(section: FamilyPageSection) -> None:
    """Add `section(user, family) -> context` to every family page's context."""
    if section not in _family_page_sections:
        _family_page_sections.append(section)


def family_detail(user, family: Family) -> dict:
    """Everything the family page shows, in a fixed number of queries."""
    notes = (
        CaseNote.objects.filter(family=family)
        .filter(note_visibility_filter(user))
        .select_related("author", "author_agency")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "forename", "surname"))
        )
    )
    context = {
        "memberships": list(
            Membership.objects.filter(family=family)
            .select_related("person")
            .order_by("ended_on", "role", "person__dob")
        ),
        "involvements": list(Involvement.objects.filter(family=family).select_related("agency")),
        "consents": list(
            Consent.objects.filter(family=family).select_related("given_by", "agency")
        ),
        "notes": list(notes[:100]),
        "status_changes": list(family.status_changes.select_related("changed_by")[:50]),
        "key_workers": list(family.key_workers.all()),
    }
    for section in _family_page_sections:
        context.update(section(user, family))
    return context
