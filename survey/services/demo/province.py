"""The fictional province of the demo: units, desks, procedures, and who handles what."""

from __future__ import annotations

from datetime import date

ROOT = "ST"  # Tỉnh Sơn Thủy: fictional, so no real office is scored by invented numbers

# code, name_vi, name_en, level, parent
UNITS = (
    (ROOT, "Tỉnh Sơn Thủy (dữ liệu minh họa)", "Son Thuy province (demo data)", "province", None),
    ("ST-STNMT", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment",
     "department", ROOT),
    ("ST-SXD", "Sở Xây dựng", "Department of Construction", "department", ROOT),
    ("ST-STP", "Sở Tư pháp", "Department of Justice", "department", ROOT),
    ("ST-CA", "Công an tỉnh", "Provincial Police", "department", ROOT),
    ("ST-TP", "Thành phố Sơn Thủy", "Son Thuy city", "district", ROOT),
    ("ST-H01", "Huyện Bình Sơn", "Binh Son district", "district", ROOT),
    ("ST-H02", "Huyện Đông Hòa", "Dong Hoa district", "district", ROOT),
    ("ST-TP-P01", "Phường Hòa Bình", "Hoa Binh ward", "commune", "ST-TP"),
    ("ST-TP-P02", "Phường Tân An", "Tan An ward", "commune", "ST-TP"),
    ("ST-TP-X01", "Xã Phú Hòa", "Phu Hoa commune", "commune", "ST-TP"),
    ("ST-H01-X01", "Xã Tân Lập", "Tan Lap commune", "commune", "ST-H01"),
    ("ST-H01-X02", "Xã Bình Minh", "Binh Minh commune", "commune", "ST-H01"),
    ("ST-H01-X03", "Xã Sơn Hà", "Son Ha commune", "commune", "ST-H01"),
    ("ST-H02-X01", "Xã Đông Phong", "Dong Phong commune", "commune", "ST-H02"),
    ("ST-H02-X02", "Xã Hòa Thắng", "Hoa Thang commune", "commune", "ST-H02"),
    ("ST-H02-X03", "Xã Ea Lê", "Ea Le commune", "commune", "ST-H02"),
)

# The two-level reform (docs/METHODOLOGY.md §10): on 1 July 2025 the districts were abolished,
# four communes merged two by two into new ones, Ea Lê was split between its two neighbours, and
# the communes that remained were attached to the province directly. The decision is fictional.
REFORM = date(2025, 7, 1)
REFORM_DECISION = ("1679/NQ-UBTVQH15", date(2025, 6, 16))
# code, name_vi, name_en, level, parent: the units the reform created
REFORM_UNITS = (
    ("ST-P01", "Phường Sơn Thủy", "Son Thuy ward", "commune", ROOT),
    ("ST-X01", "Xã Bình Lập", "Binh Lap commune", "commune", ROOT),
)
# unit, kind, successors (code, share) or the new parent; applied in this order, sub-units
# before the districts that held them
REFORM_EVENTS = (
    ("ST-TP-P01", "merge", (("ST-P01", 1.0),)),
    ("ST-TP-P02", "merge", (("ST-P01", 1.0),)),
    ("ST-H01-X01", "merge", (("ST-X01", 1.0),)),
    ("ST-H01-X02", "merge", (("ST-X01", 1.0),)),
    # shares of Ea Lê's dossiers each neighbour took over (the decision's annex)
    ("ST-H02-X03", "split", (("ST-H02-X01", 0.6), ("ST-H02-X02", 0.4))),
    ("ST-TP-X01", "move", ROOT),
    ("ST-H01-X03", "move", ROOT),
    ("ST-H02-X01", "move", ROOT),
    ("ST-H02-X02", "move", ROOT),
    ("ST-TP", "abolish", ()),
    ("ST-H01", "abolish", ()),
    ("ST-H02", "abolish", ()),
)

# Which units handle each service area (the sample survey interviews their clients).
DEPARTMENT_OF = {
    "land": "ST-STNMT",
    "construction": "ST-SXD",
    "marriage": "ST-STP",
    "id_card": "ST-CA",
}
DISTRICTS = ("ST-TP", "ST-H01", "ST-H02")
COMMUNES = tuple(code for code, *_, level, _parent in UNITS if level == "commune")
HANDLERS = {
    "land": (DEPARTMENT_OF["land"], *DISTRICTS, *COMMUNES),
    "construction": (DEPARTMENT_OF["construction"], *DISTRICTS),
    "marriage": (DEPARTMENT_OF["marriage"], *COMMUNES),
    "id_card": (DEPARTMENT_OF["id_card"], *DISTRICTS),
}
# After the reform the communes took over what the districts did.
ENDED = {code for code, kind, _ in REFORM_EVENTS if kind in ("merge", "split", "abolish")}
COMMUNES_AFTER = tuple(
    [code for code in COMMUNES if code not in ENDED] + [code for code, *_ in REFORM_UNITS])
