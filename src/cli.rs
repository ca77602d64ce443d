//! Command-line parsing and dispatch. Each command's logic lives in its own
//! module; this one maps results to output and exit codes:
//! 0 success, 1 differences found (diff), 2 error or bad usage.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

use crate::error::Error;
use crate::report::{self, Style};
use crate::{diff, init};

pub const EXIT_OK: i32 = 0;
pub const EXIT_DIFFERENCES: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "quickscale",
    version,
    about = "Write a production-ready Django 5.2 project in milliseconds, and take later starter improvements by hand.",
    after_help = "Exit codes: 0 success, 1 differences found (diff), 2 error or bad usage."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new Django project at PATH (a new or empty directory).
    Init {
        /// Where to create the project: `mysite`, `./clients/acme`, or `.` for the empty current directory.
        // Parsed as a plain OsString so that an empty path reaches our own check and message.
        // Hyphen values pass through too, so that `-foo` gets our one-line refusal.
        #[arg(value_parser = clap::value_parser!(OsString), allow_hyphen_values = true)]
        path: OsString,
        /// Project name, if not the last component of PATH (`my-app` makes the Python package `my_app`).
        #[arg(long, allow_hyphen_values = true)]
        name: Option<String>,
    },
    /// Compare a project with this binary's starter: what is safe to take, what you changed
    ///
    /// Uses the project's .quickscale.toml to tell files you changed from files the starter
    /// changed. Reads only the starter's files and never writes. Exit 0 up to date,
    /// 1 differences, 2 error.
    Diff {
        /// The project directory.
        #[arg(default_value = ".", value_parser = clap::value_parser!(OsString))]
        path: OsString,
        /// The project name, for a project without .quickscale.toml (made by hand or by an old quickscale).
        #[arg(long)]
        name: Option<String>,
        /// Print a unified diff that turns the project into the current starter (`| git apply`).
        #[arg(long, group = "view")]
        patch: bool,
        /// Print each differing file with its status and changed line counts.
        #[arg(long, group = "view")]
        stat: bool,
        /// Print only the paths of differing files.
        #[arg(long, group = "view")]
        name_only: bool,
        /// Output format; `json` is for tools and CI (schema: docs/diff-json.md).
        #[arg(long, value_enum, default_value_t = Format::Text, conflicts_with = "view")]
        format: Format,
        /// Only changes that are safe to take: files changed or added or removed in the starter that you never touched.
        #[arg(long)]
        safe_only: bool,
    },
    /// Print a shell completion script: `quickscale completions bash > ~/.local/share/bash-completion/completions/quickscale`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Runs quickscale with `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // Help and --version go to stdout with exit 0.
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            return EXIT_OK;
        }
        Err(error)
            if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            let _ = writeln!(
                io::stderr(),
                "error: no command given; use `quickscale init PATH`, `quickscale diff [PATH]` \
                 or `quickscale completions SHELL`, or see 'quickscale --help'"
            );
            return EXIT_ERROR;
        }
        Err(error) => {
            let _ = writeln!(io::stderr(), "{}", one_line_usage_error(&error));
            return EXIT_ERROR;
        }
    };
    let result = match cli.command {
        Command::Init { path, name } => {
            init::init(Path::new(&path), name.as_deref()).and_then(|created| {
                for note in init::notes(&created) {
                    let _ = writeln!(io::stderr(), "note: {note}");
                }
                // The project exists by now: say so, whatever happened to stdout.
                write_stdout(init::summary(&created).as_bytes())
                    .map_err(|e| {
                        Error::new(format!(
                            "created the project in '{}', but could not print the next steps to \
                             standard output: {}",
                            created.root.display(),
                            crate::error::plain(&e)
                        ))
                    })
                    .map(|()| EXIT_OK)
            })
        }
        Command::Diff {
            path,
            name,
            patch,
            stat,
            name_only,
            format,
            safe_only,
        } => {
            let view = match (format, patch, stat, name_only) {
                (Format::Json, ..) => View::Json,
                (_, true, ..) => View::Patch,
                (_, _, true, _) => View::Stat,
                (_, _, _, true) => View::NameOnly,
                _ => View::Summary,
            };
            run_diff(Path::new(&path), name.as_deref(), view, safe_only)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "quickscale", &mut script);
            print_stdout(&script).map(|()| EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {error}");
            match error.signal() {
                Some(signal) => crate::interrupt::die(signal),
                None => EXIT_ERROR,
            }
        }
    }
}

enum View {
    Summary,
    Stat,
    NameOnly,
    Patch,
    Json,
}

fn run_diff(path: &Path, name: Option<&str>, view: View, safe_only: bool) -> Result<i32, Error> {
    let mut comparison = diff::compare(path, name)?;
    if safe_only {
        comparison.keep_safe_only();
    }
    let style = Style { color: use_color() };
    let text = match view {
        View::Summary => report::summary(&comparison, style),
        View::Stat => report::stat(&comparison, style),
        View::NameOnly => report::name_only(&comparison),
        View::Json => report::json(&comparison),
        View::Patch => {
            let (patch, skipped) = report::patch(&comparison, style);
            for path in skipped {
                let _ = writeln!(
                    io::stderr(),
                    "note: binary file '{path}' differs and is not in the patch; copy it from a fresh `quickscale init`"
                );
            }
            patch
        }
    };
    print_stdout(text.as_bytes())?;
    Ok(if comparison.differences.is_empty() {
        EXIT_OK
    } else {
        EXIT_DIFFERENCES
    })
}

/// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
fn use_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Clap's first line ("error: unexpected argument ...") plus a pointer to
/// --help, keeping the one-line error contract for usage mistakes too.
fn one_line_usage_error(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    // The message is the first paragraph; clap may wrap it over several lines.
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let first = if message.is_empty() {
        "error: invalid usage".to_owned()
    } else {
        message.join(" ")
    };
    let tip = rendered
        .lines()
        .find_map(|line| line.trim().strip_prefix("tip: "))
        .map(|tip| format!("; {tip}"))
        .unwrap_or_default();
    // clap quotes what the user typed, control characters included.
    let line = format!("{first}{tip}; run 'quickscale --help' for usage");
    crate::error::escape_controls(&line).into_owned()
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn print_stdout(bytes: &[u8]) -> Result<(), Error> {
    write_stdout(bytes).map_err(|e| {
        Error::new(format!(
            "cannot write to standard output: {}",
            crate::error::plain(&e)
        ))
    })
}

fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}
