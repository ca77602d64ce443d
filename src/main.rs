fn main() {
    std::process::exit(quickscale::cli::run(std::env::args_os()));
}
