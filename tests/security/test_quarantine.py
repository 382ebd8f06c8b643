"""Bursts through a kiosk, a desk poster and a web link are found, quarantined out of every
figure and restored, exactly.

The reference is independent of the code under test: the figures are taken once before the
bursts are stored (the roll-ups rebuilt from those raw answers alone) and once after; a
quarantine must bring every roll-up row, API answer and scan back to the first, a restore to
the second. On SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL, where the counts go
through the appended delta tables and `fold`.
"""

from __future__ import annotations

import copy
import random
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import questionnaires as qn
from survey.extensions import db
from survey.models import (
    Answer,
    AuditEntry,
    ClosedYear,
    Desk,
    Kiosk,
    Quarantine,
    Response,
    ServiceArea,
    WebLink,
)
from survey.services import aggregates, anomalies
from survey.services.demo.answers import Respondent, answers_for
from survey.services.responses import admin as response_admin
from tests import factories
from tests.conftest import (
    DATABASES,
    csrf_from,
    database_of_kind,
    fresh_postgres_databases,
    make_app,
    postgres_url,
)
from tests.design.helpers import login, make_users

START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
TEN_MINUTES = timedelta(minutes=10)
MARKER = "burst-marker-comment"


class World:
    """One unit with a kiosk, a desk (and its poster) and a web link, ordinary responses
    through each, and then one burst through each."""

    def __init__(self, app):
        from survey.services.questionnaires import (
            definition_of,
            get_version,
            load_and_publish_builtins,
        )
        from survey.services.reference import load_service_areas

        self.app = app
        self.rng = random.Random(15)
        load_service_areas()
        load_and_publish_builtins()
        unit = factories.unit("U1")
        rating, survey = get_version("dossier_rating"), get_version("land_survey")
        self.definitions = {v.id: definition_of(v) for v in (rating, survey)}
        self.versions = {"rating": rating.id, "survey": survey.id}
        self.unit_id = unit.id
        self.land = db.session.execute(
            select(ServiceArea.id).filter_by(code="land")).scalar_one()
        desk = Desk(unit=unit, code="MC1", name_vi="Quầy 1")
        kiosk = Kiosk(name="K1", unit=unit, desk=desk, questionnaire=rating.questionnaire,
                      token_nonce="0" * 32)
        link = WebLink(label="L1", unit=unit, questionnaire=survey.questionnaire,
                       token_nonce="1" * 32, created_by="officer")
        db.session.add_all([desk, kiosk, link])
        db.session.flush()
        self.ids = {"kiosk": kiosk.id, "desk": desk.id, "link": link.id}

    def add(self, count: int, start: datetime, every: timedelta, source: str | None,
            rating: int | None = None, comment: str | None = None) -> list[uuid.UUID]:
        """`count` responses `every` apart through `source` (kiosk: the rating form on the
        kiosk; desk: the survey on a phone; link: the survey on the web; None: a phone answer
        without a poster). Ids only: it works in any session."""
        version = self.versions["rating" if source == "kiosk" else "survey"]
        channel = {"kiosk": "kiosk", "link": "web"}.get(source, "phone")
        made = []
        for i in range(count):
            at = start + i * every
            given = answers_for(self.definitions[version], Respondent(self.rng, 0.7, 0.2), 2)
            response = Response(
                uuid=uuid.UUID(int=self.rng.getrandbits(128), version=4), version_id=version,
                unit_id=self.unit_id, channel=channel, submitted_at=at, year=at.year,
                month=at.month, service_area_id=None if source == "kiosk" else self.land,
                **{f"{source}_id": self.ids[source]} if source else {})
            db.session.add(response)
            db.session.flush()
            if rating is not None:
                given["rating"] = qn.Answer(value_int=rating)
            if comment is not None and source == "kiosk":
                given["comment"] = qn.Answer(value_text=comment)
            db.session.add_all(Answer(response_id=response.id, item_code=code,
                                      value_int=a.value_int, value_text=a.value_text,
                                      missing_code=a.missing_code) for code, a in given.items())
            made.append(response.uuid)
        db.session.flush()
        return made

    def ordinary(self) -> None:
        for source in ("kiosk", "desk", "link", None):
            # February and March, so that the bursts share roll-up rows with them
            self.add(25, START - timedelta(days=20), timedelta(hours=20), source)
            self.add(15, START + timedelta(days=5), TEN_MINUTES, source, comment="bình thường")

    def bursts(self) -> dict[str, list[uuid.UUID]]:
        return {
            "kiosk": self.add(22, START + timedelta(days=1), timedelta(seconds=10), "kiosk",
                              rating=3, comment=MARKER),
            "desk": self.add(21, START + timedelta(days=2), timedelta(seconds=12), "desk"),
            "link": self.add(20, START + timedelta(days=3), timedelta(seconds=14), "link"),
        }


