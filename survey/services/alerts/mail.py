"""Telling people: one e-mail per new alert to its recipients, with the chart that triggered it
attached (SVG), and the weekly digest per recipient.

E-mail goes through the feedback cases' SMTP sender (SMTP_* settings). Vietnamese first, an
English line after it (the command line has no page language). What the sending did is kept
on the alert (`notified`), never the addresses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import Alert, AlertDigest, Kiosk, ServiceArea, Unit, now_utc
from survey.services.alerts import chart as charts
from survey.services.alerts import recipients
from survey.services.feedback.senders import SendResult, sender_for

KIND_VI = {"cusum": "Mức hài lòng giảm", "burst": "Đánh giá dồn dập tại ki-ốt"}
KIND_EN = {"cusum": "Satisfaction fell", "burst": "Burst of ratings at a kiosk"}


@dataclass(frozen=True, slots=True)
class Notified:
    alert_id: int
    recipients: int
    sent: int
    detail: str


def describe(alert: Alert) -> tuple[str, str]:
    """(what, where) in Vietnamese: the alert's kind and its unit, service area or kiosk."""
    unit = db.session.get(Unit, alert.unit_id)
    where = unit.name_vi
    if alert.kind == "cusum" and alert.service_area_id:
        area = db.session.get(ServiceArea, alert.service_area_id)
        where += f" – {area.name_vi}" if area else ""
    elif alert.kind == "burst":
        kiosk = db.session.get(Kiosk, alert.kiosk_id)
        where += f" – ki-ốt {kiosk.name if kiosk else alert.kiosk_id}"
    return KIND_VI[alert.kind], where


def _body(alert: Alert, link: str) -> str:
    what, where = describe(alert)
    day = f"{alert.day:%d/%m/%Y}"
    if alert.kind == "cusum":
        c = alert.chart
        n, x = sum(c["n"]), sum(c["x"])
        share = f"{x / n:.0%}" if n else "–"
        lines = [
            f"{what}: {where}, ngày {day}.",
            f"Chỉ số CUSUM S = {alert.statistic:.2f} vượt ngưỡng h = {alert.threshold:.2f}.",
            f"Tỷ lệ hài lòng của đơn vị thường là {c['p0']:.0%} ({c['baseline_n']} đánh giá "
            f"trong {c['baseline_days']} ngày); từ {_dmy(c['days'][0])} đến {day}: "
            f"{x}/{n} hài lòng ({share}).",
            "Biểu đồ đính kèm (tệp SVG).",
            "",
            f"Satisfaction fell at {where} on {day}: CUSUM S = {alert.statistic:.2f} > "
            f"h = {alert.threshold:.2f} (usual share {c['p0']:.0%}; {x}/{n} satisfied since "
            f"{_dmy(c['days'][0])}). Chart attached (SVG).",
        ]
    else:
        c = alert.chart
        lines = [
            f"{what}: {where}, ngày {day}, {alert.hour}h–{alert.hour + 1}h.",
            f"{alert.statistic:.0f} đánh giá trong một giờ, trong khi thường là "
            f"{c['usual']:.1f} mỗi giờ (ngưỡng: {alert.threshold:.0f}; p = {c['p_value']:.1e}).",
            "Có thể là bấm lặp để làm đẹp hoặc làm xấu số liệu: kiểm tra và, nếu cần, cách ly "
            "tại trang Bất thường.",
            "",
            f"Burst at {where} on {day}, {alert.hour}:00–{alert.hour + 1}:00: "
            f"{alert.statistic:.0f} responses in one hour against a usual {c['usual']:.1f} "
            f"(flagged from {alert.threshold:.0f}). Chart attached (SVG).",
        ]
    return "\n".join([*lines, "", f"Xem / View: {link}", ""])


