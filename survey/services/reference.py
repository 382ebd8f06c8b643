"""Reference data every installation starts with: the four measured service areas."""

from __future__ import annotations

from survey.extensions import db
from survey.models import ServiceArea

SERVICE_AREAS = (
    ("land", "Đất đai", "Land"),
    ("id_card", "Căn cước / Chứng minh nhân dân", "ID cards"),
    ("marriage", "Đăng ký kết hôn", "Marriage registration"),
    ("construction", "Giấy phép xây dựng", "Construction permits"),
)


def load_service_areas() -> int:
    """Add the built-in service areas that are missing; an office's own ones are kept."""
    have = set(db.session.execute(db.select(ServiceArea.code)).scalars())
    added = 0
    for code, name_vi, name_en in SERVICE_AREAS:
        if code not in have:
            db.session.add(ServiceArea(code=code, name_vi=name_vi, name_en=name_en))
            added += 1
    db.session.flush()
    return added