HANDLERS_AFTER = {area: (DEPARTMENT_OF[area], *COMMUNES_AFTER) for area in HANDLERS}


def handlers(area: str, day: date) -> tuple[str, ...]:
    """The units that handled `area` on `day`."""
    return HANDLERS[area] if day < REFORM else HANDLERS_AFTER[area]

# Share satisfied with the overall item in the first and the last demo year, per service:
# ID cards and marriage cross 80 %, land and construction stay below it.
SATISFACTION = {
    "land": (0.62, 0.74),
    "construction": (0.57, 0.71),
    "marriage": (0.80, 0.91),
    "id_card": (0.72, 0.89),
}
YEARS = (2021, 2022, 2023, 2024, 2025)
# Share of applicants that are organisations (businesses, cooperatives), per service.
ORGANISATION_SHARE = {"construction": 0.35, "land": 0.15, "id_card": 0.02, "marriage": 0.0}

# group code, name_vi, name_en, service area
PROCEDURE_GROUPS = (
    ("land_registration", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất",
     "Land registration and certificates", "land"),
    ("land_use_change", "Chuyển mục đích sử dụng đất", "Change of land use", "land"),
    ("construction_permit", "Cấp giấy phép xây dựng", "Construction permits", "construction"),
    ("marriage_registration", "Đăng ký kết hôn", "Marriage registration", "marriage"),
    ("id_card_issue", "Cấp, đổi thẻ căn cước", "Issuing and renewing ID cards", "id_card"),
)

# code, name_vi, name_en, group, level
PROCEDURES = (
    ("1.004227", "Đăng ký đất đai, cấp Giấy chứng nhận lần đầu",
     "First land registration and certificate", "land_registration", "district"),
    ("1.004238", "Đăng ký biến động quyền sử dụng đất (chuyển nhượng)",
     "Registration of a land transfer", "land_registration", "province"),
    ("1.004244", "Đăng ký thế chấp quyền sử dụng đất", "Registration of a land mortgage",
     "land_registration", "commune"),
    ("1.004269", "Chuyển mục đích sử dụng đất", "Change of land use purpose", "land_use_change",
     "district"),
    ("1.009972", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Permit for a private house",
     "construction_permit", "district"),
    ("1.009974", "Cấp giấy phép xây dựng công trình", "Permit for a building project",
     "construction_permit", "province"),
    ("1.000894", "Đăng ký kết hôn", "Marriage registration", "marriage_registration",
     "commune"),
    ("1.001022", "Đăng ký kết hôn có yếu tố nước ngoài", "Marriage registration with a foreigner",
     "marriage_registration", "province"),
    ("2.001745", "Cấp thẻ căn cước", "Issuing an ID card", "id_card_issue", "district"),
    ("2.001746", "Đổi, cấp lại thẻ căn cước", "Renewing an ID card", "id_card_issue", "province"),
)

POSITIVE_COMMENTS = (
    "Cán bộ tiếp đón nhiệt tình, hướng dẫn rất chu đáo.",
    "Thủ tục nhanh gọn, trả kết quả đúng hẹn. Cảm ơn bộ phận một cửa!",
    "Phòng chờ sạch sẽ, có nước uống và máy lấy số tự động.",
    "Tôi hài lòng, nhân viên giải thích dễ hiểu.",
    "Nộp hồ sơ trực tuyến thuận tiện, không phải đi lại nhiều.",
)
NEGATIVE_COMMENTS = (
    "Phải bổ sung hồ sơ nhiều lần, mỗi lần cán bộ yêu cầu một giấy tờ khác.",
    "Thời gian chờ quá lâu, trả kết quả trễ hẹn hai tuần.",
    "Đề nghị niêm yết công khai phí, lệ phí rõ ràng hơn.",
    "Cán bộ thiếu niềm nở. Liên hệ tôi qua số 0912345678 để phản ánh thêm.",
    "Hồ sơ H12.22-240315-0042 bị trả lại mà không nêu rõ lý do.",
    "Chỗ để xe chật, phòng chờ nóng, ít ghế ngồi.",
)

# The province's PAR INDEX (entered, not computed); its method changed in 2016 and 2017.
PAR_INDEX = (
    (2015, 78.42, 31, False), (2016, 80.11, 27, True), (2017, 79.35, 25, True),
    (2018, 81.02, 22, False), (2019, 82.47, 19, False), (2020, 84.10, 16, False),
    (2021, 85.36, 14, False), (2022, 86.03, 12, False), (2023, 87.21, 10, False),
    (2024, 88.05, 9, False), (2025, 88.90, 8, False),
)