def count_in(uuids: list[uuid.UUID]) -> None:
    """Add these stored responses to the roll-ups, as their submission would have."""
    rows = db.session.execute(select(Response).where(Response.uuid.in_(uuids))).scalars().all()
    aggregates.add_responses(
        [{c: getattr(r, c) for c in ("id", "year", "month", "unit_id", "version_id",
                                     "service_area_id", "procedure_id", "channel",
                                     "respondent_type")} for r in rows],
        {r.id: {a.item_code: a for a in r.answers} for r in rows},
        aggregates.cached_item_types({r.version_id for r in rows}))


def rollups() -> dict:
    """Every row of every roll-up (after a fold on PostgreSQL)."""
    aggregates.fold()
    out = {}
    for family in aggregates.FAMILIES:
        for model in family.rollups:
            out[model.__tablename__] = sorted(
                (*(getattr(row, k) for k in model.KEY), row.n)
                for row in db.session.execute(select(model)).scalars())
    return out


API = ["/api/v1/indices?stream=dossier_rating&by=channel",
       "/api/v1/indices?questionnaire=land_survey&by=month,channel",
       "/api/v1/indices?questionnaire=land_survey&by=unit&measure=elements",
       "/api/v1/indices?questionnaire=land_survey&by=channel,demographic:sex",  # a raw scan
       "/api/v1/elements?questionnaire=land_survey",
       "/api/v1/elements?questionnaire=land_survey&channel=web"]  # the elements' scan path


def figures(client) -> dict:
    """What the reports say: the API's answers, and the scans the dashboard pages use."""
    from survey.services.exports import export_table
    from survey.services.reporting import Scope
    from survey.services.reporting.comments import comments
    from survey.services.reporting.crosstab import crosstab_report

    out = {}
    for url in API:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        out[url] = answer.json
    with client.application.app_context():
        out["crosstab"] = crosstab_report(Scope(), "sex", "channel")
        found, _ = comments(Scope(stream="dossier_rating"), per_page=1000)
        out["comments"] = sorted(c.text for c in found)
        out["export"] = sum(1 for _ in export_table(Scope()).rows)
        db.session.remove()
    return out


