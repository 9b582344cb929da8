#!/usr/bin/env python3
"""Side-by-side benchmarks: apy against CPython's real executable, on the same machine, in one run.

Every program in benches/progs/ is valid Python and valid apy and prints one deterministic line.
For each selected program the runner starts apy and python3 alternately (N runs each), times
every child with time.perf_counter around the spawn and the reap, reads the child's peak RSS from
os.wait4, checks that both sides printed the same bytes, and prints one table with medians,
ratios (apy / python3), peak RSS, the geometric means of the compute and asyncio groups, the
peak RSS per sleeping task and the per-task cost of the spawn growth series.

`--check` runs each program once under both and only compares what they print (the test suite
uses it). Only the Python 3 standard library is used, so the runner works on a bare machine.
"""

import argparse
import ctypes
import fnmatch
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROGS_DIR = BENCH_DIR / "progs"
REPO_DIR = BENCH_DIR.parent
DEFAULT_APY = REPO_DIR / "target" / "release" / "apy"

# The groups give the table its order and the geometric means their members. A program in
# benches/progs/ that no group names still runs and shows up under "other".
GROUPS = {
    "compute": ["fib", "loops", "strings", "containers", "objects", "closures", "exceptions"],
    "asyncio": [
        "spawn", "switch", "pingpong", "pipeline", "gather_tree", "sleepers", "generators_async",
    ],
    "growth": ["spawn_10k", "spawn_100k", "spawn_1m"],
    "startup": ["startup_pass", "hello"],
}
GROUP_TITLES = {
    "compute": "compute",
    "asyncio": "asyncio",
    "growth": "growth (spawn series)",
    "startup": "start-up (ms)",
    "other": "other",
}
# Tasks alive at once in the programs whose per-task figures the summary derives.
SLEEPERS_TASKS = 100_000
GROWTH_TASKS = {"spawn_10k": 10_000, "spawn_100k": 100_000, "spawn_1m": 1_000_000}
BASELINE = "startup_pass"

PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Outcome:
    """What one run of one program under one side left behind."""

    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0  # Negative for a signal, as subprocess reports it.
    seconds: float = 0.0
    rss_kib: int = 0
    # False when ru_maxrss may be the runner's own high-water mark (see measure_clean_rss).
    rss_exact: bool = True
    timed_out: bool = False
    spawn_error: str = ""

    def failure(self):
        """A short reason this run does not count, or "" when it succeeded."""
        if self.spawn_error:
            return f"cannot start: {self.spawn_error}"
        if self.timed_out:
            return "timeout"
        if self.exit_code < 0:
            return f"killed by signal {-self.exit_code}"
        if self.exit_code != 0:
            return f"exit status {self.exit_code}"
        return ""


@dataclass
class SideResult:
    """All runs of one program under one side (apy or python3)."""

    runs: list = field(default_factory=list)
    failed: Outcome = None
    rss_kib: int = 0
    rss_exact: bool = True
    # What the clean RSS run printed: it must agree with the timed runs too.
    clean_stdout: bytes = None

    def outputs(self):
        found = {o.stdout for o in self.runs}
        if self.clean_stdout is not None:
            found.add(self.clean_stdout)
        return found

    def median(self):
        return statistics.median(o.seconds for o in self.runs) if self.runs else None


@dataclass
class ProgramResult:
    name: str
    group: str
    apy: SideResult
    python: SideResult
    mismatch: str = ""

    def ratio(self):
        """apy time over python3 time, or None when the row must not count."""
        if self.mismatch or self.apy.failed or self.python.failed:
            return None
        apy, py = self.apy.median(), self.python.median()
        if apy is None or not py:
            return None
        return apy / py


