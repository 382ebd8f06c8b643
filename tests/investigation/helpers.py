"""Builders shared by the investigation tests: a small province, and frame files."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from survey.extensions import db
from survey.models import Procedure, ServiceArea
from survey.services.investigation.investigations import create
from tests import factories

KEY = "q7dmh2DgUgOtl3vK9fmHkmpWJ2sG2B9bYMsNfAQwTjw="  # 32 bytes, URL-safe base64
HEADER = ["dossier_code", "procedure", "unit", "applicant_type", "resolved_on",
          "service_area", "commune", "contact_name", "phone", "email", "address"]
COMMUNES = [f"C{i:02d}" for i in range(1, 13)]


def build_province() -> None:
    """Province P; districts D1, D2; communes C01-C06 in D1, C07-C12 in D2; two procedures."""
    province = factories.unit("P")
    d1 = factories.unit("D1", "district", province)
    d2 = factories.unit("D2", "district", province)
    for i, code in enumerate(COMMUNES):
        factories.unit(code, "commune", d1 if i < 6 else d2)
    areas = dict(db.session.execute(db.select(ServiceArea.code, ServiceArea.id)).all())
    db.session.add_all([
        Procedure(code="LAND-01", name_vi="Cấp sổ đỏ", service_area_id=areas["land"],
                  level="district"),
        Procedure(code="MAR-01", name_vi="Đăng ký kết hôn", service_area_id=areas["marriage"],
                  level="commune"),
    ])
    factories.version("inv_q")
    db.session.flush()


def new_investigation(code: str = "INV-2025", **design):
    """A committed draft investigation of the year 2025 (a test may roll back an import)."""
    row = create(code, "Điều tra 2025", "inv_q", date(2025, 1, 1), date(2025, 12, 31),
                 design or {}, actor="test")
    db.session.commit()
    return row


def csv_bytes(rows: list[dict], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


def frame(count: int, seed: int = 1, phones: bool = False) -> list[dict]:
    """`count` valid dossiers: units D1, D2 and the communes; land at districts, marriage at
    communes; each commune's dossiers also carry their commune as PSU."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        commune = rng.choice(COMMUNES)
        district = "D1" if COMMUNES.index(commune) < 6 else "D2"
        land = rng.random() < 0.6
        row = {"dossier_code": f"HS-{i:07d}", "procedure": "LAND-01" if land else "MAR-01",
               "unit": district if land else commune,
               "applicant_type": rng.choice(["individual", "cá nhân", "organisation"]),
               "resolved_on": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
               "commune": commune}
        if phones:
            row["phone"] = f"09{i:08d}"
            row["contact_name"] = f"Nguyễn Văn {i}"
        rows.append(row)
    return rows
