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


def _try_lock(path: str, answer) -> None:
    """In another process: can it take the writers' lock without waiting?"""
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        answer.put("free")
    except BlockingIOError:
        answer.put("held")
    finally:
        os.close(fd)


def test_writers_queue_on_an_os_lock_that_other_processes_respect(ctx):
    """write_turn holds a lock another process must wait for, and drops it on leaving."""
    import multiprocessing

    from survey.database import write_turn

    path = db.engine.url.database + ".writers"
    spawn = multiprocessing.get_context("spawn")
    answer = spawn.Queue()

    def other_process() -> str:
        child = spawn.Process(target=_try_lock, args=(path, answer))
        child.start()
        child.join(30)
        return answer.get(timeout=5)

    with write_turn():
        assert other_process() == "held"
    assert other_process() == "free"


def test_write_turn_is_released_when_the_transaction_fails(app):
    from survey.database import write_turn

    with app.app_context():
        try:
            with write_turn():
                raise RuntimeError("insert failed")
        except RuntimeError:
            pass
    done = threading.Event()

    def again():
        with app.app_context(), write_turn():
            done.set()

    thread = threading.Thread(target=again)
    thread.start()
    thread.join(5)
    assert done.is_set()


def test_write_turns_checkpoint_the_wal_after_letting_the_next_writer_in(ctx, monkeypatch):
    """SQLite's own checkpoint would run inside the committing writer's turn (a safety net
    now, at a higher mark); every CHECKPOINT_EVERY-th turn checkpoints once the lock is free."""
    import fcntl
    import os

    from survey import database

    assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == \
        database.AUTO_CHECKPOINT_PAGES
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 10)
    lock_path = db.engine.url.database + ".writers"
    checkpoints = []
    original = database._checkpoint

    def checkpoint(engine):
        other = os.open(lock_path, os.O_RDWR)  # another open file: flock conflicts with ours
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the turn is held
            fcntl.flock(other, fcntl.LOCK_UN)
        finally:
            os.close(other)
        original(engine)
        checkpoints.append(db.session.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one())

    monkeypatch.setattr(database, "_checkpoint", checkpoint)
    v, u = factories.version(), factories.unit()
    db.session.commit()
    for _ in range(30):
        with database.write_turn():
            begin_write()
            at = datetime.now(UTC)
            db.session.add(Response(uuid=uuid.uuid4(), version_id=v.id, unit_id=u.id,
                                    channel="web", submitted_at=at, year=at.year,
                                    month=at.month, received_at=at))
            db.session.commit()
    assert len(checkpoints) == 3
    # (busy, frames in the WAL, frames copied): the checkpoint left nothing behind
    assert all(busy == 0 and log == copied for busy, log, copied in checkpoints)
