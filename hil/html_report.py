"""The demo's self-contained HTML report: one file, PNG plots embedded as base64 data URIs.

Sections: the run (configuration and stages, skipped stages with their reason), programming
statistics, fitted retention parameters with confidence intervals, accuracy against time since
programming for each method, then the plots. No script, no external resource: the page opens
offline and in a locked-down browser.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from hil import __version__

if TYPE_CHECKING:
    from hil.demo import DemoResult

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
td { white-space: nowrap; } td.text { white-space: normal; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; }
.done { color: #17692c; } .skipped { color: #a4560c; font-weight: bold; } .pending { color: #777; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; } .note { color: #555; font-size: 0.9em; }
"""

_TIME_LABELS = {1.0: "1 s", 3600.0: "1 h", 86400.0: "1 day", 604800.0: "1 week"}


def time_label(t_s: float) -> str:
    """A readable time since programming: `1 s`, `1 h`, `30 days`, `1 year`."""
    if t_s in _TIME_LABELS:
        return _TIME_LABELS[t_s]
    if abs(t_s - 365.25 * 86400) < 1:
        return "1 year"
    if t_s >= 86400:
        return f"{t_s / 86400:g} days"
    return f"{t_s:g} s"


def write_html(result: DemoResult, out: Path) -> Path:
    """Write the report of `result` (plus its accuracy plot next to it) to `out`."""
    accuracy_png = None
    if result.accuracy:
        accuracy_png = accuracy_plot(
            result.config.eval_times_s,
            result.accuracy,
            result.reference_accuracy,
            out.with_name("demo_accuracy.png"),
        )
    body = [
        f"<h1>reram-hil demo: the closed loop on a {html.escape(result.config.backend)} chip</h1>",
        _accuracy_section(result, accuracy_png),
        _programming_section(result.programming),
        _fit_section(result.fit),
        _run_section(result),
        _plots_section(result.plots),
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>reram-hil demo report</title>\n"
        '<link rel="icon" href="data:,">\n'  # no favicon request: no console error offline
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    out.write_text(page, encoding="utf-8")
    return out


def accuracy_plot(
    t_s: Sequence[float],
    accuracy: dict[str, list[float]],
    reference: dict[str, float],
    out: Path,
) -> Path:
    """Accuracy (%) per method against log time since programming, references as lines."""
    figure, axis = plt.subplots(figsize=(8, 4.2))
    for index, (method, values) in enumerate(accuracy.items()):
        style = "s:" if method.startswith("forecast") else "o-"  # a prediction, not a measurement
        axis.plot(t_s, 100 * np.asarray(values), style, color=f"C{index}", label=method)
    for index, (name, value) in enumerate(reference.items()):
        axis.axhline(100 * value, ls="--", color=f"C{index + 5}", alpha=0.8, label=name)
    axis.set(
        xscale="log",
        xlabel="time since programming (s)",
        ylabel="test accuracy (%)",
        title="Accuracy of the network read back from the chip",
    )
    axis.set_xticks(list(t_s), [time_label(t) for t in t_s], rotation=30)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return out


# --- sections ----------------------------------------------------------------------------------


def _run_section(result: DemoResult) -> str:
    config = result.config
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    facts = [
        ("backend", config.backend),
        ("device preset", config.device_preset),
        ("relaxation variance", f"{config.relax_variance_factor:g} x the preset's k(G)"),
        ("seed", str(config.seed)),
        ("campaign", f"to {time_label(config.until_s)}, {config.per_decade} reads per decade"),
        ("calibration samples", str(config.n_calibration)),
        ("wall time to this report", f"{result.seconds:.1f} s"),
        ("written", f"{created} by reram-hil {__version__}"),
        ("measurement file", result.h5_path.name),
    ]
    rows = [
        [
            html.escape(s.title),
            f'<span class="{s.status}">{s.status}</span>',
            f"{s.seconds:.1f}",
            html.escape(s.detail),
        ]
        for s in result.stages
        if s.key != "report"  # this page: still being written
    ]
    return (
        "<h2>Run</h2>\n"
        + _table(["setting", "value"], [[k, html.escape(v)] for k, v in facts], text_cols=2)
        + _table(["stage", "status", "s", "result"], rows, text_cols=(0, 1, 3))
    )


def _programming_section(stats: dict[str, float]) -> str:
    if not stats:
        return "<h2>Programming</h2>\n<p class=note>Not programmed (see the stages above).</p>"
    rows = [
        ["devices programmed", f"{stats['devices']:,}"],
        ["within tolerance", f"{stats['success_pct']:.2f} %"],
        ["pulses per device, mean", f"{stats['pulses_mean']:.2f}"],
        ["pulses per device, median", f"{stats['pulses_median']:.1f}"],
        ["|error|, 99th percentile", f"{stats['error_p99_us']:.3f} uS"],
    ]
    return "<h2>Programming statistics</h2>\n" + _table(["statistic", "value"], rows, text_cols=1)


def _fit_section(fit: dict[str, Any]) -> str:
    if not fit:
        return "<h2>Fitted retention model</h2>\n<p class=note>Not fitted (see the stages).</p>"
    ci = f"{100 * fit['ci_level']:.0f} % CI"
    header = [
        "level G0 (uS)", "cells", "a (uS)", ci, "device a", "k (uS²)", ci, "device k",
        "s0 (uS)", ci, "device s0",
    ]  # fmt: skip
    rows = [
        [
            f"{level['g0_us']:.1f}",
            f"{level['cells']:,}",
            *(
                cell
                for name in ("a_us", "k_us2", "s0_us")
                for cell in (
                    f"{level[name]:.3f}",
                    f"{level[name + '_lo']:.3f} – {level[name + '_hi']:.3f}",
                    f"{level[name + '_device']:.3f}",
                )
            ),
        ]
        for level in fit["levels"]
    ]
    first = fit["levels"][0]
    notes = [
        f"Model: mean G0 + a L(t), variance s0² + k L(t), L(t) = ln(1 + t / tau); tail "
        f"{fit['tail']} with parameter {fit['tail_param']:.3g} (device model: "
        f"{fit['tail_param_device']:.3g}; for nlnv the log-sd of the per-cell variance). "
        f"Fitted tau {fit['tau_s']:.3g} s ({ci} {first['tau_s_lo']:.3g} to "
        f"{first['tau_s_hi']:.3g} s); device model tau {first['tau_s_device']:.3g} s.",
        f"Estimator: {fit['estimator']}.",
        "Device columns: the retention model the simulated chip obeys, at the same level. Device "
        "range over its levels: "
        + ", ".join(f"{k} {lo:.3g} to {hi:.3g}" for k, (lo, hi) in fit["device_range"].items()),
    ]
    return (
        "<h2>Fitted retention model</h2>\n"
        + _table(header, rows, text_cols=())
        + "".join(f"<p class=note>{html.escape(n)}</p>\n" for n in notes)
    )


def _accuracy_section(result: DemoResult, plot: Path | None) -> str:
    if not result.accuracy:
        return "<h2>Accuracy against time</h2>\n<p class=note>Not evaluated (see the stages).</p>"
    times = result.config.eval_times_s
    header = ["method", *(time_label(t) for t in times)]
    rows = [
        [html.escape(method), *(f"{100 * v:.2f} %" for v in values)]
        for method, values in result.accuracy.items()
    ]
    references = [
        [html.escape(name), f"{100 * value:.2f} %"]
        for name, value in result.reference_accuracy.items()
    ]
    cost = "".join(f"<li>{html.escape(k)}: {v:g}</li>" for k, v in result.calibration_cost.items())
    figure = (
        f'<figure><img alt="accuracy against time" src="{_data_uri(plot)}"></figure>\n'
        if plot is not None
        else ""
    )
    return (
        "<h2>Accuracy against time since programming</h2>\n"
        "<p class=note>Test accuracy of the network computed with the conductances read back "
        "from the chip at each time (chip forward pass: DAC, sinh I-V, ADC). The forecast draws "
        "conductances from the fitted retention model, starting from the read at t = 0 (stuck "
        "cells stay as read); the fitted s0 holds the read noise of both reads, so the forecast "
        "errs on the pessimistic side.</p>\n"
        + _table(header, rows, text_cols=(0,))
        + figure
        + (
            _table(["before programming", "accuracy"], references, text_cols=(0,))
            if references
            else ""
        )
        + (f"<p class=note>DoRA calibration cost:</p><ul class=note>{cost}</ul>" if cost else "")
    )


def _plots_section(plots: dict[str, Path]) -> str:
    figures = [
        f'<figure><img alt="{html.escape(caption)}" src="{_data_uri(path)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for caption, path in plots.items()
    ]
    return "<h2>Plots</h2>\n" + "\n".join(figures) if figures else ""


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _table(
    header: Sequence[str], rows: Iterable[Sequence[str]], text_cols: int | Iterable[int] = (0,)
) -> str:
    """An HTML table; cells are inserted as given (escape text first). `text_cols` are left
    aligned (an int n: the first n columns)."""
    left = set(range(text_cols)) if isinstance(text_cols, int) else set(text_cols)

    def cell(tag: str, index: int, value: str) -> str:
        attr = ' class="text"' if index in left else ""
        return f"<{tag}{attr}>{value}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "\n".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table>\n<tr>{head}</tr>\n{body}\n</table>\n"