def _dmy(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y")


def _send(address: str, subject: str, body: str, attachments=()) -> SendResult:
    """Through the e-mail sender; with the chart when it is the SMTP sender (a plugged
    gateway takes text only)."""
    sender = sender_for("email")
    if not hasattr(sender, "send_message"):
        return sender.send(address, subject, body)
    message = sender.message(address, subject, body)
    for filename, svg in attachments:
        message.add_attachment(svg.encode("utf-8"), maintype="image", subtype="svg+xml",
                               filename=filename)
    return sender.send_message(message)


def pending() -> list[Alert]:
    """Alerts never notified: new ones, and those of a run stopped by a bad setting."""
    return list(db.session.execute(select(Alert).where(Alert.notified_at.is_(None))
                                   .order_by(Alert.id)).scalars())


def notify(alerts: list[Alert], config, link_for=None) -> list[Notified]:
    """E-mail each alert not yet notified to its recipients; marks it notified (once)."""
    done = []
    for alert in alerts:
        if alert.notified_at is not None:
            continue
        unit = db.session.get(Unit, alert.unit_id)
        to = recipients.for_unit(unit, config)
        what, where = describe(alert)
        link = link_for(alert) if link_for else f"/alerts/{alert.id}"
        subject = f"[Cảnh báo] {what} – {where} – {alert.day:%d/%m/%Y}"
        svg = charts.svg_for(alert, f"{what} – {where}", "h" if alert.kind == "cusum"
                             else "ngưỡng")
        results = [_send(address, subject, _body(alert, link),
                         [(f"canh-bao-{alert.id}.svg", svg)]) for address in to]
        sent = sum(r.sent for r in results)
        if not to:
            detail = "no e-mail address configured for this unit"
        else:
            failed = sorted({r.detail for r in results if not r.sent})
            detail = f"e-mailed {sent} of {len(to)}" + (f" ({'; '.join(failed)})"
                                                        if failed else "")
        alert.notified_at, alert.notified = now_utc(), detail[:500]
        done.append(Notified(alert.id, len(to), sent, detail))
    db.session.flush()
    return done


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _week_alerts(week: date) -> list[tuple[Alert, Unit]]:
    return list(db.session.execute(
        select(Alert, Unit).join(Unit, Unit.id == Alert.unit_id)
        .where(Alert.day >= week, Alert.day < week + timedelta(days=7))
        .order_by(Alert.day, Alert.id)).all())


def _digest_body(week: date, rows: list[tuple[Alert, Unit]], link: str) -> str:
    end = week + timedelta(days=6)
    kinds = Counter(alert.kind for alert, _ in rows)
    still_open = sum(alert.state == "open" for alert, _ in rows)
    lines = [f"Tóm tắt cảnh báo tuần {week:%d/%m/%Y} – {end:%d/%m/%Y}",
             f"Weekly alert digest, {week:%d/%m/%Y} – {end:%d/%m/%Y}", ""]
    if not rows:
        lines.append("Không có cảnh báo nào trong tuần. / No alert this week.")
    else:
        lines.append(f"{len(rows)} cảnh báo / alerts: {kinds.get('cusum', 0)} mức hài lòng "
                     f"giảm / satisfaction fell, {kinds.get('burst', 0)} đánh giá dồn dập / "
                     f"bursts; {still_open} chưa xác nhận / not acknowledged.")
        lines.append("")
        for alert, _unit in rows:
            what, where = describe(alert)
            state = "đã xác nhận" if alert.state == "acknowledged" else "chưa xác nhận"
            lines.append(f"- {alert.day:%d/%m/%Y} {what}: {where} "
                         f"(S/n = {alert.statistic:.2f}, ngưỡng {alert.threshold:.2f}; {state})")
    lines += ["", f"Xem / View: {link}", ""]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Digested:
    recipient_units: str  # the unit codes the address is given for, never the address
    alerts: int
    sent: bool
    detail: str
    already: bool = False


def digest(week: date, config, link: str = "/alerts/", now: datetime | None = None,
           force: bool = False) -> list[Digested]:
    """One digest per address (officers' and leaders') for the week starting `week` (a
    Monday): the alerts of the units it covers. Sent once per address and week (`force`
    sends again)."""
    now = now or now_utc()
    rows = _week_alerts(week)
    covered: dict[str, set[str]] = {}
    for code, address in recipients.addresses(config):
        covered.setdefault(address, set()).add(code)
    done = []
    for address, codes in sorted(covered.items()):
        mine = [(a, u) for a, u in rows if codes & {c for c in u.path.split("/") if c}]
        label = ",".join(sorted(codes))
        stored = db.session.get(AlertDigest, (week, address))
        if stored is not None and not force:
            done.append(Digested(label, len(mine), False, "already sent", already=True))
            continue
        result = _send(address, f"[Cảnh báo] Tóm tắt tuần {week:%d/%m/%Y}: {len(mine)} cảnh "
                       "báo", _digest_body(week, mine, link))
        if result.sent:
            if stored is None:
                db.session.add(AlertDigest(week=week, recipient=address, sent_at=now,
                                           alerts=len(mine), detail=result.detail[:200]))
            else:
                stored.sent_at, stored.alerts = now, len(mine)
        done.append(Digested(label, len(mine), result.sent, result.detail))
    db.session.flush()
    return done