class Killer:
    """Kills a child's process group after a timeout unless the child has exited first.

    The caller calls `exited()` after waiting for the child *without reaping it* (WNOWAIT), so
    the group cannot have been reused by the time the timer could fire. Killing the group and
    not only the child also stops anything a wrapper script in front of apy started.
    """

    def __init__(self, pgid, timeout):
        self.pgid = pgid
        self.fired = False
        self.done = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(timeout, self.fire)
        self.timer.daemon = True
        self.timer.start()

    def fire(self):
        with self.lock:
            if not self.done:
                self.fired = True
                try:
                    os.killpg(self.pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def exited(self):
        with self.lock:
            self.done = True
        self.timer.cancel()
        return self.fired


def wait_child(pid, pgid, timeout):
    """Waits for `pid` (killing group `pgid` after `timeout` s).

    Returns (exit code, rusage, timed out).
    """
    killer = Killer(pgid, timeout)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    timed_out = killer.exited()
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage, timed_out


def own_rss_high_water_kib():
    """The runner's own peak RSS: the floor under any child's ru_maxrss on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_once(argv, timeout, env):
    """Runs argv once with stdout/stderr captured in files; times it and reads its peak RSS.

    On Linux a child's ru_maxrss starts at its parent's RSS high-water mark, because exec
    records the old address space's peak (the runner's, via vfork). A value at or below the
    runner's own peak is therefore marked inexact, and measure_clean_rss fixes it.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        floor = own_rss_high_water_kib()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    env=env, start_new_session=True)
        except OSError as e:
            return Outcome(spawn_error=str(e))
        code, usage, timed_out = wait_child(proc.pid, proc.pid, timeout)
        seconds = time.perf_counter() - start
        proc.returncode = code  # The child is reaped: keep Popen from waiting for it again.
        out.seek(0)
        err.seek(0)
        # 256 KiB of slack covers what the runner allocates between reading VmHWM and exec.
        exact = usage.ru_maxrss > floor + 256
        return Outcome(out.read(), err.read(), code, seconds, usage.ru_maxrss, exact, timed_out)


_subreaper = None


def become_subreaper():
    """Asks Linux to hand orphaned grandchildren to this process, so that it can reap them."""
    global _subreaper
    if _subreaper is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


def measure_clean_rss(argv, timeout, env):
    """Runs argv once as a grandchild forked by /bin/sh, so its peak RSS is its own.

    The shell forks the program in the background and exits; the program is then re-parented to
    this (subreaper) process, which reaps it with wait4. Its ru_maxrss starts from the small
    shell's RSS instead of the runner's. Returns an Outcome with the RSS only (its time includes
    the shell and is not used), or None where this is not possible.
    """
    if not become_subreaper():
        return None
    with tempfile.NamedTemporaryFile(delete=False) as pid_file:
        pid_path = pid_file.name
    script = 'f=$1; shift; "$@" & echo $! > "$f"'
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            shell = subprocess.Popen(["/bin/sh", "-c", script, "sh", pid_path, *argv],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                     start_new_session=True)
            # The program stays in the shell's process group after the shell exits.
            shell.returncode = wait_child(shell.pid, shell.pid, timeout)[0]
            text = Path(pid_path).read_text().strip()
            if not text.isdigit():
                return None
            code, usage, timed_out = wait_child(int(text), shell.pid, timeout)
            out.seek(0)
            err.seek(0)
            return Outcome(out.read(), err.read(), code, 0.0, usage.ru_maxrss, True, timed_out)
    except OSError:
        return None
    finally:
        os.unlink(pid_path)


# ---------------------------------------------------------------------------------------------
# Selecting and running programs.


def group_of(name):
    for group, members in GROUPS.items():
        if name in members:
            return group
    return "other"


def all_programs():
    """Every program in benches/progs/, in table order: by group, then as the group lists them."""
    names = sorted(p.stem for p in PROGS_DIR.glob("*.py"))
    order = [n for members in GROUPS.values() for n in members]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def select_programs(filters):
    """Names matching any filter: a group name, a program name, or a glob such as 'spawn*'."""
    names = all_programs()
    if not filters:
        return names
    chosen = set()
    for pattern in filters:
        found = [n for n in names if group_of(n) == pattern or fnmatch.fnmatchcase(n, pattern)]
        if not found:
            sys.exit(f"run.py: no program matches {pattern!r} (programs: {', '.join(names)};"
                     f" groups: {', '.join(GROUPS)})")
        chosen.update(found)
    return [n for n in names if n in chosen]


@dataclass
class Sides:
    """How to start each side, and the environment both children get."""

    apy: list
    python: list
    timeout: float
    env: dict

    def argv(self, side, name):
        prefix = self.apy if side == "apy" else self.python
        return [*prefix, str(PROGS_DIR / f"{name}.py")]


def progress(text):
    print(text, file=sys.stderr, flush=True)


