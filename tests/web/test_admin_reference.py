"""/admin/reference: the four kinds, listed, added and changed from generic forms."""

from __future__ import annotations

import re

import pytest

from domain.accounts.rules import SYSTEM
from domain.reference import schemas
from domain.reference import service as reference
from domain.reference.service import AREAS, KINDS, ORGANISATIONS, TOPICS
from domain.reference.tables import Area, NeighbourhoodPolicingArea, Organisation, Topic
from tests.conftest import NOW
from tests.web.conftest import csrf, value_of

PAGES = [
    "/admin/reference",
    "/admin/reference?kind=areas",
    "/admin/reference/topics/new",
    "/admin/reference/areas/new",
]


def _area(session, code="charnwood", name="Charnwood", row=1, col=2) -> Area:
    data = schemas.AreaCreate(code=code, name=name, kind="district", tile_row=row, tile_col=col)
    return reference.create_record(session, SYSTEM, AREAS, data, now=NOW)


def _organisation(session) -> Organisation:
    data = schemas.OrganisationCreate(code="llr-police", name="LLR Police", kind="force")
    return reference.create_record(session, SYSTEM, ORGANISATIONS, data, now=NOW)


def test_the_page_offers_every_kind_and_an_add_link_for_the_one_shown(admin, session):
    _organisation(session)
    page = admin.get("/admin/reference")
    assert page.status_code == 200
    assert 'class="moj-sub-navigation"' in page.text
    for kind in KINDS.values():
        assert f'href="/admin/reference?kind={kind.slug}"' in page.text
    assert 'href="/admin/reference?kind=organisations" aria-current="page"' in page.text
    assert 'href="/admin/reference/organisations/new"' in page.text
    assert "Add an organisation" in page.text
    assert "LLR Police" in page.text and "Police force" in page.text
    assert '<strong class="govuk-tag govuk-tag--green">Active</strong>' in page.text


@pytest.mark.parametrize("slug", list(KINDS))
def test_each_kind_has_its_own_list_and_add_link(admin, slug):
    page = admin.get(f"/admin/reference?kind={slug}")
    assert page.status_code == 200
    assert f'href="/admin/reference/{slug}/new"' in page.text
    assert f'<h1 class="govuk-heading-l">{KINDS[slug].label}</h1>' in page.text
    assert admin.get(f"/admin/reference/{slug}/new").status_code == 200


def test_areas_show_their_tiles_and_npas_their_area(admin, session):
    area = _area(session)
    reference.create_record(
        session,
        SYSTEM,
        KINDS["npas"],
        schemas.NpaCreate(code="loughborough", name="Loughborough", area_id=area.id),
        now=NOW,
    )
    areas = admin.get("/admin/reference?kind=areas")
    assert "Tile row" in areas.text and "Tile column" in areas.text
    assert "District" in areas.text
    npas = admin.get("/admin/reference?kind=npas")
    assert "Loughborough" in npas.text
    assert '<td class="govuk-table__cell oversight-admin-wide-only">Charnwood</td>' in npas.text


def test_an_unknown_kind_is_a_404_page(admin):
    assert admin.get("/admin/reference?kind=planets").status_code == 404
    assert admin.get("/admin/reference/planets/new").status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_a_non_admin_gets_the_403_page(staff, path):
    response = staff.get(path)
    assert response.status_code == 403
    assert "You do not have permission" in response.text


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_the_forms_are_built_from_each_kind(admin, session):
    _area(session)
    organisation = admin.get("/admin/reference/organisations/new").text
    assert re.search(r'<select class="govuk-select[^"]*" id="kind" name="kind"', organisation)
    assert '<option value="force">Police force</option>' in organisation
    area = admin.get("/admin/reference/areas/new").text
    assert 'id="tile_row"' in area and 'id="tile_col"' in area
    assert 'inputmode="numeric"' in area
    npa = admin.get("/admin/reference/npas/new").text
    assert re.search(r'id="area_id" name="area_id"', npa)
    assert ">Charnwood</option>" in npa
    topic = admin.get("/admin/reference/topics/new").text
    assert 'id="code"' in topic and 'id="name"' in topic
    assert 'id="kind"' not in topic and 'id="tile_row"' not in topic


