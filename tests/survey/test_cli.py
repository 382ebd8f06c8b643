"""Every `hailong` command, run through Click's runner against a real database."""

import os
import subprocess
import sys
from pathlib import Path

from werkzeug.security import check_password_hash

from survey.extensions import db
from survey.models import ApiKey, AuditEntry, ServiceArea, Unit, User
from survey.services.accounts import find_api_key, hash_api_key
from tests.conftest import make_app

UNITS_CSV = """code,name_vi,name_en,level,parent_code
HB-XA01,Xã An Lạc,An Lac commune,commune,HB-H01
HB,Tỉnh Hòa Bình,Hoa Binh province,province,
HB-H01,Huyện Lạc Sơn,Lac Son district,district,HB
HB-STNMT,Sở Tài nguyên và Môi trường,Department of Natural Resources,department,HB
"""


def test_init_creates_schema_reference_data_and_admin_once(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'init.db'}")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "password:" in first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert "password:" not in second.output  # printed once only
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(ServiceArea.id))).scalar() == 4
        admins = db.session.execute(db.select(User).filter_by(role="admin")).scalars().all()
        assert [a.username for a in admins] == ["admin"]
        password = first.output.split("password:")[1].split()[0]
        assert check_password_hash(admins[0].password_hash, password)


def test_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "lan", "--role", "analyst"],
                           input="mật-khẩu-đủ-dài\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="lan")).scalar_one()
        assert user.role == "analyst"
        assert check_password_hash(user.password_hash, "mật-khẩu-đủ-dài")
        assert db.session.execute(
            db.select(AuditEntry).filter_by(entity_type="user", entity_key="lan")
        ).scalar_one().action == "create"


def test_create_user_refusals(app, runner):
    short = runner.invoke(args=["create-user", "a", "--role", "analyst"], input="short\n")
    assert short.exit_code == 1 and "at least 10" in short.output
    role = runner.invoke(args=["create-user", "a", "--role", "boss"], input="x" * 12 + "\n")
    assert role.exit_code == 1 and "unknown role" in role.output
    officer = runner.invoke(args=["create-user", "a", "--role", "unit_officer"],
                            input="x" * 12 + "\n")
    assert officer.exit_code == 1 and "--unit" in officer.output
    unknown = runner.invoke(args=["create-user", "a", "--role", "unit_officer", "--unit", "NO"],
                            input="x" * 12 + "\n")
    assert unknown.exit_code == 1 and "unknown unit" in unknown.output
    runner.invoke(args=["create-user", "a", "--role", "analyst"], input="x" * 12 + "\n")
    again = runner.invoke(args=["create-user", "a", "--role", "analyst"], input="x" * 12 + "\n")
    assert again.exit_code == 1 and "already exists" in again.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1


def test_api_key_is_printed_once_and_stored_hashed(app, runner):
    result = runner.invoke(args=["api-key", "create", "one-stop", "--role", "data_entry"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("hl_") and len(key) > 40
    with app.app_context():
        stored = db.session.execute(db.select(ApiKey)).scalar_one()
        assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash
        assert find_api_key(key).name == "one-stop"
        assert find_api_key(key + "x") is None


def test_units_import_builds_the_hierarchy(app, runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("\ufeff" + UNITS_CSV, encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 unit(s) created" in result.output
    with app.app_context():
        commune = db.session.execute(db.select(Unit).filter_by(code="HB-XA01")).scalar_one()
        assert commune.path == "/HB/HB-H01/HB-XA01/"
        assert commune.name_vi == "Xã An Lạc"
    again = runner.invoke(args=["units", "import", str(path)])
    assert "0 unit(s) created, 0 updated" in again.output


def test_units_import_with_errors_imports_nothing(app, runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        UNITS_CSV + "HB-XA02,,,village,HB-H09\nHB,Trùng,,province,\n", encoding="utf-8"
    )
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "row 6, column name_vi" in result.output
    assert "row 6, column level: 'village'" in result.output
    assert "row 6, column parent_code: unknown unit 'HB-H09'" in result.output
    assert "row 7, column code: 'HB' repeats row 3" in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Unit.id))).scalar() == 0


def test_units_import_sets_a_departments_service(app, runner, tmp_path):
    """The optional service_area column: set, refused when unknown (by row and column),
    cleared by an empty cell, and left alone by a file without the column."""
    from survey.services.reference import load_service_areas

    with app.app_context():
        load_service_areas()
        db.session.commit()
    path = tmp_path / "units.csv"
    path.write_text("code,name_vi,name_en,level,parent_code,service_area\n"
                    "HB,Tỉnh Hòa Bình,,province,,\n"
                    "HB-TNMT,Sở Tài nguyên,,department,HB,land\n", encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(path)]).exit_code == 0

    def service(code):
        with app.app_context():
            unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one()
            return unit.service_area.code if unit.service_area else None

    assert service("HB-TNMT") == "land" and service("HB") is None
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_vi,name_en,level,parent_code,service_area\n"
                   "HB-TNMT,Sở Tài nguyên,,department,HB,farming\n", encoding="utf-8")
    refused = runner.invoke(args=["units", "import", str(bad)])
    assert refused.exit_code == 1 and "row 2, column service_area: 'farming'" in refused.output
    plain = tmp_path / "plain.csv"
    plain.write_text("code,name_vi,name_en,level,parent_code\n"
                     "HB-TNMT,Sở Tài nguyên và Môi trường,,department,HB\n", encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(plain)]).exit_code == 0
    assert service("HB-TNMT") == "land"
    path.write_text("code,name_vi,name_en,level,parent_code,service_area\n"
                    "HB-TNMT,Sở Tài nguyên,,department,HB,\n", encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(path)]).exit_code == 0
    assert service("HB-TNMT") is None


def test_units_import_names_the_line_that_is_not_utf8(app, runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(UNITS_CSV.encode("utf-8") + "HB-XA09,Xã Hòa,,commune,HB-H01\n"
                     .encode("latin-1"))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "row 6" in result.output and str(path) in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Unit.id))).scalar() == 0


def test_units_import_refuses_a_cycle_and_a_bad_header(app, runner, tmp_path):
    cycle = tmp_path / "cycle.csv"
    cycle.write_text("code,name_vi,name_en,level,parent_code\nA,a,,district,B\nB,b,,district,A\n")
    result = runner.invoke(args=["units", "import", str(cycle)])
    assert result.exit_code == 1 and "cycle" in result.output
    header = tmp_path / "header.csv"
    header.write_text("code,name\nA,a\n")
    result = runner.invoke(args=["units", "import", str(header)])
    assert result.exit_code == 1 and "row 1, column level: missing column" in result.output


def test_console_script_lists_every_command(tmp_path):
    """The installed `hailong` entry point is a FlaskGroup: `run` is `flask run`."""
    script = Path(sys.executable).with_name("hailong")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    listing = subprocess.run([script, "--help"], capture_output=True, text=True, env=env)
    assert listing.returncode == 0, listing.stderr
    for command in ("init", "demo", "create-user", "api-key", "units", "run", "db"):
        assert f"  {command} " in listing.stdout
    run = subprocess.run([script, "run", "--help"], capture_output=True, text=True, env=env)
    assert run.returncode == 0 and "--port" in run.stdout