def bench_program(name, sides, n_runs):
    """Runs one program n_runs times under each side, alternating which side goes first."""
    res = {"apy": SideResult(), "python": SideResult()}
    for run_idx in range(n_runs):
        order = ("apy", "python") if run_idx % 2 == 0 else ("python", "apy")
        for side in order:
            if res[side].failed:
                continue
            outcome = run_once(sides.argv(side, name), sides.timeout, sides.env)
            if outcome.failure():
                res[side].failed = outcome
            else:
                res[side].runs.append(outcome)
    for side, side_res in res.items():
        settle_rss(side_res, sides.argv(side, name), sides)
    result = ProgramResult(name, group_of(name), res["apy"], res["python"])
    result.mismatch = compare_outputs(result)
    return result


def settle_rss(side_res, argv, sides):
    """Sets the side's peak RSS: the median of the runs, or one clean run when they were inexact."""
    if not side_res.runs:
        return
    side_res.rss_kib = int(statistics.median(o.rss_kib for o in side_res.runs))
    if all(o.rss_exact for o in side_res.runs):
        return
    clean = measure_clean_rss(argv, sides.timeout, sides.env)
    if clean is None or clean.failure():
        side_res.rss_exact = False
        return
    side_res.rss_kib = clean.rss_kib
    side_res.clean_stdout = clean.stdout


def compare_outputs(result):
    """Describes how the two sides' stdout differ (or a side's runs among themselves), or ""."""
    texts = {}
    for side, side_res in (("apy", result.apy), ("python3", result.python)):
        outputs = side_res.outputs()
        if len(outputs) > 1:
            return f"{side} printed different output in different runs"
        if outputs:
            texts[side] = outputs.pop()
    if len(texts) == 2 and texts["apy"] != texts["python3"]:
        return f"apy printed {preview(texts['apy'])}, python3 printed {preview(texts['python3'])}"
    return ""


def preview(data, limit=120):
    text = data.decode("utf-8", "replace")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def last_line(data):
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


# ---------------------------------------------------------------------------------------------
# The report.


def fmt_time(seconds, group):
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.2f} ms" if group == "startup" else f"{seconds:.3f} s"


def fmt_side(side_res, group):
    if side_res.failed:
        return side_res.failed.failure()
    return fmt_time(side_res.median(), group)


def fmt_rss(side_res):
    if not side_res.runs:
        return "-"
    mib = f"{side_res.rss_kib / 1024:.1f}"
    # An inexact value is the runner's own peak: the child used at most that much.
    return mib if side_res.rss_exact else f"<={mib}"


def fmt_ratio(result):
    if result.mismatch:
        return "MISMATCH"
    ratio = result.ratio()
    return "-" if ratio is None else f"{ratio:.2f}"


HEADINGS = ["program", "apy median", "python3 median", "ratio", "apy RSS MiB", "python3 RSS MiB"]


def table_rows(results):
    """The table as lists of cells; a one-cell list starts a group."""
    rows = []
    group = None
    for res in results:
        if res.group != group:
            group = res.group
            rows.append([GROUP_TITLES[group]])
        rows.append([res.name, fmt_side(res.apy, group), fmt_side(res.python, group),
                     fmt_ratio(res), fmt_rss(res.apy), fmt_rss(res.python)])
    return rows


def render_table(results, markdown):
    rows = table_rows(results)
    if markdown:
        lines = ["| " + " | ".join(HEADINGS) + " |", "|" + "---|" + "---:|" * 5]
        for row in rows:
            if len(row) == 1:
                row = [f"**{row[0]}**"] + [""] * 5
            lines.append("| " + " | ".join(row) + " |")
        return lines
    widths = [max(len(r[i]) for r in [HEADINGS] + [r for r in rows if len(r) > 1])
              for i in range(len(HEADINGS))]
    widths[0] += 2

    def line(cells):
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:]))
        return "  ".join([first, *rest]).rstrip()

    lines = [line(HEADINGS)]
    for row in rows:
        lines.append(f"-- {row[0]}" if len(row) == 1 else line(["  " + row[0], *row[1:]]))
    return lines


def geometric_mean_line(results, group):
    members = [r for r in results if r.group == group]
    if not members:
        return None
    ratios = [r.ratio() for r in members if r.ratio() is not None]
    excluded = [r.name for r in members if r.ratio() is None]
    counted = f"{len(ratios)} of {len(members)}"
    if excluded:
        counted += f"; excluded: {', '.join(excluded)}"
    if not ratios:
        return f"geometric mean apy/python3, {group}: - ({counted})"
    mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    return f"geometric mean apy/python3, {group}: {mean:.2f} ({counted})"


