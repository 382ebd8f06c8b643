"""SQLite must take several writers at once: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE."""

import threading
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from survey.database import BUSY_TIMEOUT_MS, begin_write
from survey.extensions import db
from survey.models import Response
from tests import factories


def test_sqlite_pragmas(ctx):
    pragma = lambda name: db.session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == BUSY_TIMEOUT_MS


def test_concurrent_read_then_write_transactions_do_not_fail(app):
    """Each thread reads, then writes, in one transaction: the pattern that fails with a
    deferred BEGIN in WAL mode ("database is locked") when another writer commits between."""
    with app.app_context():
        v, u = factories.version(), factories.unit()
        db.session.commit()
        version_id, unit_id = v.id, u.id

    errors: list[BaseException] = []
    per_thread, threads = 25, 6
    barrier = threading.Barrier(threads)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(per_thread):
                    begin_write()
                    db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
                    at = datetime.now(UTC)
                    db.session.add(
                        Response(uuid=uuid.uuid4(), version_id=version_id, unit_id=unit_id,
                                 channel="kiosk", submitted_at=at, year=at.year, month=at.month)
                    )
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
    assert count == per_thread * threads
