//! The `apy` command line: parses flags, runs a file, `-c` code or stdin, and sets the exit code.

fn main() {}
