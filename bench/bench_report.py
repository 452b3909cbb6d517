"""The review page of a large batch: size, opening and filtering in headless Chromium.

A 5,000-form sample report (selfeval.report.sample) against a 4-form one,
opened in the same browser one after the other: the page's own clock
(navigation start to the first page of forms shown) for each, and the time
of a severity filter and a search on the large one.  Needs Debian's
chromium; skipped without it.

    .venv/bin/python -m bench report
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

N_FORMS = 5000


def main() -> list[tuple[str, str, str]]:
    from cdp import CHROMIUM, Browser

    from selfeval.report import write_report
    from selfeval.report.sample import write_sample_output

    if not Path(CHROMIUM).exists():
        return [("-", "status", "skipped: chromium is not installed (make install-browser)")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small = write_report(write_sample_output(base / "small", n_forms=4))
        started = time.perf_counter()
        big = write_report(write_sample_output(base / "big", n_forms=N_FORMS))
        written = time.perf_counter() - started
        figures: dict[str, float] = {}
        with Browser(base / "profile") as b:
            for name, report in (("4 forms", small), (f"{N_FORMS} forms", big)):
                b.open(report.as_uri())
                b.wait_for("document.documentElement.getAttribute('data-report-ready')", timeout=120)
                figures[name] = float(b.js("document.documentElement.getAttribute('data-ready-ms')"))
            figures["filter"] = b.js("""(function () { var t = performance.now();
                return selfevalReport.update({sev: 'warning', page: 1}).then(function () { return performance.now() - t; });
            })()""")
            figures["search"] = b.js("""(function () { var t = performance.now();
                return selfevalReport.update({sev: '', q: '公务员表彰奖励5000', page: 1}).then(function () { return performance.now() - t; });
            })()""")
        size = big.stat().st_size
    rows = [
        (f"{N_FORMS} forms", "report.html", f"{size / 1e6:.1f} MB (written in {written:.1f} s)"),
        ("4 forms", "open", f"{figures['4 forms']:.0f} ms"),
        (f"{N_FORMS} forms", "open", f"{figures[f'{N_FORMS} forms']:.0f} ms "
                                     f"({figures[f'{N_FORMS} forms'] / max(figures['4 forms'], 1):.2f}x the 4-form page)"),
        (f"{N_FORMS} forms", "first filter (severity)", f"{figures['filter']:.0f} ms"),
        (f"{N_FORMS} forms", "search", f"{figures['search']:.0f} ms"),
    ]
    for row in rows:
        print("\t".join(row))
    return rows


if __name__ == "__main__":
    main()
