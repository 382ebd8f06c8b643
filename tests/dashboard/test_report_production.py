"""A production install has no dev dependencies: the report's DOCX and PDF are written with
Playwright impossible to import (a meta-path finder refuses it), in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.dashboard.report_readers import ROOT, Docx, Pdf

SCRIPT = textwrap.dedent("""
    import sys

    class NoDevDependencies:
        BLOCKED = ("playwright", "axe_playwright_python", "pytest")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is a dev dependency, absent in production")
            return None

    sys.meta_path.insert(0, NoDevDependencies())
    from survey import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    client = app.test_client()
    login = client.post("/auth/login", data={"username": "analyst1",
                                             "password": "mot-mat-khau-dai"})
    assert login.status_code == 302, login.status_code
    for kind in ("docx", "pdf"):
        answer = client.get(f"/dashboard/report.{kind}?lang=vi")
        assert answer.status_code == 200, (kind, answer.status_code)
        open(f"{sys.argv[2]}/report.{kind}", "wb").write(answer.data)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in NoDevDependencies.BLOCKED)
    assert not loaded, loaded
    print("written without dev dependencies")
""")


def test_documents_need_no_dev_dependency(demo, tmp_path):
    app, _ = demo
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    done = subprocess.run([sys.executable, "-c", SCRIPT, url, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "written without dev dependencies" in done.stdout
    motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert motto in Docx((tmp_path / "report.docx").read_bytes()).text
    assert motto in Pdf((tmp_path / "report.pdf").read_bytes()).text


def test_production_code_never_imports_playwright():
    """Only tests may name it: a grep over the packages a wheel installs."""
    offenders = [str(p.relative_to(ROOT)) for folder in ("survey", "analysis", "questionnaires")
                 for p in (ROOT / folder).rglob("*.py")
                 if "playwright" in p.read_text(encoding="utf-8")]
    assert offenders == []