@pytest.fixture(scope="module", params=DATABASES)
def ordinary_world(request, tmp_path_factory):
    """The world with its ordinary responses and users, built once per database kind for the
    module (some 3 s on SQLite, 6 s on PostgreSQL, each time the same rows: the seed is fixed);
    each test gets a copy of the database and of the world's state (`world`)."""
    folder = tmp_path_factory.mktemp("quarantine")
    with database_of_kind(request.param, folder, "hl_quarantine") as url:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            world = World(app)
            world.ordinary()
            aggregates.rebuild()
            db.session.commit()
            db.session.remove()
        make_users(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # a PostgreSQL template must have no connection
        yield request.param, url, {k: v for k, v in vars(world).items() if k != "app"}


@pytest.fixture
def world(ordinary_world, tmp_path):
    kind, template, state = ordinary_world
    with _copy_of(kind, template, tmp_path) as url:
        app = make_app(url)
        world = object.__new__(World)
        # its own random generator where the build left it, as if it had built this copy
        vars(world).update(copy.deepcopy(state), app=app)
        world.admin = app.test_client()
        login(world.admin, "admin")
        yield world
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def _copy_of(kind: str, template: str, folder):
    if kind == "sqlite":
        source = Path(make_url(template).database)
        # the last connection closed has moved the write-ahead log into the one file
        assert not source.with_name(source.name + "-wal").exists()
        copied = folder / "copy.db"
        shutil.copyfile(source, copied)
        yield f"sqlite:///{copied}"
        return
    # connected to the server's own database: a connection to the template would block the copy
    with fresh_postgres_databases(postgres_url(), "hl_test",
                                  template=make_url(template).database) as (url,):
        yield url


@pytest.fixture
def before_and_after(world):
    """The figures without the bursts, then with them (the roll-ups counting them as a
    submission would, checked against a rebuild)."""
    with world.app.app_context():
        before = rollups()
    shown_before = figures(world.admin)
    with world.app.app_context():
        world.burst = world.bursts()
        count_in([u for uuids in world.burst.values() for u in uuids])
        db.session.commit()
        assert aggregates.differences() == []
        after = rollups()
        db.session.remove()
    assert after != before
    shown_after = figures(world.admin)
    for key, value in shown_before.items():
        assert shown_after[key] != value, key  # every figure sees the bursts
    return before, after, shown_before, shown_after


def _forms(html: str, action: str) -> list[dict]:
    """The hidden fields of every form on the page posting to `action`."""
    found = []
    for block in re.findall(rf'<form method="post" action="{action}".*?</form>', html, re.S):
        found.append(dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                                     block)))
    return found


def test_bursts_are_listed_with_their_responses(world, before_and_after):
    page = world.admin.get("/security/anomalies").text
    assert "<td>Ki-ốt</td><td>K1</td><td>U1</td>" in page
    assert "<td>Áp phích QR tại quầy</td><td>MC1 · Quầy 1</td><td>U1</td>" in page
    assert "<td>Đường dẫn web</td><td>L1</td><td>U1</td>" in page
    for source, uuids in world.burst.items():
        assert all(str(u) in page for u in uuids), source
    with world.app.app_context():
        found = anomalies.bursts(listed=anomalies.LISTED)
        assert sorted((b.source, b.responses, len(b.listed)) for b in found) == \
            [("desk", 21, 21), ("kiosk", 22, 22), ("link", 20, 20)]
        kiosk = next(b for b in found if b.source == "kiosk")
        assert [r.uuid for r in kiosk.listed] == world.burst["kiosk"]
        assert {(r.channel, r.unit_code, r.overall) for r in kiosk.listed} == {("kiosk", "U1", 3)}
        # a list is capped, its count is not
        capped = anomalies.bursts(sources=("link",), listed=5)
        assert [(b.responses, len(b.listed)) for b in capped] == [(20, 5)]
    assert "(hiển thị" not in page  # everything fits under the page's cap
    assert len(_forms(page, "/security/quarantine")) == 3


