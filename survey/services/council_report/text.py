"""The report's words in Vietnamese (the document's language) and English.

Kept here rather than in the gettext catalogues: the document is built from plain data by
pure functions, and its wording is part of an administrative format, not of the UI.
"""

from __future__ import annotations

VI = {
    "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "slogan": "Độc lập - Tự do - Hạnh phúc",
    "number": "Số: {number}/{symbol}",
    "kind": "BÁO CÁO",
    "title": "Kết quả khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của "
             "cơ quan hành chính nhà nước năm {year}",
    "partial": "Lưu ý: năm {year} chưa kết thúc; số liệu còn thay đổi cho đến hết năm.",
    "too_little": "Năm {year} chưa đủ dữ liệu để tính chỉ số hài lòng (n = {n}; cần ít nhất "
                  "{min_n} người trả lời).",
    "s_general": "KẾT QUẢ CHUNG",
    "headline": "Năm {year}, chỉ số hài lòng chung (tỷ lệ người trả lời “hài lòng” hoặc “rất "
                "hài lòng”) là {share} (khoảng tin cậy 95 %: {ci}; n = {n} người trả lời).",
    "verdict": "So với mục tiêu {target}: {verdict} (cận dưới tin cậy một phía 95 % là "
               "{lower}).",
    "change": "So với năm {prev} ({prev_share}), chỉ số {direction} {delta} điểm phần trăm "
              "(khoảng tin cậy 95 %: {low} đến {high} điểm); {significance} (p đã hiệu chỉnh "
              "Benjamini–Hochberg {p}).",
    "up": "tăng", "down": "giảm", "same": "không đổi",
    "significant": "thay đổi này có ý nghĩa thống kê",
    "not_significant": "thay đổi này không có ý nghĩa thống kê",
    "no_change": "Không so sánh được với năm {prev} (năm trước không có hoặc chưa đủ dữ liệu).",
    "chart_series": "Biểu đồ 1. Chỉ số hài lòng chung {first}–{last}, khoảng tin cậy 95 % và "
                    "mục tiêu {target}",
    "chart_areas": "Biểu đồ 2. Chỉ số hài lòng theo lĩnh vực {first}–{last}",
    "chart_par": "Biểu đồ 3. Chỉ số PAR INDEX (đoạn mới sau mỗi lần thay đổi phương pháp)",
    "s_areas": "THEO LĨNH VỰC",
    "s_respondents": "CÁ NHÂN VÀ TỔ CHỨC",
    "group_line": "{name}: {share} (khoảng tin cậy 95 %: {ci}; n = {n}), {verdict}",
    "group_change": "; so với năm trước {delta} điểm, {significance}",
    "group_hidden": "{name}: chưa đủ số người trả lời để công bố (n = {n}).",
    "group_hidden_beside": "{name}: không công bố tỷ lệ (n = {n}) để không thể suy ra bằng "
                           "phép trừ kết quả của nhóm nhỏ bên cạnh.",
    "s_par": "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)",
    "par_latest": "Năm {year}, chỉ số PAR INDEX của tỉnh đạt {score} điểm{rank}.",
    "par_rank": ", xếp hạng {rank}",
    "par_breaks": "Phương pháp đánh giá thay đổi từ các năm {years}: mỗi năm đó bắt đầu một "
                  "chuỗi mới, không so sánh trực tiếp với các năm trước.",
    "par_none": "Chưa có số liệu PAR INDEX.",
    "par_break_note": "Thay đổi phương pháp",
    "s_method": "GHI CHÚ PHƯƠNG PHÁP",
    "s_appendix": "PHỤ LỤC. KẾT QUẢ THEO NHÓM THỦ TỤC HÀNH CHÍNH",
    "appendix_intro": "Tỷ lệ hài lòng lấy từ khảo sát mẫu (có khoảng tin cậy); số hồ sơ và tỷ lệ "
                      "đúng hạn lấy từ thống kê hồ sơ năm {year} (số đếm toàn bộ, không có sai "
                      "số chọn mẫu).",
    "t_areas": "Bảng 1. Chỉ số hài lòng theo lĩnh vực",
    "t_respondents": "Bảng 2. Cá nhân và tổ chức",
    "t_par": "Bảng {n}. Chỉ số PAR INDEX",
    "t_appendix": "Phụ lục. Chỉ số hài lòng, hồ sơ và tỷ lệ giải quyết đúng hạn theo nhóm thủ tục",
    "h_group": "Nhóm", "h_area": "Lĩnh vực", "h_type": "Đối tượng",
    "h_procedure_group": "Nhóm thủ tục",
    "h_n": "n", "h_share": "Tỷ lệ hài lòng", "h_ci": "KTC 95 %", "h_delta": "Thay đổi (điểm)",
    "h_sig": "Ý nghĩa thống kê", "h_verdict": "Đánh giá",
    "h_received": "Hồ sơ tiếp nhận", "h_resolved": "Đã giải quyết", "h_on_time": "Đúng hạn",
    "h_year": "Năm", "h_score": "Điểm", "h_rank": "Xếp hạng", "h_note": "Ghi chú",
    "yes": "có", "no": "không",
    "small_n": "n nhỏ",
    "verdicts": {"meets": "đạt mục tiêu", "not_established": "chưa khẳng định được",
                 "below": "dưới mục tiêu"},
    "method": (
        "Tỷ lệ hài lòng = số người trả lời 4 (Hài lòng) hoặc 5 (Rất hài lòng) ở câu hỏi hài "
        "lòng chung, chia cho số người trả lời câu đó; các mã không trả lời không tính vào n.",
        "Khoảng tin cậy 95 % là khoảng Wilson.",
        "So sánh với mục tiêu bằng kiểm định nhị thức chính xác một phía: chỉ kết luận “đạt mục "
        "tiêu” khi cận dưới một phía 95 % (Clopper–Pearson) không thấp hơn mục tiêu; “dưới mục "
        "tiêu” khi cận trên của khoảng tin cậy thấp hơn mục tiêu; còn lại là “chưa khẳng định "
        "được”.",
        "Thay đổi so với năm trước: chênh lệch tính bằng điểm phần trăm, khoảng tin cậy 95 % "
        "Newcombe và kiểm định z hai tỷ lệ; giá trị p được hiệu chỉnh Benjamini–Hochberg (tỷ lệ "
        "phát hiện sai 5 %) trong từng bảng.",
        "Nhóm có dưới 30 người trả lời, và các nhóm được ẩn kèm để không thể suy ra bằng phép "
        "trừ, chỉ ghi số người trả lời (n).",
        "Đánh giá theo từng hồ sơ (người dân tự chọn đánh giá) không được gộp vào các số liệu "
        "này.",
    ),
    # which units the figures are counted under (METHODOLOGY §10); one is added to the notes
    "views": {
        "today": "Số liệu được tính theo đơn vị hiện nay: số liệu ghi nhận ở các đơn vị về sau "
                 "đã sáp nhập, chia tách hoặc điều chỉnh được tính cho các đơn vị hiện nay "
                 "(sáp nhập cộng đúng số liệu; chia tách phân bổ theo tỷ lệ đã công bố, là số "
                 "ước tính); thay đổi qua một lần điều chỉnh địa giới không được kiểm định.",
        "recorded": "Số liệu được tính theo đơn vị lúc ghi nhận: mỗi số liệu giữ ở đơn vị đã "
                    "ghi nhận và đơn vị cấp trên của đơn vị đó tại thời điểm ghi nhận; thay "
                    "đổi qua một lần điều chỉnh địa giới không được kiểm định.",
    },
    # the five elements, with the feedback cases beside element E (#23)
    "s_elements": "CÁC YẾU TỐ ĐÁNH GIÁ",
    "elements_intro": "Chỉ số của mỗi yếu tố năm {year} là trung bình tỷ lệ hài lòng của các câu "
                      "hỏi thuộc yếu tố đó (khảo sát mở); chỉ số chung của năm yếu tố là {index}.",
    "elements_none": "Năm {year} chưa đủ dữ liệu về các yếu tố.",
    "t_elements": "Bảng {n}. Chỉ số các yếu tố và việc xử lý phản ánh, kiến nghị",
    "h_element": "Yếu tố", "h_cases_on_time": "Phản ánh trả lời đúng hạn",
    "h_cases_days": "Thời gian trả lời (trung vị, ngày)",
    "element_names": {"A": "A. Tiếp cận dịch vụ", "B": "B. Thủ tục hành chính",
                      "C": "C. Công chức", "D": "D. Kết quả giải quyết",
                      "E": "E. Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"},
    "feedback_e": "Bên cạnh yếu tố E, việc xử lý phản ánh, kiến nghị trên thực tế: năm {year} "
                  "tiếp nhận {cases} phản ánh, kiến nghị; trong {judged} vụ việc đã đến hạn, "
                  "{on_time} vụ việc được trả lời đúng hạn ({share}); thời gian trả lời trung vị "
                  "{days} ngày.",
    "feedback_none": "Năm {year} không có phản ánh, kiến nghị nào được tiếp nhận qua hệ thống.",
    # the sampled investigation (#20), beside the open collection, never pooled
    "s_investigation": "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC (KHẢO SÁT CHỌN MẪU)",
    "inv_intro": "Các số liệu dưới đây là ước lượng có trọng số từ mẫu xác suất của cuộc điều "
                 "tra, trình bày bên cạnh số liệu khảo sát mở ở các phần trên và không gộp "
                 "chung với số liệu đó.",
    "inv_line": "{name} ({period}): chọn mẫu {sampled} hồ sơ, {respondents} người trả lời "
                "(tỷ lệ trả lời {rate}). Tỷ lệ hài lòng có trọng số {share} (khoảng tin cậy "
                "95 %: {ci}; sai số chuẩn {se} điểm; hiệu ứng thiết kế {deff}), {verdict}; "
                "chỉ số chung {index}.",
    "inv_small": "{name} ({period}): {respondents} người trả lời, chưa đủ để công bố ước "
                 "lượng.",
    "inv_none": "{name} ({period}): chọn mẫu {sampled} hồ sơ, chưa có phiếu hoàn thành.",
    "inv_uncovered": "Các tầng chưa có người trả lời không được tính vào ước lượng (bao phủ "
                     "{coverage} dàn mẫu).",
    "t_investigation": "Bảng {n}. {name}: kết quả có trọng số",
    "h_measure": "Chỉ tiêu", "h_estimate": "Ước lượng", "h_se": "Sai số chuẩn (điểm)",
    "h_deff": "Hiệu ứng thiết kế", "h_inv_area": "Lĩnh vực (điều tra)",
    "t_investigation_areas": "Bảng {n}. {name}: tỷ lệ hài lòng có trọng số theo lĩnh vực",
    "inv_overall": "Tỷ lệ hài lòng (câu hỏi chung)", "inv_index": "Chỉ số chung (năm yếu tố)",
    "inv_method": "Điều tra xã hội học: trọng số thiết kế 1/π theo xác suất chọn đã lưu của "
                  "mọi giai đoạn, điều chỉnh không trả lời trong từng tầng; sai số chuẩn tính "
                  "bằng tuyến tính hóa Taylor theo tầng và đơn vị mẫu cấp một; khoảng tin cậy "
                  "95 % theo phân phối t; so với mục tiêu bằng cận dưới tin cậy một phía 95 %.",
    "recipients_label": "Nơi nhận:",
    "recipients": ("- Thường trực Hội đồng nhân dân {place_kind};",
                   "- Các Ban của Hội đồng nhân dân {place_kind};",
                   "- Đại biểu Hội đồng nhân dân {place_kind};",
                   "- Lưu: VT."),
    "authority": "TM. ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH",
    "sign_note": "(Ký tên, đóng dấu)",
    "name_placeholder": "…………………………",
    "file": "bao-cao-hai-long-{year}",
}

