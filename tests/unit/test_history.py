"""History rows: one per changed field, plain JSON values, newest first."""

from datetime import date

from backend.core.history import assign_with_history, history_of
from backend.extensions import db


def test_only_changed_fields_are_recorded_with_actor_and_reason(city):
    enterprise = city.ent_a
    old_phone = enterprise.contact_phone
    changed = assign_with_history(
        enterprise,
        "enterprise",
        {"contact_phone": "13800000000", "name": enterprise.name},
        city.admin,
        reason="换了值班电话",
    )
    db.session.commit()
    assert list(changed) == ["contact_phone"]
    [entry] = history_of("enterprise", enterprise.id)
    assert (entry.field, entry.before, entry.after) == ("contact_phone", old_phone, "13800000000")
    assert (entry.actor, entry.actor_id, entry.reason) == (city.admin.username, city.admin.id, "换了值班电话")
    assert enterprise.contact_phone == "13800000000"


def test_dates_are_stored_as_iso_text_and_listed_newest_first(city):
    device = city.dev_a
    assign_with_history(device, "device", {"next_inspection_due": date(2027, 1, 2)}, city.inspector)
    assign_with_history(device, "device", {"next_inspection_due": date(2027, 3, 4)}, city.inspector)
    db.session.commit()
    newest, older = history_of("device", device.id)
    assert (newest.before, newest.after) == ("2027-01-02", "2027-03-04")
    assert older.after == "2027-01-02"
    assert history_of("device", device.id + 1000) == []
