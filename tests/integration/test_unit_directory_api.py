"""The unit directory through the real gateway app on a nats-server of the session: search
with and without diacritics, the tree by level, parent, generation and day, Vietnamese order,
cursor pages, the caller's scope, a unit's card, and the examples the API document shows."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from danvan.access import in_scope
from danvan.config import Settings
from danvan.contracts.rpc import Principal, Role
from danvan.pagination import encode_position
from danvan.text import fold
from danvan.tokens import issue_token
from danvan.units import UnitTree, load_units
from services.gateway.app import create_app
from services.gateway.unit_examples import DETAIL_EXAMPLES, LIST_EXAMPLES
from tests.bearer import bearer
from tests.list_exports import assert_exports_hold_the_pages

SECRET = "unit-directory-secret-" + "x" * 32
NATION = "VN"
HANOI = "01"
HO_CHI_MINH_CITY = "79"
HONG_HA = "00097"  # Phường Hồng Hà, in force since 2025-07-01
TU_LIEN = "old-00097"  # Phường Tứ Liên: the old commune with the same code, split in 2025
TAY_HO_WARD = "00103"  # Phường Tây Hồ
TAY_HO_DISTRICT = "old-003"  # Quận Tây Hồ, ceased 2025-07-01
TAY_HO_WARDS_BEFORE = 8  # the wards of Quận Tây Hồ
HANOI_COMMUNES = 126

# The Vietnamese alphabet; the tone marks (huyền, hỏi, ngã, sắc, nặng) do not change a letter.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
TONES = {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return load_units()


@pytest.fixture(scope="module")
async def client(
    nats_url: str, tree: UnitTree, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        home=tmp_path_factory.mktemp("gateway"), jwt_secret=SECRET, nats_url=nats_url
    )
    app = create_app(settings, units_tree=tree)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as running:
            yield running


def auth(unit: str = NATION, role: Role = Role.VIEWER) -> dict[str, str]:
    return bearer(SECRET, unit, role)


async def answer(
    client: httpx.AsyncClient, url: str, unit: str = NATION, status: int = 200, **params: Any
) -> Any:
    reply = await client.get(url, params=params, headers=auth(unit))
    assert reply.status_code == status, reply.text
    return reply.json()


async def listed(client: httpx.AsyncClient, unit: str = NATION, **params: Any) -> Any:
    return await answer(client, "/api/v1/units", unit, **params)


async def codes(client: httpx.AsyncClient, unit: str = NATION, **params: Any) -> list[str]:
    return [item["code"] for item in (await listed(client, unit, **params))["data"]]


async def walk(client: httpx.AsyncClient, unit: str = NATION, **params: Any) -> list[Any]:
    """Every page of a list, checking that the total stays the same on each."""
    items: list[Any] = []
    totals = set()
    page = await listed(client, unit, limit=200, **params)
    while True:
        items.extend(page["data"])
        totals.add(page["total"])
        if page["next_cursor"] is None:
            break
        page = await listed(client, unit, limit=200, cursor=page["next_cursor"], **params)
    assert totals == {len(items)}
    return items


def refusal(body: Any) -> tuple[str, list[str | None]]:
    return body["error"]["code"], [detail["field"] for detail in body["error"]["details"]]


def letter(name: str) -> int:
    """The rank of a name's first letter in the Vietnamese alphabet (-1 for a digit)."""
    first = unicodedata.normalize("NFD", name[0].lower())
    if first[0].isdigit():
        return -1
    base = unicodedata.normalize("NFC", "".join(c for c in first if c not in TONES))
    return ALPHABET.index(base)


# ---- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["tay ho", "Tây Hồ", "TÂY HỒ", "tÂy hỒ", "  tay   HO "])
async def test_a_search_ignores_diacritics_case_and_spacing(
    client: httpx.AsyncClient, typed: str
) -> None:
    page = await listed(client, q=typed, generation="all")
    assert [item["code"] for item in page["data"][:2]] == [TAY_HO_DISTRICT, TAY_HO_WARD]
    assert page["total"] == (await listed(client, q="tay ho", generation="all"))["total"]


async def test_tay_ho_finds_the_ward_in_force_and_with_all_generations_the_old_district(
    client: httpx.AsyncClient,
) -> None:
    in_force = await listed(client, q="tay ho")
    assert in_force["data"][0]["code"] == TAY_HO_WARD
    assert in_force["data"][0]["display_name"] == "Phường Tây Hồ, Thành phố Hà Nội"
    assert {item["generation"] for item in in_force["data"]} == {"current"}
    every = await codes(client, q="tay ho", generation="all")
    assert TAY_HO_DISTRICT in every
    assert TAY_HO_WARD in every
    # The name itself first; "ho" also begins "Hòa" (Huyện Tây Hòa).
    assert await codes(client, q="tay ho", generation="legacy", level="district") == [
        TAY_HO_DISTRICT,
        "old-562",
    ]


