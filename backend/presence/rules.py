"""Proof of presence: how strongly a field record shows its author was at the device (pure rules)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

#: a phone fix within this distance of the device's registered place (plus the fix's accuracy) is "on site"
ON_SITE_RADIUS_M = 200
#: a fix less precise than this proves nothing about the place
MAX_USEFUL_ACCURACY_M = 500
#: a "live" photo taken this long before the record was made is an old photo
PHOTO_MAX_AGE = timedelta(hours=12)
EARTH_RADIUS_M = 6_371_000


class PhotoSource(StrEnum):
    camera = "camera"
    gallery = "gallery"


class LocationState(StrEnum):
    """What the phone said instead of a position."""

    denied = "denied"
    unavailable = "unavailable"


class PresenceWarning(StrEnum):
    no_scan = "no_scan"
    gallery_photo = "gallery_photo"
    old_photo = "old_photo"
    photo_unrecorded = "photo_unrecorded"
    location_denied = "location_denied"
    location_unavailable = "location_unavailable"
    no_location = "no_location"
    imprecise_location = "imprecise_location"
    far_from_device = "far_from_device"


WARNING_LABELS = {
    PresenceWarning.no_scan: "未扫描设备标签",
    PresenceWarning.gallery_photo: "含相册照片",
    PresenceWarning.old_photo: "照片拍摄时间早于记录",
    PresenceWarning.photo_unrecorded: "照片来源未记录",
    PresenceWarning.location_denied: "未授权定位",
    PresenceWarning.location_unavailable: "无法定位",
    PresenceWarning.no_location: "未记录位置",
    PresenceWarning.imprecise_location: "定位精度不足",
    PresenceWarning.far_from_device: "位置远离设备登记地点",
}


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    accuracy_m: float = 0.0


@dataclass(frozen=True)
class PhotoFacts:
    source: str | None
    taken_at: datetime | None


@dataclass(frozen=True)
class PresenceFacts:
    """What a record states about where and how it was made."""

    scan_times: list[datetime] = field(default_factory=list)
    photos: list[PhotoFacts] = field(default_factory=list)
    #: each recorded fix: a Place, a LocationState value, or None (an old client sent nothing)
    locations: list[Place | str | None] = field(default_factory=list)


@dataclass(frozen=True)
class Evidence:
    on_site: bool
    warnings: list[str]


def distance_m(a: Place, b: Place) -> float:
    """Great-circle distance (haversine), good to metres at these scales."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlng = lat2 - lat1, math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def time_on_site(scan_times: list[datetime]) -> timedelta | None:
    """From the first label scanned to the last; None without a scan."""
    return max(scan_times) - min(scan_times) if scan_times else None


def _photo_warnings(photos: list[PhotoFacts], as_of: datetime) -> list[str]:
    warnings: list[str] = []
    if any(p.source == PhotoSource.gallery for p in photos):
        warnings.append(PresenceWarning.gallery_photo)
    if any(p.source is None for p in photos):
        warnings.append(PresenceWarning.photo_unrecorded)
    if any(p.taken_at is not None and as_of - p.taken_at > PHOTO_MAX_AGE for p in photos):
        warnings.append(PresenceWarning.old_photo)
    return warnings


def _place_warnings(
    locations: list[Place | str | None], device_place: Place | None, radius_m: float
) -> list[str]:
    if not locations or all(loc is None for loc in locations):
        return [PresenceWarning.no_location]
    warnings: list[str] = []
    if LocationState.denied in locations:
        warnings.append(PresenceWarning.location_denied)
    if LocationState.unavailable in locations:
        warnings.append(PresenceWarning.location_unavailable)
    fixes = [loc for loc in locations if isinstance(loc, Place)]
    if any(f.accuracy_m > MAX_USEFUL_ACCURACY_M for f in fixes):
        warnings.append(PresenceWarning.imprecise_location)
    if device_place is not None and any(distance_m(f, device_place) - f.accuracy_m > radius_m for f in fixes):
        warnings.append(PresenceWarning.far_from_device)
    return warnings


def evidence_strength(
    facts: PresenceFacts, device_place: Place | None, as_of: datetime, radius_m: float = ON_SITE_RADIUS_M
) -> Evidence:
    """ "On site" when a label was scanned, every photo is live and recent, and every fix matches the
    device's registered place (when it has one); otherwise the plain reasons it is not."""
    warnings: list[str] = [] if facts.scan_times else [PresenceWarning.no_scan]
    warnings += _photo_warnings(facts.photos, as_of)
    warnings += _place_warnings(facts.locations, device_place, radius_m)
    return Evidence(on_site=not warnings, warnings=[str(w) for w in warnings])
