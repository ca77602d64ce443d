#![allow(
    clippy::disallowed_methods,
    reason = "the entry point: reads the arguments and ends the process with the exit code"
)]
fn main() {
    // Before any command writes: past `ulimit -f`, a write then fails with an
    // error we can report instead of a silent kill.
    quickscale::interrupt::ignore_file_size_limit();
    std::process::exit(quickscale::cli::run(std::env::args_os()));
}