async def test_hong_ha_finds_phuong_hong_ha_first(client: httpx.AsyncClient) -> None:
    found = await listed(client, q="hong ha")
    assert found["data"][0]["code"] == HONG_HA
    assert found["data"][0]["name"] == "Phường Hồng Hà"


async def test_every_word_must_begin_a_word_of_the_name(client: httpx.AsyncClient) -> None:
    found = await walk(client, q="ha tay", generation="all")
    assert found
    for item in found:
        words = fold(item["name"]).split()
        for wanted in ("ha", "tay"):
            assert any(word.startswith(wanted) for word in words), item["name"]
    # "Thanh" holds "ha", but no word of "Phường Thanh Xuân" begins with it.
    assert "Phường Thanh Xuân" not in {item["name"] for item in await walk(client, q="ha")}
    assert "Phường Thanh Xuân" in {item["name"] for item in await walk(client, q="th xu")}


async def test_a_code_or_an_old_id_finds_its_unit(client: httpx.AsyncClient) -> None:
    assert await codes(client, q=HONG_HA, generation="all") == [HONG_HA, TU_LIEN]
    assert (await codes(client, q=TAY_HO_DISTRICT, generation="all"))[0] == TAY_HO_DISTRICT


async def test_a_search_sorted_by_name_is_in_name_order_not_by_relevance(
    client: httpx.AsyncClient, tree: UnitTree
) -> None:
    by_relevance = await codes(client, q="tay", generation="all", limit=200)
    by_name = await codes(client, q="tay", generation="all", limit=200, sort="name")
    assert sorted(by_relevance) == sorted(by_name)
    assert by_relevance != by_name
    order = {unit.id: index for index, unit in enumerate(tree.all_units())}
    assert by_name == sorted(by_name, key=order.__getitem__)


async def test_a_search_without_a_letter_or_digit_is_refused_naming_q(
    client: httpx.AsyncClient,
) -> None:
    body = await answer(client, "/api/v1/units", status=422, q="%% --")
    assert refusal(body) == ("validation_error", ["q"])


async def test_an_empty_search_box_lists_by_name(client: httpx.AsyncClient) -> None:
    assert await codes(client, q=" ", parent=NATION) == await codes(client, parent=NATION)


# ---- the tree by level, parent, generation and day --------------------------------------------


async def test_each_level_and_generation_has_its_count(client: httpx.AsyncClient) -> None:
    async def total(**params: Any) -> int:
        count: int = (await listed(client, limit=1, **params))["total"]
        return count

    assert await total(level="nation") == 1
    assert await total(level="province") == 34
    assert await total(level="commune") == 3_321
    assert await total(level="district") == 0  # districts ceased with the reform
    assert await total(level="province", generation="legacy") == 63
    assert await total(level="district", generation="legacy") == 696
    assert await total(level="commune", generation="legacy") == 10_035
    assert await total(level="province", generation="all") == 97
    assert await total(generation="all") == len(load_units())


async def test_the_children_of_a_unit_by_parent(client: httpx.AsyncClient) -> None:
    provinces = await listed(client, parent=NATION, limit=50)
    assert provinces["total"] == 34
    assert {item["level"] for item in provinces["data"]} == {"province"}
    assert (await listed(client, parent=NATION, generation="legacy"))["total"] == 63
    assert (await listed(client, parent=HANOI, limit=1))["total"] == HANOI_COMMUNES
    assert await codes(client, parent=HANOI, q="hong ha") == [HONG_HA]
    assert (await listed(client, parent=HONG_HA))["total"] == 0


async def test_the_children_of_a_unit_that_ceased_are_listed_without_asking_for_legacy(
    client: httpx.AsyncClient,
) -> None:
    wards = await listed(client, parent=TAY_HO_DISTRICT)
    assert wards["total"] == TAY_HO_WARDS_BEFORE
    assert TU_LIEN in [item["code"] for item in wards["data"]]
    assert (await listed(client, parent=TAY_HO_DISTRICT, generation="current"))["total"] == 0


