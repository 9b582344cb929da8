#!/usr/bin/env python3
"""Compare two apy builds on one program: runs them alternately and prints both medians.

    python3 benches/ab.py OLD_APY NEW_APY PROGRAM [--runs N]

For a change's effect on speed, where the runner (benches/run.py) compares apy with python3.
Build the two binaries into different target directories (a git worktree per change works),
then compare them on a bench program or a smaller version of one. The machines are shared and
noisy: trust differences of a few percent only when they repeat, and count instructions
(valgrind --tool=callgrind) when they do not.
"""

import argparse
import statistics
import subprocess
import time


def timed(exe, program):
    start = time.perf_counter()
    subprocess.run([exe, program], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the apy binary to compare against")
    parser.add_argument("new", help="the apy binary with the change")
    parser.add_argument("program", help="the program both run")
    parser.add_argument("--runs", type=int, default=7, help="runs per binary (default 7)")
    args = parser.parse_args()
    old, new = [], []
    for _ in range(args.runs):
        old.append(timed(args.old, args.program))
        new.append(timed(args.new, args.program))
    old_median, new_median = statistics.median(old), statistics.median(new)
    print(
        f"{args.program}: old {old_median:.3f} s, new {new_median:.3f} s, "
        f"new/old {new_median / old_median:.3f} ({args.runs} runs each, alternating)"
    )


if __name__ == "__main__":
    main()