def test_quarantine_takes_bursts_out_of_every_figure_and_restore_puts_them_back(
        world, before_and_after):
    before, after, shown_before, shown_after = before_and_after
    page = world.admin.get("/security/anomalies").text
    first_forms = _forms(page, "/security/quarantine")
    for form in first_forms:
        answer = world.admin.post("/security/quarantine",
                                  data={**form, "reason": "thử nghiệm dồn dập"})
        assert answer.status_code == 302
    with world.app.app_context():
        assert rollups() == before
        assert aggregates.differences() == []  # `aggregates check` recounts without them
        held = db.session.execute(select(Quarantine).order_by(Quarantine.id)).scalars().all()
        assert sorted((q.kind, q.responses) for q in held) == \
            [("desk_burst", 21), ("kiosk_burst", 22), ("link_burst", 20)]
        entries = db.session.execute(select(AuditEntry).filter_by(
            action="quarantine", entity_type="quarantine")).scalars().all()
        assert sorted((e.actor, e.new_values["responses"]) for e in entries) == \
            [("admin", 20), ("admin", 21), ("admin", 22)]
        db.session.remove()
    assert figures(world.admin) == shown_before
    # Quarantining again changes nothing: the responses are set aside already.
    page = world.admin.get("/security/anomalies").text
    assert page.count("Đã tạm loại (đợt số") == 3 and not _forms(page, "/security/quarantine")
    again = world.admin.post("/security/quarantine", data={**first_forms[0], "reason": "again"},
                             follow_redirects=True)
    assert "Các phiếu này đã được tạm loại; không có thay đổi." in again.text
    with world.app.app_context():
        assert rollups() == before
        assert db.session.execute(select(func.count()).select_from(Quarantine)).scalar() == 3
        db.session.remove()
    # Restore each from the list of quarantines: back to the figures with the bursts.
    page = world.admin.get("/security/anomalies").text
    restores = {f["quarantine_id"]: f for f in _forms(page, "/security/restore")}
    assert len(restores) == 3
    for form in restores.values():
        assert world.admin.post("/security/restore", data=form).status_code == 302
    with world.app.app_context():
        assert rollups() == after
        assert aggregates.differences() == []
        assert db.session.execute(select(func.count()).select_from(Response)
                                  .where(Response.quarantine_id.is_not(None))).scalar() == 0
        entries = db.session.execute(select(AuditEntry).filter_by(
            action="restore", entity_type="quarantine")).scalars().all()
        assert sorted(e.new_values["responses"] for e in entries) == [20, 21, 22]
        # restoring twice changes nothing either
        assert response_admin.restore(int(next(iter(restores))), "test") == 0
        db.session.remove()
    assert figures(world.admin) == shown_after
    page = world.admin.get("/security/anomalies").text
    assert page.count("Đã khôi phục bởi admin") == 3