async def test_on_a_day_before_the_reform_the_old_tree_is_in_force(
    client: httpx.AsyncClient,
) -> None:
    async def total(**params: Any) -> int:
        count: int = (await listed(client, limit=1, **params))["total"]
        return count

    assert await total(level="province", on="2024-06-01") == 63
    assert await total(level="district", on="2024-06-01") == 696
    assert await total(level="commune", on="2025-06-30") == 10_035
    assert await total(level="province", on="2025-07-01") == 34
    assert await total(parent=NATION, on="2024-06-01") == 63
    before = await listed(client, q="tay ho", on="2024-06-01", level="district")
    assert [item["code"] for item in before["data"]] == [TAY_HO_DISTRICT, "old-562"]
    assert await total(level="province", on="2024-06-01", generation="current") == 0


# ---- Vietnamese order ---------------------------------------------------------------------------


async def test_names_come_in_vietnamese_dictionary_order(client: httpx.AsyncClient) -> None:
    communes = await walk(client, level="commune", generation="all")
    letters = [letter(item["short_name"]) for item in communes]
    assert letters == sorted(letters)
    names = [item["short_name"] for item in communes]
    starts = [name[0] for name in names]
    # Đ after every D; Ă (Ẳng Nưa) after every A, Â (Ân Thi) after every Ă.
    last_d = max(i for i, s in enumerate(starts) if s == "D")
    assert last_d < min(i for i, s in enumerate(starts) if s == "Đ")
    last_a = max(i for i, name in enumerate(names) if letter(name) == ALPHABET.index("a"))
    first_breve = names.index("Ẳng Nưa")
    assert last_a < first_breve < names.index("Ân Thi")
    # Numbers compare by value: Phường 2 before Phường 10.
    da_lat = [item["name"] for item in await walk(client, parent="old-672")]
    assert da_lat[:12] == [f"Phường {number}" for number in range(1, 13)]


async def test_a_dash_reverses_the_order(client: httpx.AsyncClient) -> None:
    forward = await codes(client, parent=NATION, limit=50)
    assert await codes(client, parent=NATION, limit=50, sort="-name") == forward[::-1]
    by_code = await codes(client, parent=NATION, limit=50, sort="code")
    assert by_code == sorted(by_code)
    assert await codes(client, parent=NATION, limit=50, sort="-code") == by_code[::-1]


async def test_by_level_provinces_come_before_communes(client: httpx.AsyncClient) -> None:
    found = await walk(client, q="hoa binh", generation="all", sort="level")
    levels = [item["level"] for item in found]
    ranks = [["nation", "province", "district", "commune"].index(level) for level in levels]
    assert ranks == sorted(ranks)
    assert len(set(levels)) >= 2


async def test_an_unknown_sort_is_refused_naming_sort(client: httpx.AsyncClient) -> None:
    for sort in ("bogus", "-", "relevance"):  # relevance needs a search
        body = await answer(client, "/api/v1/units", status=422, sort=sort)
        assert refusal(body) == ("validation_error", ["sort"]), sort


