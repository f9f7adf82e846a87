"""What the gateway keeps of composed views, and when it lets go of them."""

from __future__ import annotations

from danvan.notes import EVERYWHERE
from services.gateway.view_cache import CachedView, ViewCache, etag_of, matches

HANOI_VIEW = CachedView(b"{}", etag_of(b"{}"), frozenset({"01"}))
NATION_VIEW = CachedView(b"[]", etag_of(b"[]"), None)


def stored(cache: ViewCache, key: str, view: CachedView) -> None:
    cache.put(key, view, cache.version(view.provinces))


def test_a_view_is_kept_until_its_province_changes_and_only_then() -> None:
    cache = ViewCache(ttl=60, size=10)
    stored(cache, "hanoi", HANOI_VIEW)
    cache.changed("79")
    assert cache.get("hanoi") == HANOI_VIEW
    cache.changed("01")
    assert cache.get("hanoi") is None


def test_the_nations_view_goes_stale_on_a_change_anywhere() -> None:
    cache = ViewCache(ttl=60, size=10)
    stored(cache, "nation", NATION_VIEW)
    cache.changed("79")
    assert cache.get("nation") is None


def test_a_view_composed_while_its_province_changed_is_not_kept() -> None:
    cache = ViewCache(ttl=60, size=10)
    before = cache.version(HANOI_VIEW.provinces)
    cache.changed("01")  # an event arrives while the view is being composed
    cache.put("hanoi", HANOI_VIEW, before)
    assert cache.get("hanoi") is None
    cache.put("hanoi", HANOI_VIEW, cache.version(HANOI_VIEW.provinces))
    assert cache.get("hanoi") == HANOI_VIEW


def test_a_rebuild_drops_every_view() -> None:
    cache = ViewCache(ttl=60, size=10)
    stored(cache, "hanoi", HANOI_VIEW)
    stored(cache, "nation", NATION_VIEW)
    cache.changed(EVERYWHERE)
    assert cache.get("hanoi") is None
    assert cache.get("nation") is None


def test_if_none_match_compares_entity_tags_weakly_and_in_lists() -> None:
    tag = '"abc"'
    assert matches('"abc"', tag)
    assert matches('W/"abc"', tag)
    assert matches('"x", "abc"', tag)
    assert matches("*", tag)
    assert not matches('"abd"', tag)
    assert not matches(None, tag)
