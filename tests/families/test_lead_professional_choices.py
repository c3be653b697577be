"""The lead-professional list on the family form: each key worker once, with agency and
caseload, and the select marked for the type-ahead."""

from django.urls import reverse

from families.forms import FamilyForm
from families.models import Family
from families.selectors import key_workers_of
from tafcase.accounts.models import Agency, Role


def test_each_key_worker_is_listed_once_with_agency_and_caseload(world, make_user, authority):
    # Serving the authority and working for one of its agencies: two ways in, one person.
    twice = make_user(
        Role.KEY_WORKER, agency=world.agencies["early_help"], email="twice@example.test"
    )
    Family.objects.filter(pk=world.family.pk).update(status=Family.Status.ACTIVE)
    form = FamilyForm(local_authority=authority)
    labels = [label for value, label in form.fields["lead_professional"].choices if value]
    users = list(key_workers_of(authority))
    assert len(users) == len({u.pk for u in users}) == len(labels)
    assert f"{world.lead.full_name} — Early Help (1 family)" in labels
    assert f"{twice.full_name} — Early Help (0 families)" in labels


def test_namesakes_are_told_apart_by_agency(world, make_user, make_agency, authority):
    school = make_agency("Northfield School", Agency.Kind.EDUCATION)
    namesake = make_user(Role.KEY_WORKER, agency=school, email="namesake@example.test")
    namesake.full_name = world.lead.full_name
    namesake.save()
    labels = [
        label
        for _v, label in FamilyForm(local_authority=authority).fields["lead_professional"].choices
    ]
    assert f"{world.lead.full_name} — Northfield School (0 families)" in labels
    assert f"{world.lead.full_name} — Early Help (0 families)" in labels


def test_key_worker_query_count_does_not_grow_with_key_workers(
    world, make_user, authority, django_assert_max_num_queries
):
    for n in range(5):
        make_user(Role.KEY_WORKER, agency=world.agencies["early_help"], email=f"k{n}@example.test")
    with django_assert_max_num_queries(1):
        assert len([u.active_families for u in key_workers_of(authority)]) == 6


def test_family_edit_page_offers_the_type_ahead(client, world):
    client.force_login(world.coordinator)
    body = client.get(reverse("families:edit", args=[world.family.pk])).content.decode()
    assert 'name="lead_professional"' in body
    select = body[body.index('<select name="lead_professional"') :].split(">", 1)[0]
    assert "data-autocomplete" in select and "govuk-select" in select
    assert "(0 families)" in body
    assert "vendor/accessible-autocomplete.min.js" in body