EN = {
    "motto": "SOCIALIST REPUBLIC OF VIET NAM",
    "slogan": "Independence - Freedom - Happiness",
    "number": "No.: {number}/{symbol}",
    "kind": "REPORT",
    "title": "Satisfaction of citizens and organisations with the public administration's "
             "services in {year}",
    "partial": "Note: {year} is not over yet; its figures will change until the year ends.",
    "too_little": "There are too few data for {year} to compute the satisfaction index "
                  "(n = {n}; at least {min_n} respondents are needed).",
    "s_general": "OVERALL RESULT",
    "headline": "In {year}, the overall satisfaction index (share of respondents answering "
                "“satisfied” or “very satisfied”) is {share} (95 % confidence interval: {ci}; "
                "n = {n} respondents).",
    "verdict": "Against the target of {target}: {verdict} (one-sided 95 % lower bound "
               "{lower}).",
    "change": "Compared with {prev} ({prev_share}), the index {direction} {delta} percentage "
              "points (95 % confidence interval: {low} to {high} points); {significance} "
              "(Benjamini–Hochberg adjusted p {p}).",
    "up": "rose by", "down": "fell by", "same": "changed by",
    "significant": "the change is statistically significant",
    "not_significant": "the change is not statistically significant",
    "no_change": "No comparison with {prev} (no or too few data that year).",
    "chart_series": "Chart 1. Overall satisfaction {first}–{last}, 95 % confidence intervals "
                    "and the {target} target",
    "chart_areas": "Chart 2. Satisfaction per service area {first}–{last}",
    "chart_par": "Chart 3. PAR INDEX (a new segment after each change of method)",
    "s_areas": "PER SERVICE AREA",
    "s_respondents": "INDIVIDUALS AND ORGANISATIONS",
    "group_line": "{name}: {share} (95 % confidence interval: {ci}; n = {n}), {verdict}",
    "group_change": "; change from the previous year {delta} points, {significance}",
    "group_hidden": "{name}: too few respondents to publish (n = {n}).",
    "group_hidden_beside": "{name}: share not published (n = {n}) so that the small group "
                           "beside it cannot be worked out by subtraction.",
    "s_par": "PUBLIC ADMINISTRATION REFORM INDEX (PAR INDEX)",
    "par_latest": "In {year}, the province's PAR INDEX was {score} points{rank}.",
    "par_rank": ", rank {rank}",
    "par_breaks": "The method changed in {years}: each of those years starts a new series, not "
                  "compared directly with earlier years.",
    "par_none": "No PAR INDEX figures yet.",
    "par_break_note": "Change of method",
    "s_method": "METHOD NOTES",
    "s_appendix": "APPENDIX. RESULTS PER PROCEDURE GROUP",
    "appendix_intro": "Satisfaction comes from the sample survey (with confidence intervals); "
                      "dossier counts and on-time rates come from the dossier statistics of "
                      "{year} (whole counts, no sampling error).",
    "t_areas": "Table 1. Satisfaction per service area",
    "t_respondents": "Table 2. Individuals and organisations",
    "t_par": "Table {n}. PAR INDEX",
    "t_appendix": "Appendix. Satisfaction, dossiers and on-time resolution per procedure group",
    "h_group": "Group", "h_area": "Service area", "h_type": "Respondents",
    "h_procedure_group": "Procedure group",
    "h_n": "n", "h_share": "% satisfied", "h_ci": "95 % CI", "h_delta": "Change (points)",
    "h_sig": "Significant", "h_verdict": "Verdict",
    "h_received": "Dossiers received", "h_resolved": "Resolved", "h_on_time": "On time",
    "h_year": "Year", "h_score": "Score", "h_rank": "Rank", "h_note": "Note",
    "yes": "yes", "no": "no",
    "small_n": "small n",
    "verdicts": {"meets": "meets the target", "not_established": "not established",
                 "below": "below the target"},
    "method": (
        "% satisfied = respondents answering 4 (Satisfied) or 5 (Very satisfied) to the overall "
        "satisfaction item, over those who answered it; no-answer codes are excluded from n.",
        "95 % confidence intervals are Wilson score intervals.",
        "The target is tested with a one-sided exact binomial test: a figure “meets the target” "
        "only when its one-sided 95 % Clopper–Pearson lower bound is at least the target, is "
        "“below the target” when its interval lies under it, and is “not established” "
        "otherwise.",
        "Changes from the previous year: difference in percentage points with the Newcombe 95 % "
        "interval and a two-proportion z-test; p-values adjusted by Benjamini–Hochberg (false "
        "discovery rate 5 %) within each table.",
        "Groups with fewer than 30 respondents, and the groups hidden beside them so that none "
        "can be worked out by subtraction, show their count (n) only.",
        "Per-dossier ratings are self-selected and are not part of these figures.",
    ),
    "views": {
        "today": "Figures are counted on today's units: figures recorded under units that were "
                 "later merged, split or redrawn are re-attributed to today's units (a merge "
                 "adds exactly; a split shares them out by its documented shares, an "
                 "estimate); a change across a change of territory is not tested.",
        "recorded": "Figures are counted as recorded: each stays under the unit that recorded "
                    "it and that unit's parent at the time; a change across a change of "
                    "territory is not tested.",
    },
    "s_elements": "THE ASSESSED ELEMENTS",
    "elements_intro": "Each element's index in {year} is the mean of its items' % satisfied "
                      "(open collection); the overall index of the five elements is {index}.",
    "elements_none": "There are too few data on the elements in {year}.",
    "t_elements": "Table {n}. The elements' indices and the handling of feedback",
    "h_element": "Element", "h_cases_on_time": "Feedback answered on time",
    "h_cases_days": "Days to answer (median)",
    "element_names": {"A": "A. Access to the service", "B": "B. Administrative procedures",
                      "C": "C. Civil servants", "D": "D. Results",
                      "E": "E. Receiving and handling feedback"},
    "feedback_e": "Beside element E, feedback handling in practice: in {year}, {cases} feedback "
                  "cases were received; of the {judged} due, {on_time} were answered on time "
                  "({share}); the median time to answer was {days} days.",
    "feedback_none": "No feedback case was received through the system in {year}.",
    "s_investigation": "SOCIOLOGICAL INVESTIGATION (SAMPLE SURVEY) RESULTS",
    "inv_intro": "The figures below are weighted estimates from the investigation's "
                 "probability sample, shown beside the open collection's figures above and "
                 "never pooled with them.",
    "inv_line": "{name} ({period}): {sampled} dossiers sampled, {respondents} respondents "
                "(response rate {rate}). Weighted share satisfied {share} (95 % confidence "
                "interval: {ci}; standard error {se} points; design effect {deff}), {verdict}; "
                "overall index {index}.",
    "inv_small": "{name} ({period}): {respondents} respondents, too few to publish an "
                 "estimate.",
    "inv_none": "{name} ({period}): {sampled} dossiers sampled, no completed case yet.",
    "inv_uncovered": "Strata without a respondent are left out of the estimates (the "
                     "estimates cover {coverage} of the frame).",
    "t_investigation": "Table {n}. {name}: weighted results",
    "h_measure": "Measure", "h_estimate": "Estimate", "h_se": "Standard error (points)",
    "h_deff": "Design effect", "h_inv_area": "Service area (investigation)",
    "t_investigation_areas": "Table {n}. {name}: weighted share satisfied per service area",
    "inv_overall": "Share satisfied (overall item)", "inv_index": "Overall index (five elements)",
    "inv_method": "Sociological investigation: design weights 1/π from the stored inclusion "
                  "probabilities of every stage, non-response adjusted within strata; standard "
                  "errors by Taylor linearisation over strata and primary sampling units; 95 % "
                  "intervals from the t distribution; the target tested with the one-sided 95 % "
                  "lower bound.",
    "recipients_label": "Recipients:",
    "recipients": ("- Standing Committee of the {place_kind} People's Council;",
                   "- Committees of the {place_kind} People's Council;",
                   "- Deputies of the {place_kind} People's Council;",
                   "- Archive: VT."),
    "authority": "ON BEHALF OF THE PEOPLE'S COMMITTEE", "position": "CHAIRPERSON",
    "sign_note": "(Signature and seal)",
    "name_placeholder": "…………………………",
    "file": "council-report-{year}",
}


def words(lang: str) -> dict:
    return EN if lang == "en" else VI
