"""Evidence strength of a field record: "on site", or the plain reasons it is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.presence.rules import (
    PhotoFacts,
    Place,
    PresenceFacts,
    distance_m,
    evidence_strength,
    time_on_site,
)

AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
DEVICE = Place(36.6512, 117.1201)
NEAR = Place(36.6515, 117.1203, 15)  # ~40 m away
FAR = Place(36.6700, 117.1201, 20)  # ~2 km away
LIVE = PhotoFacts("camera", AT - timedelta(minutes=5))


def facts(**overrides) -> PresenceFacts:
    base = {"scan_times": [AT - timedelta(minutes=20), AT], "photos": [LIVE], "locations": [NEAR]}
    return PresenceFacts(**(base | overrides))


def test_scanned_live_photos_and_a_matching_place_are_on_site():
    found = evidence_strength(facts(), DEVICE, AT)
    assert found.on_site is True
    assert found.warnings == []


def test_a_gallery_photo_is_a_warning():
    found = evidence_strength(facts(photos=[LIVE, PhotoFacts("gallery", AT)]), DEVICE, AT)
    assert found.on_site is False
    assert found.warnings == ["gallery_photo"]


def test_no_label_scanned_is_a_warning():
    assert evidence_strength(facts(scan_times=[]), DEVICE, AT).warnings == ["no_scan"]


def test_far_from_the_devices_registered_place_is_a_warning():
    assert evidence_strength(facts(locations=[FAR]), DEVICE, AT).warnings == ["far_from_device"]


def test_a_fix_whose_accuracy_reaches_the_device_is_not_far():
    wide = Place(FAR.lat, FAR.lng, 2500)
    found = evidence_strength(facts(locations=[wide]), DEVICE, AT)
    assert "far_from_device" not in found.warnings
    assert found.warnings == ["imprecise_location"]


def test_denied_location_is_recorded_as_a_warning_not_a_failure_of_the_record():
    assert evidence_strength(facts(locations=["denied"]), DEVICE, AT).warnings == ["location_denied"]


def test_a_record_from_an_older_client_says_what_it_lacks():
    old = PresenceFacts(scan_times=[], photos=[PhotoFacts(None, None)], locations=[None])
    assert evidence_strength(old, DEVICE, AT).warnings == ["no_scan", "photo_unrecorded", "no_location"]


def test_a_photo_taken_long_before_the_record_is_old():
    stale = PhotoFacts("camera", AT - timedelta(days=3))
    assert evidence_strength(facts(photos=[stale]), DEVICE, AT).warnings == ["old_photo"]


def test_without_a_registered_place_the_distance_is_not_judged():
    assert evidence_strength(facts(locations=[FAR]), None, AT).on_site is True


def test_warnings_add_up():
    found = evidence_strength(
        facts(scan_times=[], photos=[PhotoFacts("gallery", AT)], locations=[FAR]), DEVICE, AT
    )
    assert found.warnings == ["no_scan", "gallery_photo", "far_from_device"]


def test_time_on_site_runs_from_the_first_scan_to_the_last():
    scans = [AT, AT - timedelta(minutes=42), AT - timedelta(minutes=10)]
    assert time_on_site(scans) == timedelta(minutes=42)
    assert time_on_site([]) is None


def test_distance_is_in_metres():
    assert 1900 < distance_m(DEVICE, FAR) < 2200
    assert distance_m(DEVICE, DEVICE) == 0