def usable(result, side):
    side_res = getattr(result, side)
    return side_res if side_res.runs and not side_res.failed and not result.mismatch else None


def sleepers_line(by_name):
    sleepers, base = by_name.get("sleepers"), by_name.get(BASELINE)
    if not sleepers or not base:
        return None
    parts = []
    for side, label in (("apy", "apy"), ("python", "python3")):
        s, b = usable(sleepers, side), usable(base, side)
        if s and b and s.rss_exact and b.rss_exact:
            parts.append(f"{label} {(s.rss_kib - b.rss_kib) * 1024 / SLEEPERS_TASKS:,.0f} B")
        else:
            parts.append(f"{label} -")
    return (f"sleepers peak RSS per task: {', '.join(parts)}"
            f"  ((sleepers - {BASELINE}) / {SLEEPERS_TASKS:,} tasks)")


def growth_line(by_name, side, label):
    """Time per task of the spawn series, start-up subtracted, and its max/min spread."""
    base = by_name.get(BASELINE) and usable(by_name[BASELINE], side)
    if not base:
        return None
    cells, per_task = [], []
    for name, n_tasks in GROWTH_TASKS.items():
        res = by_name.get(name) and usable(by_name[name], side)
        if res:
            micros = (res.median() - base.median()) / n_tasks * 1e6
            per_task.append(micros)
            cells.append(f"{name.split('_')[1]} {micros:.2f} us")
    if not cells:
        return None
    spread = ""
    if len(per_task) > 1 and min(per_task) > 0:
        spread = f"  (max/min {max(per_task) / min(per_task):.2f})"
    return f"spawn growth, time per task minus {BASELINE}, {label}: {', '.join(cells)}{spread}"


def summary_lines(results):
    by_name = {r.name: r for r in results}
    lines = [geometric_mean_line(results, "compute"), geometric_mean_line(results, "asyncio"),
             sleepers_line(by_name), growth_line(by_name, "apy", "apy"),
             growth_line(by_name, "python", "python3")]
    return [line for line in lines if line]


def problem_lines(results):
    """Mismatches and failures, shouted: they are excluded from every ratio."""
    lines = []
    for res in results:
        if res.mismatch:
            lines.append(f"!! MISMATCH {res.name}: {res.mismatch}")
        for label, side_res in (("apy", res.apy), ("python3", res.python)):
            if side_res.failed:
                detail = last_line(side_res.failed.stderr)
                lines.append(f"!! {label} {res.name}: {side_res.failed.failure()}"
                             + (f": {detail}" if detail else ""))
    return lines


# ---------------------------------------------------------------------------------------------
# The machine, the commit and the command line.


