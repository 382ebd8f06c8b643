"""A real HTTP server (werkzeug, threaded) on 127.0.0.1 and a free port, with its own database."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from werkzeug.serving import make_server

from survey.extensions import db
from survey.models import Desk, Kiosk
from survey.services import questionnaires as qservice
from survey.services import tokens
from tests import factories
from tests.conftest import make_app, new_sqlite_database


@dataclass
class LiveServer:
    app: object
    url: str
    kiosk_path: str
    qr_path: str  # the land survey's desk QR context

    def count_responses(self) -> int:
        from survey.models import Response

        with self.app.app_context():
            n = db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
            db.session.remove()
            return n


def start(tmp_path, **config):
    """Yield a running server; stops it and disposes the engine afterwards."""
    app = make_app(new_sqlite_database(tmp_path / "live.db"), **config)
    with app.app_context():
        qservice.load_and_publish_builtins()
        province = factories.unit("HN")
        commune = factories.unit("HN-X01", "commune", province)
        desk = Desk(unit=commune, code="MC1", name_vi="Bàn một cửa số 1", name_en="Desk 1")
        kiosk = Kiosk(name="Kiosk 1", unit=commune, desk=desk,
                      questionnaire=qservice.get("dossier_rating"), token_nonce=uuid.uuid4().hex)
        db.session.add_all([desk, kiosk])
        db.session.commit()
        kiosk_path = "/k/" + tokens.kiosk_token(kiosk)
        qr_path = "/s/" + tokens.qr_token(commune.code, desk.code, "land_survey")
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", kiosk_path, qr_path)
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()
