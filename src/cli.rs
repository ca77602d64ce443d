#![allow(
    clippy::disallowed_methods,
    reason = "writes the commands' output to standard output and standard error"
)]
//! Command-line parsing and dispatch: the only module that calls the
//! commands (`init`, `diff`, `upgrade`). It maps their results to output and
//! exit codes: 0 success, 1 something to take (diff) or conflicts left
//! (upgrade), 2 error, refusal or bad usage.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

use crate::deadline::TimeLimit;
use crate::error::Error;
use crate::report::{self, JsonFor};
use crate::{diff, init, upgrade};

/// How a run ends: every command's answer, turned into the process's exit
/// code in one place, [`ExitStatus::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExitStatus {
    /// 0: done; `diff` found nothing to take, `upgrade` left no conflict.
    Done,
    /// 1: `diff` found changes to take; `upgrade` left conflicts.
    Differences,
    /// 2: an error, a refusal or bad usage.
    Refused,
}

impl ExitStatus {
    fn code(self) -> i32 {
        match self {
            ExitStatus::Done => 0,
            ExitStatus::Differences => 1,
            ExitStatus::Refused => 2,
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "quickscale",
    version,
    about = "Write a production-ready Django 5.2 project in milliseconds, and later take each new starter with a three-way merge.",
    after_help = "Exit codes: 0 success, 1 changes to take (diff) or conflicts left (upgrade), 2 error or bad usage."
)]
pub(crate) struct Cli {
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
        /// Modules to enable, e.g. `--with teams` (a comma list; repeatable): see `quickscale modules`.
        #[arg(long = "with", value_name = "MODULES", value_delimiter = ',')]
        with: Vec<String>,
    },
    /// Preview what `upgrade` would take from this binary's starter; writes nothing
    ///
    /// Uses the project's .quickscale.toml to tell files you changed from files the starter
    /// changed. Reads only the starter's files and never writes. Exit 0 when there is nothing
    /// to take (up to date, or only your own changes), 1 when there is, 2 on error.
    Diff {
        /// The project directory.
        #[arg(default_value = ".", value_parser = clap::value_parser!(OsString))]
        path: OsString,
        /// The project name, for a project without .quickscale.toml (made by hand or by an old quickscale).
        #[arg(long)]
        name: Option<String>,
        /// Print what upgrade would write, as a patch applied onto your files (`| git apply`).
        #[arg(long, group = "view")]
        patch: bool,
        /// Print each file with something to take, its outcome and line counts.
        #[arg(long, group = "view")]
        stat: bool,
        /// Print only the paths of files with something to take.
        #[arg(long, group = "view")]
        name_only: bool,
        /// Output format; `json` is for tools and CI (schema: docs/diff-json.md).
        #[arg(long, value_enum, default_value_t = Format::Text, conflicts_with = "view")]
        format: Format,
        /// Only what needs no decision: starter changes to files you never touched, and clean merges.
        #[arg(long)]
        safe_only: bool,
    },
    /// Take this binary's starter into a project: a three-way merge against the starter it was made from
    ///
    /// Files you never changed are updated, added or deleted; files both sides changed are
    /// merged line by line, with git-style conflict markers where both changed the same
    /// lines. Your changes are never overwritten. Exit 0 when everything applied cleanly or
    /// there was nothing to do, 1 when conflicts are left to resolve, 2 on error or refusal.
    Upgrade {
        #[command(flatten)]
        apply: ApplyArgs,
    },
    /// Add a module (see `quickscale modules`) to a project: a three-way merge, as upgrade does
    ///
    /// The base is the project's starter with its modules as they are; theirs is the same
    /// starter with MODULE enabled too. Your edits stay, the module's files and lines are
    /// merged in, conflicts get markers. The project must be on this quickscale's starter
    /// (`quickscale upgrade` first). Exit 0 when it applied cleanly or the module was already
    /// there, 1 when conflicts are left to resolve, 2 on error or refusal.
    Add {
        /// The module to add, e.g. `teams`.
        module: String,
        #[command(flatten)]
        apply: ApplyArgs,
    },
    /// List the starter's modules, and which the project in PATH has enabled
    Modules {
        /// A project directory, to mark its enabled modules [default: the project the current directory is in, if any]
        #[arg(value_parser = clap::value_parser!(OsString))]
        path: Option<OsString>,
    },
    /// Print a shell completion script: `quickscale completions bash > ~/.local/share/bash-completion/completions/quickscale`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// What `upgrade` and `add` share: they apply a plan the same way.
#[derive(Debug, clap::Args)]
struct ApplyArgs {
    /// The project directory.
    #[arg(default_value = ".", value_parser = clap::value_parser!(OsString))]
    path: OsString,
    /// Print the plan (take, merge, conflict, keep for each file) and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write even where git has uncommitted changes in the files it would write.
    #[arg(long)]
    allow_dirty: bool,
    /// Output format; `json` prints the plan for tools (schema: docs/diff-json.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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
    status(args.into_iter().map(Into::into).collect()).code()
}

/// Runs quickscale with `args` (program name first).
fn status(args: Vec<OsString>) -> ExitStatus {
    let command = subcommand_of(&args);
    if let Some(option) = unknown_init_option(&args) {
        let _ = writeln!(
            io::stderr(),
            "error: unknown option '{}' for `quickscale init`; run 'quickscale init --help' for its \
             options (a path that starts with '-' goes after `--`: quickscale init -- {})",
            crate::error::escape_controls(&option),
            crate::error::escape_controls(&option)
        );
        return ExitStatus::Refused;
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // Help and --version go to stdout with exit 0.
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            return ExitStatus::Done;
        }
        Err(error)
            if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            let _ = writeln!(
                io::stderr(),
                "error: no command given; use `quickscale init PATH`, `quickscale diff [PATH]`, \
                 `quickscale upgrade [PATH]`, `quickscale add MODULE [PATH]` or `quickscale \
                 completions SHELL`, or see 'quickscale --help'"
            );
            return ExitStatus::Refused;
        }
        Err(error) => {
            let _ = writeln!(
                io::stderr(),
                "{}",
                one_line_usage_error(&error, command.as_deref())
            );
            return ExitStatus::Refused;
        }
    };
    let result = match cli.command {
        Command::Init { path, name, with } => {
            init::init(Path::new(&path), name.as_deref(), &with).and_then(|created| {
                for note in init::notes(&created) {
                    let _ = writeln!(io::stderr(), "note: {note}");
                }
                // The project exists by now: say so, whatever happened to stdout.
                write_stdout(init::summary(&created).as_bytes())
                    .map_err(|e| {
                        // Error::new drops io's "(os error N)" suffix.
                        Error::new(format!(
                            "created the project in '{}', but could not print the next steps to \
                             standard output: {e}",
                            created.root.display(),
                        ))
                    })
                    .map(|()| ExitStatus::Done)
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
        Command::Upgrade { apply } => run_upgrade(&apply, None),
        Command::Add { module, apply } => run_upgrade(&apply, Some(&module)),
        Command::Modules { path } => crate::modules::list(path.as_deref().map(Path::new))
            .and_then(|text| print_stdout(text.as_bytes()))
            .map(|()| ExitStatus::Done),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "quickscale", &mut script);
            print_stdout(&script).map(|()| ExitStatus::Done)
        }
    };
    match result {
        Ok(status) => status,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {error}");
            match error.signal() {
                Some(signal) => crate::interrupt::die(signal),
                None => ExitStatus::Refused,
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

fn run_diff(
    path: &Path,
    name: Option<&str>,
    view: View,
    safe_only: bool,
) -> Result<ExitStatus, Error> {
    let found = diff::diff(path, name, safe_only)?;
    let (plan, hidden) = (&found.plan, found.hidden);
    // Views meant for tools keep stdout to what they promise; the line that
    // says something was left out goes to stderr.
    if hidden > 0 && matches!(view, View::NameOnly | View::Patch) {
        let _ = write!(
            anstream::stderr(),
            "note: {}",
            report::safe_only_left_out(hidden)
        );
    }
    let text = match view {
        View::Summary => report::summary(plan, hidden),
        View::Stat => report::stat(plan, hidden, TimeLimit::REPORT),
        View::NameOnly => report::name_only(plan),
        View::Json => report::json(
            plan,
            JsonFor::Diff { left_out: hidden },
            &[],
            TimeLimit::REPORT,
        ),
        View::Patch => {
            let (patch, left_out) = report::patch(plan, TimeLimit::REPORT);
            for path in left_out {
                let _ = writeln!(
                    anstream::stderr(),
                    "note: '{}' is not in the patch (binary, or no manifest to tell who changed it); \
                     `quickscale upgrade` handles binary files",
                    crate::error::escape_controls(&path)
                );
            }
            if !patch.is_empty() {
                if let Some(note) = crate::patch_target::note(&found.root) {
                    let _ = writeln!(
                        anstream::stderr(),
                        "note: {}",
                        crate::error::escape_controls(&note)
                    );
                }
            }
            patch
        }
    };
    print_stdout(text.as_bytes())?;
    // The exit code answers "is anything left to take?", whatever
    // --safe-only shows.
    Ok(if found.has_changes_to_take() {
        ExitStatus::Differences
    } else {
        ExitStatus::Done
    })
}

/// `upgrade`, or `add` when `adding` names a module.
fn run_upgrade(apply: &ApplyArgs, adding: Option<&str>) -> Result<ExitStatus, Error> {
    let (path, dry_run, allow_dirty, format) = (
        Path::new(&apply.path),
        apply.dry_run,
        apply.allow_dirty,
        apply.format,
    );
    let mut say = |line: &str| {
        let _ = writeln!(anstream::stderr(), "{line}");
    };
    let done = match adding {
        Some(module) => upgrade::add(path, module, dry_run, allow_dirty, &mut say)?,
        None => upgrade::upgrade(path, dry_run, allow_dirty, &mut say)?,
    };
    let text = match (format, dry_run) {
        (Format::Json, _) => report::json(
            &done.plan,
            JsonFor::Upgrade {
                applied: done.applied,
            },
            &done.notes,
            TimeLimit::REPORT,
        ),
        (Format::Text, true) => report::upgrade_plan(&done.plan, adding, &done.notes),
        (Format::Text, false) => match adding.and_then(crate::starter::head_module) {
            Some(module) => report::add_done(
                &done.plan,
                module.name,
                module.env,
                &done.notes,
                done.applied,
            ),
            None => report::upgrade_done(&done.plan, &done.from, &done.notes, done.applied),
        },
    };
    let status = if done.has_conflicts() {
        ExitStatus::Differences
    } else {
        ExitStatus::Done
    };
    match print_stdout(text.as_bytes()) {
        Ok(()) => Ok(status),
        // Exit 2 promises an untouched project, which this is not: the code
        // stays what the upgrade itself gives, and stderr says what happened.
        Err(error) if done.applied => {
            let _ = writeln!(
                io::stderr(),
                "warning: the project '{}' was upgraded to quickscale {}{}, but its report could \
                 not be printed ({}); `git status` and `git diff` show what changed",
                crate::error::escape_controls(&done.plan.project_name),
                crate::text::QUICKSCALE_VERSION,
                if status == ExitStatus::Differences {
                    " with conflicts left to resolve"
                } else {
                    ""
                },
                error
            );
            Ok(status)
        }
        Err(error) => Err(error),
    }
}

/// The subcommand the arguments name, if any, for the help a usage error
/// points to.
fn subcommand_of(args: &[OsString]) -> Option<String> {
    let first = args
        .iter()
        .skip(1)
        .find(|arg| !arg.to_string_lossy().starts_with('-'))?;
    Cli::command()
        .get_subcommands()
        .map(|command| command.get_name().to_owned())
        .find(|name| first == name.as_str())
}

/// The first argument of `init` that looks like an option and is none of
/// its own (`--nme`): clap would take it as the path and blame what follows.
/// Arguments after `--` are values.
fn unknown_init_option(args: &[OsString]) -> Option<String> {
    let mut rest = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    if rest.next()? != "init" {
        return None;
    }
    // init's own options, from its definition: `(--long, takes a value)`.
    let command = Cli::command();
    let init = command.find_subcommand("init")?;
    let own: Vec<(String, bool)> = init
        .get_arguments()
        .filter_map(|arg| {
            let takes_value = arg.get_action().takes_values();
            arg.get_long()
                .map(|long| (format!("--{long}"), takes_value))
        })
        .collect();
    let mut value_next = false;
    for arg in rest {
        if std::mem::take(&mut value_next) {
            continue;
        }
        match arg.as_ref() {
            "--" => return None,
            "-h" | "--help" => {}
            other => {
                if let Some((_, takes_value)) = own.iter().find(|(long, _)| long == other) {
                    value_next = *takes_value;
                } else if own.iter().any(|(long, _)| {
                    other
                        .strip_prefix(long.as_str())
                        .is_some_and(|rest| rest.starts_with('='))
                }) {
                } else if other.starts_with('-') && other != "-" {
                    return Some(other.to_owned());
                }
            }
        }
    }
    None
}

/// Clap's first line ("error: unexpected argument ...") plus a pointer to
/// --help (the subcommand's, when one was named), keeping the one-line error
/// contract for usage mistakes too.
fn one_line_usage_error(error: &clap::Error, command: Option<&str>) -> String {
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
    let help = match command {
        Some(command) => format!("quickscale {command} --help"),
        None => "quickscale --help".to_owned(),
    };
    let line = format!("{first}{tip}; run '{help}' for usage");
    crate::error::escape_controls(&line).into_owned()
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
/// Colour codes are kept on a terminal (or with CLICOLOR_FORCE) and stripped
/// elsewhere, and always with NO_COLOR.
pub(crate) fn print_stdout(bytes: &[u8]) -> Result<(), Error> {
    write_stdout(bytes).map_err(|e| Error::new(format!("cannot write to standard output: {e}")))
}

fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = anstream::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}
