"""The HTML report of runs that did not get everything done."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from hil.cli import main
from hil.demo import STAGES, DemoConfig, DemoResult, StageRecord
from hil.html_report import time_label, write_html


def test_skipped_stages_show_their_reason(tmp_path: Path) -> None:
    stages = [StageRecord(key, title, "done", 1.0, "ok") for key, title in STAGES]
    stages[6].status, stages[6].detail = "skipped", "no <DoRA> here & now"
    result = DemoResult(tmp_path, DemoConfig(), stages)
    page = write_html(result, tmp_path / "report.html").read_text()
    assert '<span class="skipped">skipped</span>' in page
    assert "no &lt;DoRA&gt; here &amp; now" in page  # escaped, not markup
    assert "Not evaluated" in page and "Not fitted" in page and "Not programmed" in page
    assert "<img" not in page  # nothing to plot, and no broken image


def test_time_labels() -> None:
    labels = [time_label(t) for t in (1.0, 3600.0, 86400.0, 604800.0, 2592000.0, 31557600.0)]
    assert labels == ["1 s", "1 h", "1 day", "1 week", "30 days", "1 year"]


def test_unknown_backend_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path), "--backend", "gpu"])
    assert result.exit_code == 2 and "gpu" in result.output
    assert not (tmp_path / "report.html").exists()
