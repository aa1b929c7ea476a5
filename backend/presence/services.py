"""Proof of presence kept with a field record: labels scanned, photos' provenance, the phone's place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.clock import utcnow
from backend.core.errors import ValidationFailed
from backend.devices.models import Device
from backend.devices.services import resolve_label
from backend.presence import rules
from backend.presence.rules import Evidence, PhotoFacts, Place, PresenceFacts

#: a scan this far ahead of the server's clock is made up, not a phone clock a little off
CLOCK_SKEW = timedelta(days=1)
#: scans and photos older than this cannot belong to the visit the record reports
OLDEST = timedelta(days=60)


def _moment_problem(at: datetime | None, now: datetime) -> str | None:
    if at is None:
        return None
    if at > now + CLOCK_SKEW:
        return "时间晚于当前时间 (in the future)"
    if at < now - OLDEST:
        return "时间过早 (too long ago)"
    return None


def _scans(scans: list[dict], enterprise_id: int, device_id: int | None, now: datetime) -> list[dict]:
    """Resolve each scanned token with the one label lookup; it must name the record's device (or, for
    a record about a whole enterprise, one of its devices)."""
    kept: list[dict] = []
    for index, scan in enumerate(scans):
        found = resolve_label(scan["token"])
        problem = _moment_problem(scan["at"], now)
        if found is None:
            problem = "标签无效或已作废 (unknown or revoked label)"
        elif found.device.enterprise_id != enterprise_id or device_id not in (None, found.device.id):
            problem = "标签不属于本记录的设备 (label of another device)"
        if problem or found is None:
            raise ValidationFailed(details={"fields": {"scans": {str(index): [problem]}}})
        entry = {"token": scan["token"], "position": found.position, "device_id": found.device.id}
        kept.append(entry | {"at": scan["at"].astimezone(UTC).isoformat()})
    return sorted(kept, key=lambda s: s["at"])


def _photo_meta(photos: list[str], meta: list[dict]) -> dict[str, dict]:
    """Provenance of the record's photos, by sha256 (entries about other photos are ignored)."""
    kept: dict[str, dict] = {}
    for entry in meta:
        if entry["sha256"] not in photos:
            continue
        # an old photo is a warning on the record (old_photo), never a reason to refuse it
        taken_at = entry.get("taken_at")
        kept[entry["sha256"]] = {
            "source": str(entry["source"]),
            "taken_at": taken_at.astimezone(UTC).isoformat() if taken_at else None,
            "geolocation": entry.get("geolocation"),
        }
    return kept


def presence_record(data: dict, photos: list[str], enterprise_id: int, device_id: int | None) -> dict | None:
    """What the record keeps of the payload's presence fields; None when an older client sent none."""
    now = utcnow()
    scans = _scans(data.get("scans") or [], enterprise_id, device_id, now)
    meta = _photo_meta(photos, data.get("photo_meta") or [])
    if not scans and not meta and data.get("geolocation") is None:
        return None
    return {"geolocation": data.get("geolocation"), "scans": scans, "photos": meta}


def _place(value) -> Place | str | None:
    if isinstance(value, dict):
        return Place(value["lat"], value["lng"], value["accuracy_m"])
    return value


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def presence_facts(presence: dict | None, photos: list[str]) -> PresenceFacts:
    """The rule's view of a stored record (photos without provenance count as unrecorded)."""
    presence = presence or {}
    meta = presence.get("photos") or {}
    unrecorded = PhotoFacts(None, None)
    photo_facts = [
        PhotoFacts(meta[sha]["source"], _when(meta[sha]["taken_at"])) if sha in meta else unrecorded
        for sha in photos
    ]
    locations = [_place(presence.get("geolocation"))] + [
        _place(meta[sha].get("geolocation")) for sha in photos if meta.get(sha, {}).get("geolocation")
    ]
    scan_times = [datetime.fromisoformat(s["at"]) for s in presence.get("scans") or []]
    return PresenceFacts(scan_times=scan_times, photos=photo_facts, locations=locations)


def device_place(device: Device | None) -> Place | None:
    if device is None or device.latitude is None or device.longitude is None:
        return None
    return Place(device.latitude, device.longitude)


def evidence_of(presence: dict | None, photos: list[str], device: Device | None, made_at: datetime) -> dict:
    """The record's evidence strength, as the detail pages show it."""
    facts = presence_facts(presence, photos)
    # an offline record reaches the server later: its photos are judged against the visit's own scans
    visit = max(facts.scan_times) if facts.scan_times else made_at
    found: Evidence = rules.evidence_strength(facts, device_place(device), visit)
    span = rules.time_on_site(facts.scan_times)
    return {
        "on_site": found.on_site,
        "warnings": found.warnings,
        "time_on_site_s": int(span.total_seconds()) if span is not None else None,
    }