def test_the_command_line_quarantines_restores_and_deletes(world, before_and_after):
    before, after, _, _ = before_and_after
    runner = world.app.test_cli_runner()
    kiosk, desk = world.ids["kiosk"], world.ids["desk"]
    # local times (UTC+7) around the kiosk burst, which starts at 08:00 on 4 March
    result = runner.invoke(args=["responses", "quarantine", "--kiosk", str(kiosk),
                                 "--from", "2025-03-04T07:59:00", "--to", "2025-03-04T08:10:00",
                                 "--reason", "burst"])
    assert result.exit_code == 0, result.output
    assert "22 response(s) set aside" in result.output
    result = runner.invoke(args=["responses", "quarantine", "--desk", str(desk), "--from",
                                 "2025-03-05T00:00:00+00:00", "--to", "2025-03-05T02:00:00Z",
                                 "--reason", "burst"])
    assert "21 response(s) set aside" in result.output, result.output
    link_uuids = [str(u) for u in world.burst["link"]]
    chosen = [arg for u in link_uuids for arg in ("--response", u)]
    result = runner.invoke(args=["responses", "quarantine", *chosen, "--reason", "by hand"])
    assert "20 response(s) set aside" in result.output, result.output
    with world.app.app_context():
        assert rollups() == before and aggregates.differences() == []
        numbers = db.session.execute(select(Quarantine.id, Quarantine.kind)
                                     .order_by(Quarantine.id)).all()
        assert [kind for _, kind in numbers] == ["kiosk_burst", "desk_burst", "manual"]
        db.session.remove()
    listing = runner.invoke(args=["responses", "quarantines"])
    assert listing.exit_code == 0 and listing.output.count("in quarantine") == 3
    # bad input: a clear error, nothing changed
    for args, message in (
            (["--kiosk", "999", "--from", "2025-03-04", "--to", "2025-03-05"], "no kiosk 999"),
            (["--kiosk", str(kiosk), "--desk", str(desk), "--from", "2025-03-04", "--to",
              "2025-03-05"], "exactly one"),
            (["--kiosk", str(kiosk), "--from", "yesterday", "--to", "2025-03-05"],
             "not an ISO 8601 time"),
            (["--kiosk", str(kiosk), "--from", "2025-03-05", "--to", "2025-03-04"],
             "ends before it starts"),
            (["--response", str(uuid.uuid4())], "no response")):
        result = runner.invoke(args=["responses", "quarantine", *args, "--reason", "x"])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert "no quarantine 999" in runner.invoke(args=["responses", "restore", "999"]).output
    for number, _ in numbers:
        result = runner.invoke(args=["responses", "restore", str(number)])
        assert result.exit_code == 0, result.output
    assert "restored already" in runner.invoke(
        args=["responses", "restore", str(numbers[0][0])]).output
    with world.app.app_context():
        assert rollups() == after
        db.session.remove()
    # Deleting: a quarantined response is out of the counts already, so only the others are
    # subtracted; the roll-ups stay equal to a recount.
    runner.invoke(args=["responses", "quarantine", "--kiosk", str(kiosk), "--from",
                        "2025-03-04T07:59:00", "--to", "2025-03-04T08:10:00", "--reason", "b"])
    doomed = [str(u) for u in world.burst["kiosk"][:5] + world.burst["desk"][:5]]
    refused = runner.invoke(args=["responses", "delete", *doomed, str(uuid.uuid4()),
                                  "--reason", "spam", "--yes"])
    assert refused.exit_code != 0 and "nothing deleted" in refused.output
    result = runner.invoke(args=["responses", "delete", *doomed, "--reason", "spam", "--yes"])
    assert result.exit_code == 0 and "10 response(s) deleted" in result.output, result.output
    with world.app.app_context():
        assert aggregates.differences() == []
        assert db.session.execute(select(func.count()).select_from(AuditEntry).filter_by(
            action="delete", entity_type="response")).scalar() == 10
        assert db.session.execute(select(func.count()).select_from(Answer).where(  # no orphans
            Answer.response_id.not_in(select(Response.id)))).scalar() == 0
        assert db.session.execute(select(func.count()).select_from(Response).where(
            Response.uuid.in_(map(uuid.UUID, doomed)))).scalar() == 0
        db.session.remove()


def test_only_an_admin_quarantines_and_the_form_needs_its_token(world, before_and_after):
    page = world.admin.get("/security/anomalies").text
    form = _forms(page, "/security/quarantine")[0]
    data = {**form, "reason": "r"}
    analyst = world.app.test_client()
    login(analyst, "analyst")
    token = csrf_from(analyst.get("/auth/password").text)
    assert analyst.post("/security/quarantine", data={**data, "csrf_token": token}) \
        .status_code == 403
    assert analyst.post("/security/restore", data={"quarantine_id": "1",
                                                   "csrf_token": token}).status_code == 403
    visitor = world.app.test_client()
    assert visitor.post("/security/quarantine", data=data).status_code in (302, 400)
    without_token = {k: v for k, v in data.items() if k != "csrf_token"}
    assert world.admin.post("/security/quarantine", data=without_token).status_code == 400
    # a missing reason or a tampered field: told so, nothing changed
    empty = world.admin.post("/security/quarantine", data={**data, "reason": " "},
                             follow_redirects=True)
    assert "Hãy nêu lý do tạm loại" in empty.text
    for field, value in (("first_at", "not a time"), ("source", "printer"),
                         ("source_id", "99999999999"), ("last_at", "2025-03-04T08:00:00")):
        bad = world.admin.post("/security/quarantine", data={**data, field: value},
                               follow_redirects=True)
        assert bad.status_code == 200 and "Không hiểu được yêu cầu" in bad.text, field
    gone = world.admin.post("/security/restore", data={"quarantine_id": "999",
                                                       "csrf_token": data["csrf_token"]},
                            follow_redirects=True)
    assert "Không có thay đổi" in gone.text
    with world.app.app_context():
        assert db.session.execute(select(func.count()).select_from(Quarantine)).scalar() == 0
        assert db.session.execute(select(func.count()).select_from(Response)
                                  .where(Response.quarantine_id.is_not(None))).scalar() == 0
        db.session.remove()