def test_adding_an_organisation(admin, database):
    response = admin.post(
        "/admin/reference/organisations/new",
        data={
            "csrf_token": csrf(admin),
            "code": "rutland-cc",
            "name": "Rutland County Council",
            "kind": "partner",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/reference?kind=organisations"
    page = admin.get(response.headers["location"])
    assert "Organisation “Rutland County Council” added" in page.text
    assert "Rutland County Council" in page.text
    with database.session() as s:
        saved = reference.active_records(s, ORGANISATIONS)
    assert [(o.code, o.kind) for o in saved] == [("rutland-cc", "partner")]


def test_adding_an_area_and_an_npa_in_it(admin, count, database):
    token = csrf(admin)
    response = admin.post(
        "/admin/reference/areas/new",
        data={
            "csrf_token": token,
            "code": "melton",
            "name": "Melton",
            "kind": "district",
            "tile_row": "0",
            "tile_col": "3",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with database.session() as s:
        (melton,) = reference.active_records(s, AREAS)
    assert (melton.tile_row, melton.tile_col) == (0, 3)
    response = admin.post(
        "/admin/reference/npas/new",
        data={
            "csrf_token": token,
            "code": "melton-town",
            "name": "Melton Town",
            "area_id": str(melton.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert count(NeighbourhoodPolicingArea) == 1


def test_invalid_input_is_explained_kept_and_not_saved(admin, count):
    response = admin.post(
        "/admin/reference/areas/new",
        data={
            "csrf_token": csrf(admin),
            "code": "Not A Code",
            "name": "",
            "kind": "",
            "tile_row": "two",
            "tile_col": "99",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert '<a href="#name">Enter name</a>' in response.text
    assert '<a href="#kind">Select type</a>' in response.text
    assert "Code is not in the right format" in response.text
    assert "Tile row must be a whole number" in response.text
    assert "Tile column must be 50 or less" in response.text
    assert value_of(response.text, "code") == "Not A Code"
    assert value_of(response.text, "tile_row") == "two"
    assert count(Area) == 0


def test_a_duplicate_code_and_a_taken_tile_are_form_errors(admin, session, count):
    _area(session, code="charnwood", row=1, col=2)
    response = admin.post(
        "/admin/reference/areas/new",
        data={
            "csrf_token": csrf(admin),
            "code": "blaby",
            "name": "Blaby",
            "kind": "district",
            "tile_row": "1",
            "tile_col": "2",
        },
    )
    assert response.status_code == 422
    assert "Charnwood already sits on this tile" in response.text
    response = admin.post(
        "/admin/reference/areas/new",
        data={
            "csrf_token": csrf(admin),
            "code": "charnwood",
            "name": "Second Charnwood",
            "kind": "district",
            "tile_row": "5",
            "tile_col": "5",
        },
    )
    assert response.status_code == 422
    assert "Another area already uses this code" in response.text
    assert count(Area) == 1


def test_editing_a_record_changes_it_and_can_deactivate_it(admin, session, load):
    topic = reference.create_record(
        session, SYSTEM, TOPICS, schemas.TopicCreate(code="asb", name="ASB"), now=NOW
    )
    page = admin.get(f"/admin/reference/topics/{topic.id}")
    assert page.status_code == 200
    assert value_of(page.text, "version") == "1"
    assert value_of(page.text, "name") == "ASB"
    assert 'name="code"' not in page.text  # a code never changes
    response = admin.post(
        f"/admin/reference/topics/{topic.id}",
        data={
            "csrf_token": csrf(admin),
            "version": "1",
            "name": "Anti-social behaviour",
            "active": "no",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    saved = load(Topic, topic.id)
    assert (saved.name, saved.active, saved.version, saved.code) == (
        "Anti-social behaviour",
        False,
        2,
        "asb",
    )
    listing = admin.get(response.headers["location"])
    assert "Changes to “Anti-social behaviour” saved" in listing.text
    assert '<strong class="govuk-tag govuk-tag--grey">Inactive</strong>' in listing.text


def test_editing_with_an_empty_field_changes_nothing(admin, session, load):
    area = _area(session)
    response = admin.post(
        f"/admin/reference/areas/{area.id}",
        data={
            "csrf_token": csrf(admin),
            "version": "1",
            "name": "Renamed",
            "kind": "district",
            "tile_row": "",
            "tile_col": "2",
            "active": "yes",
        },
    )
    assert response.status_code == 422
    assert '<a href="#tile_row">Enter tile row</a>' in response.text
    assert value_of(response.text, "name") == "Renamed"
    assert load(Area, area.id).name == "Charnwood"


def test_a_stale_version_is_refused_and_nothing_changes(admin, session, load):
    organisation = _organisation(session)
    reference.update_record(
        session,
        SYSTEM,
        ORGANISATIONS,
        organisation.id,
        schemas.OrganisationUpdate(name="Leicestershire Police"),
        expected_version=1,
        now=NOW,
    )
    response = admin.post(
        f"/admin/reference/organisations/{organisation.id}",
        data={
            "csrf_token": csrf(admin),
            "version": "1",
            "name": "My name",
            "short_name": "Mine",
            "kind": "force",
            "active": "yes",
        },
    )
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "Someone else changed this organisation" in response.text
    assert value_of(response.text, "name") == "Leicestershire Police"
    assert value_of(response.text, "version") == "2"
    saved = load(Organisation, organisation.id)
    assert (saved.name, saved.version) == ("Leicestershire Police", 2)


def test_a_post_without_the_csrf_token_is_refused(admin, session, load, count):
    organisation = _organisation(session)
    response = admin.post(
        f"/admin/reference/organisations/{organisation.id}",
        data={"version": "1", "name": "Changed", "kind": "force", "active": "yes"},
    )
    assert response.status_code == 403
    assert load(Organisation, organisation.id).name == "LLR Police"
    response = admin.post(
        "/admin/reference/topics/new", data={"code": "x", "name": "X", "csrf_token": "wrong"}
    )
    assert response.status_code == 403
    assert count(Topic) == 0


def test_a_non_admin_cannot_add_by_posting(staff, count):
    response = staff.post(
        "/admin/reference/topics/new",
        data={"csrf_token": csrf(staff), "code": "roads", "name": "Roads"},
    )
    assert response.status_code == 403
    assert count(Topic) == 0


def test_an_organisation_has_a_short_name_for_narrow_tables(admin, session, load):
    form = admin.get("/admin/reference/organisations/new").text
    assert "Short name (optional)" in form
    assert "Leave it empty to use the name" in form
    token = csrf(admin)
    response = admin.post(
        "/admin/reference/organisations/new",
        data={
            "csrf_token": token,
            "code": "opcc",
            "name": "Office of the Police and Crime Commissioner",
            "short_name": "OPCC",
            "kind": "opcc",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    response = admin.post(
        "/admin/reference/organisations/new",
        data={
            "csrf_token": token,
            "code": "council",
            "name": "Melton Borough Council",
            "kind": "partner",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303  # left empty: the name is used
    listing = admin.get("/admin/reference?kind=organisations").text
    assert "Short name" in listing
    assert '<td class="govuk-table__cell oversight-admin-wide-only">OPCC</td>' in listing
    assert (
        '<td class="govuk-table__cell oversight-admin-wide-only">Melton Borough Council</td>'
        in listing
    )

    organisation = _organisation(session)
    page = admin.get(f"/admin/reference/organisations/{organisation.id}").text
    assert value_of(page, "short_name") == "LLR Police"
    response = admin.post(
        f"/admin/reference/organisations/{organisation.id}",
        data={
            "csrf_token": token,
            "version": "1",
            "name": "Leicestershire Police",
            "short_name": "Leics Police",
            "kind": "force",
            "active": "yes",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    saved = load(Organisation, organisation.id)
    assert (saved.name, saved.short_name) == ("Leicestershire Police", "Leics Police")


def test_a_changed_organisation_keeps_a_short_name(admin, session, load):
    organisation = _organisation(session)
    response = admin.post(
        f"/admin/reference/organisations/{organisation.id}",
        data={
            "csrf_token": csrf(admin),
            "version": "1",
            "name": "Leicestershire Police",
            "short_name": " ",
            "kind": "force",
            "active": "yes",
        },
    )
    assert response.status_code == 422
    assert '<a href="#short_name">Enter short name</a>' in response.text
    assert value_of(response.text, "name") == "Leicestershire Police"
    assert load(Organisation, organisation.id).short_name == "LLR Police"


def test_a_clash_is_reported_with_every_other_problem(admin, session, count):
    _organisation(session)
    before = count(Organisation)
    response = admin.post(
        "/admin/reference/organisations/new",
        data={"csrf_token": csrf(admin), "code": "llr-police", "name": "", "kind": "force"},
    )
    assert response.status_code == 422
    assert '<a href="#name">Enter name</a>' in response.text
    assert "Another organisation already uses this code" in response.text
    assert count(Organisation) == before