def git_commit():
    def git(*args):
        done = subprocess.run(["git", *args], cwd=REPO_DIR, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown"
    if commit is None:
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def nproc():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def header_lines(args, sides, python_version):
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    apy_cmd = " ".join(sides.apy)
    return [
        f"apy vs python3 - commit {git_commit()} - {stamp}",
        f"machine: {platform.system()} {platform.release()} {platform.machine()}, {cpu_model()},"
        f" nproc {nproc()}, load {load}",
        f"apy:     {apy_cmd}",
        f"python3: {sides.python[0]} (Python {python_version})",
        f"runs: {args.runs} per side, alternating; times are medians of wall time;"
        f" RSS is peak RSS (ru_maxrss); ratio = apy / python3",
    ]


def resolve_python(command):
    """The real interpreter behind `command` (a pyenv or other shim adds its own start-up)."""
    code = "import sys; print(sys.executable); print(sys.version.split()[0])"
    try:
        done = subprocess.run([command, "-c", code], capture_output=True, text=True, timeout=120)
        exe, version = done.stdout.split()
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        sys.exit(f"run.py: cannot ask {command!r} for its executable: {e}")
    return os.path.realpath(exe), version


def prepare_apy(args):
    """The apy command, building the default binary first unless told not to."""
    apy = Path(args.apy) if args.apy else DEFAULT_APY
    if args.apy is None and not args.no_build:
        progress("run.py: cargo build --release")
        done = subprocess.run(["cargo", "build", "--release"], cwd=REPO_DIR,
                              stdout=sys.stderr, stderr=sys.stderr)
        if done.returncode != 0:
            sys.exit("run.py: cargo build --release failed")
    if args.apy is None and not apy.exists():
        sys.exit(f"run.py: no apy at {apy}: run cargo build --release or pass --apy PATH")
    return [str(apy), *(["--virtual-time"] if args.virtual_time else [])]


def child_env(args):
    env = dict(os.environ)
    if not args.virtual_time:
        # Real time unless asked: an inherited APY_VIRTUAL_TIME=1 would make sleeps free.
        env.pop("APY_VIRTUAL_TIME", None)
    return env


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Benchmark apy against python3 (CPython 3.11) side by side.",
        epilog="Programs: " + ", ".join(all_programs()) + ". Groups: " + ", ".join(GROUPS) + ".")
    parser.add_argument("programs", nargs="*", metavar="PROGRAM",
                        help="program names, group names or globs such as 'spawn*' (default: all)")
    parser.add_argument("--runs", type=int, default=5, help="runs per side (default 5)")
    parser.add_argument("--apy", help="apy command (default target/release/apy, built first)")
    parser.add_argument("--python", default="python3",
                        help="python command; its real executable is what runs (default python3)")
    parser.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    parser.add_argument("--virtual-time", action="store_true",
                        help="pass --virtual-time to apy (python3 keeps real time: not a fair"
                        " race)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds before a run is killed and reported (default 300)")
    parser.add_argument("--markdown", action="store_true", help="print the report as Markdown")
    parser.add_argument("--check", action="store_true",
                        help="run each program once under both, compare outputs only")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def check_problems(apy, python):
    """Why one --check run of a program fails: a side that failed, or different output."""
    problems = []
    for label, outcome in (("apy", apy), ("python3", python)):
        if outcome.failure():
            detail = last_line(outcome.stderr)
            problems.append(f"{label}: {outcome.failure()}" + (f": {detail}" if detail else ""))
    if not problems and apy.stdout != python.stdout:
        problems.append(f"apy printed {preview(apy.stdout)},"
                        f" python3 printed {preview(python.stdout)}")
    return problems


def run_check(names, sides):
    """Runs each program once under both sides; returns the number that failed."""
    failures = 0
    for name in names:
        outcomes = {side: run_once(sides.argv(side, name), sides.timeout, sides.env)
                    for side in ("apy", "python")}
        problems = check_problems(outcomes["apy"], outcomes["python"])
        print(("FAIL " if problems else "ok   ") + name, flush=True)
        for problem in problems:
            print(f"     {problem}", flush=True)
        failures += bool(problems)
    print(f"check: {failures} of {len(names)} programs failed")
    return failures


def with_baseline(names):
    """Adds startup_pass when a per-task figure needs it as the zero point."""
    needs = {"sleepers", *GROWTH_TASKS}
    if BASELINE not in names and needs & set(names) and BASELINE in all_programs():
        return [n for n in all_programs() if n in names or n == BASELINE]
    return names


def run_bench(names, sides, args, python_version):
    names = with_baseline(names)
    # The header is taken first so that the load average is the machine's, not the runs'.
    head = header_lines(args, sides, python_version)
    results = []
    for idx, name in enumerate(names, 1):
        progress(f"[{idx}/{len(names)}] {name}: {args.runs} runs per side")
        res = bench_program(name, sides, args.runs)
        for line in problem_lines([res]):
            progress(line)
        results.append(res)
    out = [head[0], *(f"- {line}" for line in head[1:])] if args.markdown else head
    out.append("")
    out += render_table(results, args.markdown)
    out.append("")
    summary = summary_lines(results) + problem_lines(results)
    out += [f"- {line}" for line in summary] if args.markdown else summary
    print("\n".join(out))
    return 1 if problem_lines(results) else 0


def main(argv):
    args = parse_args(argv)
    names = select_programs(args.programs)
    python, python_version = resolve_python(args.python)
    if not python_version.startswith("3.11"):
        progress(f"run.py: warning: {python} is Python {python_version}, not 3.11")
    sides = Sides(prepare_apy(args), [python], args.timeout, child_env(args))
    if args.check:
        return 1 if run_check(names, sides) else 0
    return run_bench(names, sides, args, python_version)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