def test_a_closed_year_is_not_changed(world, before_and_after):
    _, after, _, _ = before_and_after
    page = world.admin.get("/security/anomalies").text
    with world.app.app_context():
        db.session.add(ClosedYear(year=2025, closed_by="test"))
        db.session.commit()
    answer = world.admin.post("/security/quarantine", data={
        **_forms(page, "/security/quarantine")[0], "reason": "r"}, follow_redirects=True)
    assert "năm đã khóa sổ" in answer.text
    with world.app.app_context():
        assert rollups() == after
        db.session.remove()


def test_too_good_desks_and_exports_leave_quarantined_responses_out(world, before_and_after,
                                                                     tmp_path):
    from survey.services.exports import export_table
    from survey.services.reporting import Scope

    with world.app.app_context():
        def kiosk_n():
            return {d.kiosk: d.n for d in anomalies.too_good_desks(0, 1, -1)}.get("K1")

        def exported(quarantined="exclude"):
            table = export_table(Scope(stream="dossier_rating"), quarantined=quarantined)
            return {row[0] for row in table.rows}

        everything = exported()
        with_burst = kiosk_n()
        burst = next(b for b in anomalies.bursts() if b.source == "kiosk")
        response_admin.quarantine_burst("kiosk", burst.source_id, burst.first_at,
                                        burst.last_at, "r", "test")
        db.session.commit()
        assert kiosk_n() == with_burst - 22
        held = {str(u) for u in world.burst["kiosk"]}
        assert exported() == everything - held
        assert exported("only") == held
        assert exported("include") == everything
        with pytest.raises(ValueError):
            export_table(Scope(stream="dossier_rating"), quarantined="sometimes")
        db.session.remove()
    out = tmp_path / "held.csv"
    result = world.app.test_cli_runner().invoke(args=[
        "export", "--out", str(out), "--stream", "dossier_rating", "--quarantined", "only"])
    assert result.exit_code == 0 and "22 response(s) written" in result.output, result.output
    assert {str(u) for u in world.burst["kiosk"]} <= set(out.read_text(encoding="utf-8-sig")
                                                          .replace(",", "\n").split("\n"))


@pytest.mark.postgres
def test_concurrent_quarantines_and_submissions_count_each_response_once(database_url):
    """Two administrators quarantine overlapping windows while answers keep arriving:
    every response is set aside at most once, and the roll-ups stay equal to a recount."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        world = World(app)
        world.ordinary()
        world.bursts()
        aggregates.rebuild()
        db.session.commit()
        kiosk_id = world.ids["kiosk"]
        db.session.remove()
    errors: list[BaseException] = []
    results: list[int] = []
    first = START + timedelta(days=1)
    windows = [(first, first + timedelta(seconds=150)), (first + timedelta(seconds=60),
                                                         first + timedelta(seconds=300))]

    def quarantine(window):
        with app.app_context():
            try:
                row = response_admin.quarantine_burst("kiosk", kiosk_id, *window, "race", "t")
                db.session.commit()
                results.append(row.responses if row else 0)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    def submit():
        with app.app_context():
            try:
                world.rng = random.Random(3)
                count_in(world.add(10, first + timedelta(seconds=5), timedelta(seconds=20),
                                   "kiosk"))
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=quarantine, args=(w,)) for w in windows]
    threads.append(threading.Thread(target=submit))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        held = db.session.execute(select(func.count()).select_from(Response)
                                  .where(Response.quarantine_id.is_not(None))).scalar()
        assert sum(results) == held > 0
        assert aggregates.differences() == []
        db.session.remove()
        db.engine.dispose()
