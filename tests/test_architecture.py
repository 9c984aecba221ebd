"""The three houses stay apart: the sandbox stands alone, and none of the sandbox, the
integration package and the shop has an import cycle (any import statement counts, so
a cycle cannot hide inside a function). The package's own isolation is proven by
tests/loyaltylion/test_lift.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.isolation import cycles, import_graph, run_isolated

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "loyaltylion_sandbox": ROOT / "loyaltylion_sandbox",
    "storefront.loyaltylion": ROOT / "storefront" / "loyaltylion",
    "storefront": ROOT / "storefront",  # the shop, the package inside it included
}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycle_inside_the_package(package: str) -> None:
    graph = import_graph(PACKAGES[package], package)
    assert len(graph) > 5, "the scan found the package's modules"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.a import x\n")
    (package / "c.py").write_text("from . import a\n")
    assert cycles(import_graph(package, "pkg")) == [["pkg.a", "pkg.b"]]


# What the sandbox installs: its own requirements and nothing of the shop.
SANDBOX_DISTRIBUTIONS = ["flask", "flask-sqlalchemy", "sqlalchemy", "jsonschema", "requests"]


def test_the_sandbox_runs_with_its_own_dependencies_and_no_shop(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "loyaltylion_sandbox").symlink_to(PACKAGES["loyaltylion_sandbox"])
    result = run_isolated(
        f"""
        import sys
        import loyaltylion_sandbox
        app = loyaltylion_sandbox.create_app(
            {{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / "sandbox.sqlite3"}",
              "SANDBOX_WEBHOOK_SENDER": "manual"}}
        )
        client = app.test_client()
        auth = {{"Authorization": "Bearer " + loyaltylion_sandbox.SANDBOX_API_KEY}}
        assert client.get("/v2/identity/whoami", headers=auth).status_code == 200
        assert client.get("/").status_code == 200
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in
                        ("storefront", "flask_login", "flask_wtf", "flask_limiter"))
        print("loaded:", loaded)
        """,
        lib=tmp_path / "lib",
        distributions=SANDBOX_DISTRIBUTIONS,
        paths=[app_dir],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout


def test_the_isolation_really_hides_the_rest(tmp_path: Path) -> None:
    result = run_isolated(
        "import flask_wtf",
        lib=tmp_path / "lib",
        distributions=["flask"],
        paths=[],
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "No module named 'flask_wtf'" in result.stderr