# ---- cursor pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"level": "commune"},
        {"level": "commune", "generation": "all", "sort": "-name"},
        {"generation": "all", "sort": "code"},
        {"generation": "all", "sort": "-level"},
        {"q": "ha", "generation": "all"},
        {"q": "ha", "generation": "all", "sort": "-relevance"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
async def test_the_pages_hold_every_unit_exactly_once(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    found = [item["code"] for item in await walk(client, **params)]
    assert len(found) == len(set(found))
    first = await listed(client, limit=1, **params)
    assert first["total"] == len(found)
    assert first["data"][0]["code"] == found[0]


async def test_a_cursor_names_its_order_and_its_units(client: httpx.AsyncClient) -> None:
    page = await listed(client, parent=NATION, limit=5)
    cursor = page["next_cursor"]
    body = await answer(
        client, "/api/v1/units", status=422, parent=NATION, sort="code", cursor=cursor
    )
    assert refusal(body) == ("validation_error", ["cursor"])
    garbage = await answer(client, "/api/v1/units", status=422, cursor="not-a-cursor")
    assert refusal(garbage) == ("validation_error", ["cursor"])
    other_tree = encode_position("name", ["another-tree", 5], "24")
    stale = await answer(client, "/api/v1/units", status=422, cursor=other_tree)
    assert refusal(stale) == ("validation_error", ["cursor"])
    wrong_shape = encode_position("name", [load_units().key, "5"], "24")
    shaped = await answer(client, "/api/v1/units", status=422, cursor=wrong_shape)
    assert refusal(shaped) == ("validation_error", ["cursor"])


async def test_bad_parameters_are_refused_naming_them(client: httpx.AsyncClient) -> None:
    cases = {
        "level": {"level": "hamlet"},
        "generation": {"generation": "old"},
        "on": {"on": "2024-13-01"},
        "limit": {"limit": "0"},
        "parent": {"parent": "nowhere"},
        "levle": {"levle": "commune"},  # a typo is not silently ignored
    }
    for field, params in cases.items():
        body = await answer(client, "/api/v1/units", status=422, **params)
        assert refusal(body) == ("validation_error", [field]), field
    body = await answer(client, "/api/v1/units", status=422, limit="500")
    assert refusal(body) == ("validation_error", ["limit"])


# ---- scope --------------------------------------------------------------------------------------


async def test_a_hanoi_caller_never_sees_a_unit_of_ho_chi_minh_city(
    client: httpx.AsyncClient, tree: UnitTree
) -> None:
    seen = await walk(client, HANOI, generation="all")
    hanoi = Principal(sub="hanoi", unit=HANOI, roles=(Role.VIEWER,))
    assert all(in_scope(tree, hanoi, item["code"]) for item in seen)
    hcmc = tree.subtree_ids(HO_CHI_MINH_CITY) | tree.subtree_ids("old-79")
    assert not hcmc & {item["code"] for item in seen}
    assert {HANOI, HONG_HA, TU_LIEN, TAY_HO_DISTRICT, "old-01"} <= {item["code"] for item in seen}
    assert (await listed(client, HANOI, q="sai gon", generation="all"))["total"] == 0
    assert (await listed(client, NATION, q="sai gon"))["total"] >= 1
    body = await answer(client, "/api/v1/units", HANOI, status=403, parent=HO_CHI_MINH_CITY)
    assert refusal(body)[0] == "forbidden"
    await answer(client, "/api/v1/units", HANOI, status=403, parent=NATION)


async def test_a_commune_caller_sees_itself_and_the_old_units_that_went_into_it(
    client: httpx.AsyncClient, tree: UnitTree
) -> None:
    seen = {item["code"] for item in await walk(client, HONG_HA, generation="all")}
    came_from = {edge.predecessor_id for edge in tree.predecessors(HONG_HA)}
    assert TU_LIEN in came_from
    assert seen == {HONG_HA} | came_from
    assert set(await codes(client, HONG_HA)) == {HONG_HA}  # in force: itself alone
    await answer(client, "/api/v1/units", HONG_HA, status=403, parent=HANOI)


async def test_the_nations_caller_sees_every_unit(client: httpx.AsyncClient) -> None:
    assert (await listed(client, NATION, generation="all", limit=1))["total"] == len(load_units())


async def test_a_caller_needs_a_token_and_a_role(client: httpx.AsyncClient) -> None:
    for url in ("/api/v1/units", f"/api/v1/units/{HONG_HA}"):
        assert (await client.get(url)).status_code == 401
        token = issue_token(SECRET, unit=NATION, roles=[], sub="no-role")
        reply = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 403, reply.text


# ---- a unit's card ------------------------------------------------------------------------------


async def test_a_ward_in_force_shows_its_parents_and_the_wards_that_went_into_it(
    client: httpx.AsyncClient, tree: UnitTree
) -> None:
    card = await answer(client, f"/api/v1/units/{HONG_HA}", HONG_HA)
    assert (card["code"], card["name"], card["level"]) == (HONG_HA, "Phường Hồng Hà", "commune")
    assert card["display_name"] == "Phường Hồng Hà, Thành phố Hà Nội"
    assert [parent["code"] for parent in card["parents"]] == [NATION, HANOI]
    assert (card["units_below"], card["children"], card["successors"]) == ({}, [], [])
    predecessors = {item["unit"]["code"]: item["is_default"] for item in card["predecessors"]}
    assert predecessors[TU_LIEN] is True  # Tứ Liên's facts now count for Hồng Hà
    assert set(predecessors) == {edge.predecessor_id for edge in tree.predecessors(HONG_HA)}
    assert {item["unit"]["generation"] for item in card["predecessors"]} == {"legacy"}


async def test_a_ward_that_ceased_shows_the_wards_it_went_into_with_the_default_first(
    client: httpx.AsyncClient,
) -> None:
    card = await answer(client, f"/api/v1/units/{TU_LIEN}", HONG_HA)
    assert card["name"] == "Phường Tứ Liên"
    assert card["display_name"] == "Phường Tứ Liên, Quận Tây Hồ, Thành phố Hà Nội"
    assert [parent["code"] for parent in card["parents"]] == [NATION, "old-01", TAY_HO_DISTRICT]
    assert [(s["unit"]["code"], s["is_default"]) for s in card["successors"]] == [
        (HONG_HA, True),
        (TAY_HO_WARD, False),
    ]
    assert card["predecessors"] == []


async def test_a_province_shows_its_communes_in_name_order(
    client: httpx.AsyncClient, tree: UnitTree
) -> None:
    card = await answer(client, f"/api/v1/units/{HANOI}", HANOI)
    assert card["units_below"] == {"commune": HANOI_COMMUNES}
    children = [child["code"] for child in card["children"]]
    assert children == await codes(client, HANOI, parent=HANOI, limit=200)
    assert "old-01" in {item["unit"]["code"] for item in card["predecessors"]}


async def test_the_nation_and_an_old_province_count_what_was_in_force_alongside_them(
    client: httpx.AsyncClient,
) -> None:
    nation = await answer(client, f"/api/v1/units/{NATION}")
    assert nation["parents"] == []
    assert nation["units_below"] == {"province": 34, "commune": 3_321}
    assert len(nation["children"]) == 34
    old_hanoi = await answer(client, "/api/v1/units/old-01", HANOI)
    assert set(old_hanoi["units_below"]) == {"district", "commune"}
    assert {child["level"] for child in old_hanoi["children"]} == {"district"}
    assert [(s["unit"]["code"], s["is_default"]) for s in old_hanoi["successors"]] == [
        (HANOI, True)
    ]


async def test_a_card_outside_the_callers_scope_is_forbidden_and_an_unknown_one_not_found(
    client: httpx.AsyncClient,
) -> None:
    await answer(client, f"/api/v1/units/{HO_CHI_MINH_CITY}", HANOI, status=403)
    await answer(client, "/api/v1/units/old-79", HANOI, status=403)
    await answer(client, f"/api/v1/units/{HANOI}", HONG_HA, status=403)
    # The old district went into the city, not into one of its wards.
    await answer(client, f"/api/v1/units/{TAY_HO_DISTRICT}", HONG_HA, status=403)
    assert (await answer(client, f"/api/v1/units/{TAY_HO_DISTRICT}", HANOI))["children"]
    body = await answer(client, "/api/v1/units/nowhere", status=404)
    assert refusal(body)[0] == "not_found"


# ---- the API document ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example", [*LIST_EXAMPLES.values(), *DETAIL_EXAMPLES.values()], ids=lambda e: e["summary"]
)
async def test_the_documented_examples_are_real_answers(
    client: httpx.AsyncClient, example: dict[str, Any]
) -> None:
    url = urlsplit(example["summary"].removeprefix("GET "))
    assert await answer(client, url.path, **dict(parse_qsl(url.query))) == example["value"]


async def test_the_api_document_describes_the_directory(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    listing = document["paths"]["/api/v1/units"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert {"q", "level", "parent", "generation", "on", "sort", "limit", "cursor"} <= set(
        parameters
    )
    for name in ("q", "parent", "generation", "on", "sort"):
        assert parameters[name].get("description"), name
    assert parameters["q"]["schema"]["examples"] == ["tay ho"]
    assert parameters["on"]["schema"]["examples"] == ["2024-06-01"]
    examples = listing["responses"]["200"]["content"]["application/json"]["examples"]
    assert set(examples) == set(LIST_EXAMPLES)
    card = document["paths"]["/api/v1/units/{code}"]["get"]
    assert set(card["responses"]["200"]["content"]["application/json"]["examples"]) == set(
        DETAIL_EXAMPLES
    )
    assert {"403", "404", "422"} <= set(card["responses"])
    schema = document["components"]["schemas"]["UnitDetail"]["properties"]
    assert all(schema[field].get("description") for field in schema), schema


# ---- exports ------------------------------------------------------------------------------------


async def test_the_units_of_a_province_export_as_csv_and_xlsx_exactly_as_their_pages(
    client: httpx.AsyncClient,
) -> None:
    items = await assert_exports_hold_the_pages(
        client, "/api/v1/units", auth(HANOI), {"parent": HANOI}, name="units", limit=50
    )
    assert len(items) == 126
    assert "Phường Hồng Hà" in {item["name"] for item in items}
    # Outside the caller's scope, no file either.
    refused = await client.get(
        "/api/v1/units", params={"parent": "79", "format": "csv"}, headers=auth(HANOI)
    )
    assert refused.status_code == 403
