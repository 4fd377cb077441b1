"""`make bench`, scale: the pages that list people, with the demo's handful of users and with
``BENCH_SCALE_LEARNERS`` (default 40,000) more learners, side by side in one run.

A retailer that trains 40,000 staff has 40,000 learners in its database. A page whose work grows
with the number of users (listing them all, loading every submission ever handed in) would get
slow and heavy there, so each page is timed on two copies of the same demo database, one of them
with the extra learners added by ``flask demo-learners`` (``services.demo.add_learners``). Each
page is requested in process with Flask's test client, logged in as the demo administrator,
``BENCH_SCALE_REQUESTS`` times (default 20) after one untimed request; the median is reported
with the page's size.

The pages are timed again with ``BENCH_SCALE_LARGEST`` (default 400,000) learners. Then a
staff list of ``BENCH_SCALE_LEARNERS`` rows is imported from CSV (``services.bulk_import``:
every row checked, accounts, organisation, enrolments and set-password links made, in one
transaction) on another copy, timed side by side with ``add_learners``, which writes as many
learners without checking anything: the ratio is what the checks and the links cost.

Run alone with ``python -m benchmarks.scale INSTANCE_DIR`` (a folder made by ``flask demo``).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

LEARNERS = int(os.environ.get("BENCH_SCALE_LEARNERS", "40000"))
# A tenth of a large country's retail staff: the lists measured again at ten times the size
# (0 to skip).
LARGEST = int(os.environ.get("BENCH_SCALE_LARGEST", "400000"))
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "20"))
PAGES = [
    ("administration /admin/", "/admin/"),
    ("users, first page", "/admin/users"),
    ("users, a middle page", "/admin/users?page=400"),
    ("users, search by e-mail", "/admin/users?q=learner31337%40"),
    ("users, search by real name", "/admin/users?q=%EB%B0%95%EC%A7%80%ED%98%B8"),
    ("reports /admin/reports", "/admin/reports"),
    ("examiner queue /examiner/", "/examiner/"),
]


def _app(db_path: Path, media: Path):
    from accessible_learning import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                       "MEDIA_ROOT": str(media), "RATELIMIT_ENABLED": False})


def _admin_client(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "admin@example.org", "password": "admin-demo-pass",
                                "csrf_token": token})
    return client


def _time_pages(app) -> dict[str, tuple[float, int, int]]:
    """Median milliseconds, bytes and status of each page."""
    client = _admin_client(app)
    found = {}
    for _label, path in PAGES:
        response = client.get(path)
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            response = client.get(path)
            times.append(1000 * (time.perf_counter() - start))
        found[path] = (statistics.median(times), len(response.data), response.status_code)
    return found


def _time_import(app) -> float:
    """Seconds to read and import ``LEARNERS`` rows, enrolled in the first published course."""
    from accessible_learning.extensions import db
    from accessible_learning.services import bulk_import

    with app.app_context():
        course = db.session.execute(db.text(
            "SELECT title FROM courses WHERE published ORDER BY id LIMIT 1")).scalar()
        data = ("name,email,organisation,courses\n" + "".join(
            f"Staff {i},staff{i:05d}@retail.example.org,Fresh Market Retail,{course}\n"
            for i in range(LEARNERS))).encode("utf-8")
        start = time.perf_counter()
        rows, problems = bulk_import.read(data)
        report = bulk_import.run(rows, None)
        seconds = time.perf_counter() - start
        if problems or not report.imported or len(report.created) != LEARNERS:
            raise SystemExit(f"the import failed: {(problems or report.problems)[:3]}")
        return seconds


def main(instance: Path) -> int:
    from accessible_learning.extensions import db
    from accessible_learning.services import demo

    source = next(instance.glob("*.db"), None)
    if source is None:
        raise SystemExit(f"no database in {instance}: run flask demo there first")
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-scale-"))
    try:
        small, large = tmp / "small.db", tmp / "large.db"
        for copy in (small, large):  # SQLite's backup: a consistent copy while servers run
            with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
        large_app = _app(large, instance / "media")
        with large_app.app_context():
            start = time.perf_counter()
            demo.add_learners(LEARNERS)
            added_s = time.perf_counter() - start
            users = db.session.execute(db.text("SELECT count(*) FROM users")).scalar()
        small_app = _app(small, instance / "media")
        with small_app.app_context():
            few = db.session.execute(db.text("SELECT count(*) FROM users")).scalar()
        # Side by side, before the largest copy is made (whose hundreds of thousands of rows
        # written in this process would weigh on whatever is timed after them).
        small_times, large_times = _time_pages(small_app), _time_pages(large_app)
        largest_times, largest_users = {}, 0
        if LARGEST:
            largest = tmp / "largest.db"
            with sqlite3.connect(source) as src, sqlite3.connect(largest) as dst:
                src.backup(dst)
            largest_app = _app(largest, instance / "media")
            with largest_app.app_context():
                demo.add_learners(LARGEST, batch=20000)
                largest_users = db.session.execute(db.text("SELECT count(*) FROM users")).scalar()
            largest_times = _time_pages(largest_app)
        imported = tmp / "imported.db"
        with sqlite3.connect(source) as src, sqlite3.connect(imported) as dst:
            src.backup(dst)
        import_s = _time_import(_app(imported, instance / "media"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nScale: the pages that list people with {few} users (the demo) and with {users:,} "
          f"(the demo and {LEARNERS:,} learners added in {added_s:.1f} s), in process, median of "
          f"{REQUESTS} requests each, logged in as the administrator")
    print(f"{'page':<30} {'demo ms':>8} {'large ms':>9} {'× demo':>7} {'demo KB':>8} "
          f"{'large KB':>9} {'status':>7}")
    worst = 0.0
    for label, path in PAGES:
        (a_ms, a_bytes, a_status), (b_ms, b_bytes, b_status) = small_times[path], large_times[path]
        worst = max(worst, b_ms / a_ms)
        print(f"{label:<30} {a_ms:>8.1f} {b_ms:>9.1f} {b_ms / a_ms:>7.1f} {a_bytes / 1024:>8.1f} "
              f"{b_bytes / 1024:>9.1f} {a_status:>3}/{b_status:<3}")
    print(f"slowest growth: {worst:.1f}× the demo's time with {users / few:,.0f}× the users")
    if largest_times:
        print(f"\nThe same pages with {largest_users:,} users:")
        print(f"{'page':<30} {'ms':>8} {'× demo':>7} {'× 40k':>6} {'KB':>8} {'status':>7}")
        for label, path in PAGES:
            ms, size, status = largest_times[path]
            print(f"{label:<30} {ms:>8.1f} {ms / small_times[path][0]:>7.1f} "
                  f"{ms / large_times[path][0]:>6.1f} {size / 1024:>8.1f} {status:>7}")
    print(f"\nImport of a {LEARNERS:,}-row staff list from CSV (checked, enrolled, with "
          f"set-password links), one transaction: {import_s:.1f} s, {import_s / added_s:.2f}× "
          f"the {added_s:.1f} s of add_learners writing as many learners unchecked; "
          f"{LEARNERS / import_s:,.0f} rows a second")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m benchmarks.scale INSTANCE_DIR")
    sys.exit(main(Path(sys.argv[1])))
