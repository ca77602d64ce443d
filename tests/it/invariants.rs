//! The invariants docs/ARCHITECTURE.md states about the code's shape, checked
//! against the source itself (in the spirit of rust-analyzer's tidy tests), so
//! that each fails the moment it stops being true. Behavioural invariants are
//! tested where the behaviour is (ARCHITECTURE.md names the test for each).
//!
//! Each tidy test runs a checker over the real source and expects nothing,
//! then runs the same checker over a copy with the fault it guards against
//! put in (an `fs::read` in `compare::decide`, a second derivation of a
//! value, a command called from a module that is not the cli) and expects it
//! reported: a checker that cannot fail proves nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use quickscale::names::project_names;
use quickscale::render::{render, Values};
use quickscale::starter::{self, top_level_modules};

use crate::support::starters::OldProject;
use crate::support::{repo_root, stderr};

/// Rust files by repository-relative path (`src/merge/line_diff.rs`), text.
type Files = BTreeMap<String, String>;

/// Every `.rs` file of the binary crate (src/), the macro crate
/// (macros/src/) and the build script: everything clippy.toml governs.
fn rust_files() -> Files {
    let mut out = Files::new();
    for dir in ["src", "macros/src"] {
        collect(&repo_root(), dir, &mut out);
    }
    out.insert("build.rs".into(), read("build.rs"));
    out
}

/// The files under src/ only.
fn src_files() -> Files {
    let mut out = Files::new();
    collect(&repo_root(), "src", &mut out);
    out
}

fn collect(root: &Path, dir: &str, out: &mut Files) {
    for entry in fs::read_dir(root.join(dir)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let rel = format!("{dir}/{name}");
        if path.is_dir() {
            collect(root, &rel, out);
        } else if name.ends_with(".rs") {
            out.insert(rel, fs::read_to_string(&path).unwrap());
        }
    }
}

fn read(rel: &str) -> String {
    fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `files` with `rel` changed by `edit`: the copy a fault is put into.
fn with(files: &Files, rel: &str, edit: impl FnOnce(&str) -> String) -> Files {
    let mut copy = files.clone();
    let text = copy.get(rel).cloned().unwrap_or_default();
    copy.insert(rel.to_owned(), edit(&text));
    copy
}

/// `text` with `statement` put first in the body of the function whose
/// signature starts with `signature` (`fn decide(`).
fn into_fn(text: &str, signature: &str, statement: &str) -> String {
    let start = text
        .find(signature)
        .unwrap_or_else(|| panic!("no `{signature}`"));
    let body = start + text[start..].find('{').unwrap() + 1;
    format!("{}\n    {statement}\n{}", &text[..body], &text[body..])
}

// Reading Rust source ---------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Code,
    /// Inside a string, byte string or character literal.
    Literal,
    Comment,
}

/// What each character of Rust source is: code, literal or comment. Enough
/// of the lexer to find braces and attributes that are really code.
fn classify(c: &[char]) -> Vec<Kind> {
    let mut kinds = vec![Kind::Code; c.len()];
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let start = i;
        let kind = match c[i] {
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
                Kind::Comment
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if at(i) == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if at(i) == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else if i >= c.len() {
                        break;
                    } else {
                        i += 1;
                    }
                }
                Kind::Comment
            }
            'r' | 'b' if !ident(at(i.wrapping_sub(1))) => {
                // r"..", r#".."#, b"..", br#".."#, b'.'; else an identifier.
                let mut j = i + 1;
                if c[i] == 'b' && at(j) == 'r' {
                    j += 1;
                }
                let raw = c[i] == 'r' || at(i + 1) == 'r';
                let hashes = (j..).take_while(|&k| at(k) == '#').count();
                if raw && at(j + hashes) == '"' {
                    i = j + hashes + 1;
                    let close: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    while i < c.len() && !c[i..].starts_with(&close) {
                        i += 1;
                    }
                    i += close.len();
                    Kind::Literal
                } else if c[i] == 'b' && (at(j) == '"' || at(j) == '\'') && j == i + 1 {
                    i = skip_quoted(c, j);
                    Kind::Literal
                } else {
                    while i < c.len() && ident(c[i]) {
                        i += 1;
                    }
                    Kind::Code
                }
            }
            '"' => {
                i = skip_quoted(c, i);
                Kind::Literal
            }
            // A character literal ('x', '\n', '\u{1b}'), not a lifetime ('a).
            '\'' if at(i + 1) == '\\' || at(i + 2) == '\'' => {
                i = skip_quoted(c, i);
                Kind::Literal
            }
            _ => {
                i += 1;
                Kind::Code
            }
        };
        let end = i.min(c.len());
        kinds[start..end].fill(kind);
        i = end.max(start + 1);
    }
    kinds
}

/// The index just past the literal that opens at `open` (`"` or `'`).
fn skip_quoted(c: &[char], open: usize) -> usize {
    let quote = c[open];
    let mut i = open + 1;
    while i < c.len() && c[i] != quote {
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// Which items of a file to leave out of [`runtime_code`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leave {
    /// Items under `#[cfg(test)]`: what the binary never runs.
    Tests,
    /// Those, and items that opt out of the I/O lint with an item-level
    /// `#[allow(clippy::disallowed_...)]`: what the purity check skips.
    TestsAndDeclaredIo,
}

/// The code a file compiles to outside tests: comments blanked, and every
/// item under `#[cfg(test)]` removed wherever it is (a test module, a
/// test-only `impl` or function in the middle of the file), not the file cut
/// at its first `#[cfg(test)]`. String literals are kept, or blanked with
/// `literals: false` (a message that says "std::fs" is not I/O).
fn runtime_code(text: &str, leave: Leave, literals: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let kinds = classify(&chars);
    let mut keep = vec![true; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if kinds[i] == Kind::Code && chars[i] == '#' && chars.get(i + 1) == Some(&'[') {
            let end = attribute_end(&chars, &kinds, i);
            let attribute: String = chars[i..end]
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            let leave_item = attribute == "#[cfg(test)]"
                || (leave == Leave::TestsAndDeclaredIo
                    && attribute.starts_with("#[allow(clippy::disallowed_"));
            if leave_item {
                let item_end = item_end(&chars, &kinds, end);
                keep[i..item_end].fill(false);
                i = item_end;
                continue;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    chars
        .iter()
        .zip(&kinds)
        .zip(&keep)
        .filter(|(_, keep)| **keep)
        .map(|((&c, &kind), _)| match kind {
            Kind::Comment if c != '\n' => ' ',
            Kind::Literal if !literals && c != '\n' => '_',
            _ => c,
        })
        .collect()
}

/// The index just past the attribute opening at `start` (`#[...]`).
fn attribute_end(c: &[char], kinds: &[Kind], start: usize) -> usize {
    let mut depth = 0;
    for (i, (&ch, &kind)) in c.iter().zip(kinds).enumerate().skip(start + 1) {
        if kind != Kind::Code {
            continue;
        }
        match ch {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    c.len()
}

/// The index just past the item (or field, arm or statement) that follows an
/// attribute ending at `from`.
fn item_end(c: &[char], kinds: &[Kind], from: usize) -> usize {
    let rest: String = c[from..].iter().take(80).collect();
    let first = rest
        .trim_start()
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .next()
        .unwrap_or("");
    // Items end at `;` or their closing brace; a field, an arm or an
    // expression may also end at a comma.
    let item = [
        "fn",
        "mod",
        "impl",
        "struct",
        "enum",
        "use",
        "const",
        "static",
        "type",
        "trait",
        "pub",
        "unsafe",
        "extern",
        "let",
        "macro_rules",
    ]
    .contains(&first)
        || rest.trim_start().starts_with('#');
    let mut depth = 0i32;
    for (i, (&ch, &kind)) in c.iter().zip(kinds).enumerate().skip(from) {
        if kind != Kind::Code {
            continue;
        }
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return i; // The enclosing block ends: the item ended before it.
                }
                if depth == 0 && ch == '}' {
                    return i + 1;
                }
            }
            ';' if depth == 0 => return i + 1,
            ',' if depth == 0 && !item => return i + 1,
            _ => {}
        }
    }
    c.len()
}

/// Whether `code` names `needle` where a path or name starts (`fs::read`
/// counts in `std::fs::read(`, not in `refs::read`).
fn mentions(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The modules of this crate a file's code names (`crate::init`,
/// `use crate::{diff, init}`, `crate::upgrade::upgrade(..)`).
fn modules_used(text: &str) -> BTreeSet<String> {
    let code = runtime_code(text, Leave::Tests, false);
    let mut used = BTreeSet::new();
    for rest in code.split("crate::").skip(1) {
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let name = item
                    .trim()
                    .split("::")
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .next()
                    .unwrap_or("");
                if !name.is_empty() {
                    used.insert(name.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.insert(name);
        }
    }
    used
}

/// The reason a file gives for doing I/O: its module-level
/// `#![allow(clippy::disallowed_..., reason = "...")]`, before any item.
fn declared_io(text: &str) -> Option<String> {
    let code = runtime_code(text, Leave::Tests, true);
    let attribute = code.trim_start().strip_prefix("#![allow(")?;
    let attribute = &attribute[..attribute.find(")]")?];
    if !attribute.contains("clippy::disallowed_") {
        return None;
    }
    let reason = attribute.split("reason = \"").nth(1)?.split('"').next()?;
    Some(reason.to_owned())
}

#[test]
fn the_checker_sees_all_runtime_code_and_no_test_code() {
    let compare = read("src/compare.rs");
    let code = runtime_code(&compare, Leave::Tests, true);
    let first_cfg_test = compare.find("#[cfg(test)]").unwrap();
    assert!(
        compare[..first_cfg_test].lines().count() < 100,
        "compare.rs no longer opens with a test-only item; pick another file for this check"
    );
    for runtime in ["fn decide(", "fn looks_binary(", "fn lock_command("] {
        assert!(code.contains(runtime), "{runtime} is runtime code");
    }
    for test_only in ["mod tests", "fn text(", "fn result("] {
        assert!(!code.contains(test_only), "{test_only} is test code");
    }
    // Literals and comments do not confuse it: braces in strings, a
    // lifetime, a character literal, a raw string, nested block comments.
    let tricky = r##"
fn kept<'a>(x: &'a str) -> char { let _ = "}{"; let _ = r#"}"#; '}' }
/* } /* { */ } */
#[cfg(test)]
#[allow(dead_code)]
fn gone() { let _ = "{"; let _ = '{'; }
#[cfg(test)]
impl<'a> Gone<'a> { fn also(&self) {} }
struct S { #[cfg(test)] field: u8, kept_field: u8 }
fn after() {}
"##;
    let code = runtime_code(tricky, Leave::Tests, true);
    for kept in ["fn kept", "\"}{\"", "kept_field", "fn after"] {
        assert!(code.contains(kept), "{kept}: {code}");
    }
    for gone in ["fn gone", "fn also", "field: u8,"] {
        assert!(!code.contains(gone), "{gone}: {code}");
    }
}

// The tidy checkers -----------------------------------------------------------

/// Files other than cli.rs that use a command module (`init`, `diff`,
/// `upgrade`).
fn command_callers(files: &Files) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        for command in ["init", "diff", "upgrade", "modules"] {
            let allowed = file == "src/cli.rs"
                || *file == format!("src/{command}.rs")
                || file == "src/lib.rs";
            if !allowed && modules_used(text).contains(command) {
                found.push(format!("{file} uses the `{command}` command module"));
            }
        }
    }
    found
}

#[test]
fn only_the_cli_calls_a_command() {
    let files = src_files();
    assert_eq!(
        command_callers(&files),
        Vec::<String>::new(),
        "commands are siblings over render, compare and apply, and only cli.rs calls them"
    );
    // The fault: report.rs calls upgrade, or compare.rs (past its test-only
    // impl at the top) calls init.
    let faulty = with(&files, "src/report.rs", |text| {
        into_fn(text, "pub fn summary(", "let _ = crate::upgrade::upgrade;")
    });
    assert_eq!(
        command_callers(&faulty),
        ["src/report.rs uses the `upgrade` command module"]
    );
    let faulty = with(&files, "src/compare.rs", |text| {
        into_fn(text, "fn decide(", "use crate::{diff, init::Created};")
    });
    assert_eq!(
        command_callers(&faulty).len(),
        2,
        "{:?}",
        command_callers(&faulty)
    );
    // A mention in a comment or a test module is no call.
    let harmless = with(&files, "src/report.rs", |text| {
        format!(
            "// crate::init is mentioned\n{text}\n#[cfg(test)]\nmod more {{ use crate::init; }}\n"
        )
    });
    assert!(command_callers(&harmless).is_empty());
}

/// What a module must not name unless it says why it does I/O: the APIs
/// clippy.toml forbids, by the names code reaches them with.
const IO_NAMES: &[&str] = &[
    "std::fs",
    "fs::",
    "File::",
    "OpenOptions",
    "DirBuilder",
    "std::process",
    "Command::",
    "process::exit",
    "std::net",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "std::env::",
    "env::var",
    "env::args",
    "current_dir",
    "Instant::now",
    "SystemTime",
    "thread::sleep",
    "getrandom",
    "tempfile",
    "libc::",
    "stdin()",
    "stdout()",
    "stderr()",
    "println!",
    "print!",
    "eprintln!",
    "eprint!",
    "dbg!",
];

/// The files where one item, not the whole module, says why it does I/O:
/// `names::name_from_path` resolves `.` to the current directory's name.
const ITEM_OPT_OUTS: &[&str] = &["src/names.rs"];

/// The modules that decide: three sources in, a plan or text out. They use
/// no I/O module, and none but the manifest knows the manifest's format.
const DECIDING: &[&str] = &[
    "src/compare.rs",
    "src/conflict.rs",
    "src/merge.rs",
    "src/merge/line_diff.rs",
    "src/report.rs",
    "src/render.rs",
    "src/manifest.rs",
    "src/starter.rs",
    "src/env_file.rs",
    "src/release_notes.rs",
    "src/text.rs",
    "src/git_index.rs",
];

/// I/O where a module has not said why: the textual twin of clippy.toml's
/// lint (which `cargo clippy` enforces), plus what the lint cannot see: a
/// deciding module that leans on an I/O module or on the manifest's format,
/// an I/O declaration without a reason, and the declared set drifting from
/// the one docs/ARCHITECTURE.md lists.
fn io_outside_io_modules(files: &Files, documented: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let mut declared = BTreeSet::new();
    for (file, text) in files {
        match declared_io(text) {
            Some(reason) if reason.trim().is_empty() => {
                found.push(format!("{file} opts out of the I/O lint without a reason"))
            }
            Some(_) => {
                declared.insert(file.clone());
            }
            None => {
                let tight: String = runtime_code(text, Leave::Tests, false)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if tight.contains("#[allow(clippy::disallowed_")
                    && !ITEM_OPT_OUTS.contains(&file.as_str())
                {
                    found.push(format!("{file} opts an item out of the I/O lint"));
                }
                let code = runtime_code(text, Leave::TestsAndDeclaredIo, false);
                for name in IO_NAMES.iter().filter(|name| mentions(&code, name)) {
                    found.push(format!("{file} does I/O (`{name}`) without saying why"));
                }
            }
        }
    }
    let io_modules: BTreeSet<String> = declared
        .iter()
        .filter_map(|file| {
            file.strip_prefix("src/")?
                .strip_suffix(".rs")
                .map(str::to_owned)
        })
        .collect();
    for file in DECIDING {
        if declared.contains(*file) {
            found.push(format!("{file} decides, yet opts out of the I/O lint"));
        }
        let used = modules_used(&files[*file]);
        for module in used.intersection(&io_modules) {
            // A deadline is handed in; the clock behind it is not read here.
            if module != "deadline" {
                found.push(format!("{file} uses the I/O module `{module}`"));
            }
        }
        if *file != "src/manifest.rs" && used.contains("manifest") {
            found.push(format!("{file} depends on the manifest's format"));
        }
    }
    if declared != *documented {
        found.push(format!(
            "the modules that say why they do I/O, {declared:?}, are not the ones \
             docs/ARCHITECTURE.md lists, {documented:?}"
        ));
    }
    found
}

/// The I/O modules docs/ARCHITECTURE.md lists: the files its invariant that
/// starts "Every module is pure" names.
fn documented_io_modules(doc: &str) -> BTreeSet<String> {
    let bullet = invariant_bullets(doc)
        .into_iter()
        .find(|bullet| bullet.starts_with("Every module is pure"))
        .expect("docs/ARCHITECTURE.md states which modules do I/O");
    code_spans(&bullet)
        .into_iter()
        .filter(|span| span.ends_with(".rs"))
        .collect()
}

#[test]
fn the_modules_that_decide_do_no_io() {
    let files = rust_files();
    let doc = read("docs/ARCHITECTURE.md");
    let documented = documented_io_modules(&doc);
    assert_eq!(
        io_outside_io_modules(&files, &documented),
        Vec::<String>::new()
    );
    // The deciding modules checked here are the ones the invariant names.
    let named = doc
        .split("The modules that decide")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("docs/ARCHITECTURE.md names the modules that decide");
    let named: BTreeSet<String> = code_spans(named).into_iter().collect();
    let checked: BTreeSet<String> = DECIDING
        .iter()
        .filter(|file| !file.contains("/merge/"))
        .map(|file| file["src/".len()..file.len() - ".rs".len()].to_owned())
        .collect();
    assert_eq!(named, checked);
    // clippy.toml really forbids what this test looks for.
    let clippy = read("clippy.toml");
    for path in [
        "std::fs::read",
        "std::fs::File",
        "std::process::Command",
        "std::time::Instant::now",
        "std::time::SystemTime::now",
        "getrandom::fill",
        "tempfile::Builder",
        "std::env::var",
    ] {
        assert!(
            clippy.contains(&format!("path = \"{path}\"")),
            "clippy.toml does not forbid {path}"
        );
    }

    // The faults: I/O in compare::decide (past compare.rs's first
    // #[cfg(test)], where the old checker stopped reading), a new module that
    // reads the clock, a deciding module that reads the manifest's format or
    // opts out of the lint, an opt-out without a reason.
    for io in [
        "let _ = std::fs::read(\"x\");",
        "let _ = std::process::Command::new(\"x\");",
        "let _ = std::time::Instant::now();",
        "let _ = getrandom::fill(&mut []);",
    ] {
        let faulty = with(&files, "src/compare.rs", |text| {
            into_fn(text, "fn decide(", io)
        });
        let found = io_outside_io_modules(&faulty, &documented);
        assert!(
            !found.is_empty()
                && found
                    .iter()
                    .all(|f| f.starts_with("src/compare.rs does I/O")),
            "{io}: {found:?}"
        );
    }
    let faulty = with(&files, "src/compare.rs", |text| {
        format!(
            "{text}\n#[allow(clippy::disallowed_methods, reason = \"x\")]\n\
             fn sneaky() {{ let _ = std::fs::read(\"x\"); }}\n"
        )
    });
    assert_eq!(
        io_outside_io_modules(&faulty, &documented),
        ["src/compare.rs opts an item out of the I/O lint"]
    );
    let faulty = with(&files, "src/fresh.rs", |_| {
        "pub fn now() -> std::time::Instant { std::time::Instant::now() }\n".into()
    });
    assert!(!io_outside_io_modules(&faulty, &documented).is_empty());
    let faulty = with(&files, "src/report.rs", |text| {
        into_fn(
            text,
            "pub fn summary(",
            "let _ = crate::manifest::FILE_NAME;",
        )
    });
    assert_eq!(
        io_outside_io_modules(&faulty, &documented),
        ["src/report.rs depends on the manifest's format"]
    );
    let faulty = with(&files, "src/compare.rs", |text| {
        format!("#![allow(clippy::disallowed_methods, reason = \"convenient\")]\n{text}")
    });
    assert!(io_outside_io_modules(&faulty, &documented)
        .contains(&"src/compare.rs decides, yet opts out of the I/O lint".to_owned()));
    let faulty = with(&files, "src/git.rs", |text| {
        text.replacen("reason = \"", "reason = \" \", note = \"", 1)
    });
    assert!(io_outside_io_modules(&faulty, &documented)
        .contains(&"src/git.rs opts out of the I/O lint without a reason".to_owned()));
}

/// Reads and writes of a project's files outside project.rs and apply.rs.
fn project_file_access(files: &Files) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        let code = runtime_code(text, Leave::Tests, false);
        let readers = [
            "src/diff.rs",
            "src/sources.rs",
            "src/compare.rs",
            "src/report.rs",
            "src/upgrade.rs",
        ];
        if readers.contains(&file.as_str()) {
            for name in ["fs::read", "read_to_string", "File::open", "OpenOptions"] {
                if mentions(&code, name) {
                    found.push(format!("{file} reads files itself (`{name}`)"));
                }
            }
        }
        // init writes a new project (staged, then renamed into place); the
        // owner's files, `.env` and the manifest among them, are written only
        // with the operations apply.rs decides.
        let writers = ["src/apply.rs", "src/init.rs"];
        if !writers.contains(&file.as_str())
            && (mentions(&code, "fs::write(") || mentions(&code, "File::create("))
        {
            found.push(format!(
                "{file} writes a file in place; write through apply (temporary file and rename)"
            ));
        }
    }
    found
}

#[test]
fn only_project_and_apply_touch_a_projects_files() {
    // diff and upgrade read a project only through project::inspect (which never
    // follows a link or opens a special file) and write only through apply
    // (temporary file and rename).
    let files = src_files();
    assert_eq!(project_file_access(&files), Vec::<String>::new());
    let faulty = with(&files, "src/compare.rs", |text| {
        into_fn(text, "fn decide(", "let _ = std::fs::read(\"x\");")
    });
    assert_eq!(
        project_file_access(&faulty),
        ["src/compare.rs reads files itself (`fs::read`)"]
    );
    let faulty = with(&files, "src/report.rs", |text| {
        into_fn(text, "pub fn summary(", "let _ = fs::write(\"x\", b\"\");")
    });
    assert_eq!(project_file_access(&faulty).len(), 1);
    // upgrade appending to .env itself, beside apply.
    let faulty = with(&files, "src/upgrade.rs", |text| {
        into_fn(
            text,
            "fn prepare(",
            "std::fs::write(\".env\", b\"\").unwrap();",
        )
    });
    assert_eq!(
        project_file_access(&faulty),
        ["src/upgrade.rs writes a file in place; write through apply (temporary file and rename)"]
    );
}

/// Derivations of the project's values outside the one place for each:
/// `names::project_names` spells the package and the slug from the name,
/// and `render::Values::for_names` maps each variable to its value.
fn value_derivations(files: &Files) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        let code = runtime_code(text, Leave::Tests, true);
        // The package (`my-app` -> `my_app`) and the slug (`my_app` -> `my-app`).
        if file != "src/names.rs" {
            for spelling in [
                "replace('-', \"_\")",
                "replace(\"-\", \"_\")",
                "replace('-', '_')",
                "replace('_', \"-\")",
                "replace(\"_\", \"-\")",
                "'-' => '_'",
                "'_' => '-'",
                "ProjectNames {",
            ] {
                if code.contains(spelling) {
                    found.push(format!(
                        "{file} spells a project name itself (`{spelling}`)"
                    ));
                }
            }
        }
        // A value per variable: a `Var::X =>` arm or a Values built by hand,
        // anywhere but in Values::for_names.
        let code = runtime_code(text, Leave::Tests, false);
        let code = if file == "src/render.rs" {
            without_fn(&code, "pub fn for_names(")
        } else {
            code
        };
        if gives_values(&code) {
            found.push(format!("{file} gives a variable its value itself"));
        }
    }
    found
}

#[test]
fn values_from_the_project_name_are_derived_in_one_place() {
    let files = src_files();
    assert_eq!(value_derivations(&files), Vec::<String>::new());
    // The faults: a second derivation of PACKAGE_NAME, of the slug, of every
    // value, in other modules or beside for_names.
    let second = [
        (
            "src/sources.rs",
            "fn values_from_manifest(",
            "let _p = name.replace('-', \"_\").to_ascii_lowercase();",
        ),
        (
            "src/upgrade.rs",
            "pub fn upgrade(",
            "let _s = \"my_app\".replace('_', \"-\");",
        ),
        (
            "src/compare.rs",
            "fn decide(",
            "let _ = |v| match v { crate::starter::Var::PackageName => 1, _ => 0 };",
        ),
        (
            "src/diff.rs",
            "pub fn diff(",
            "let _ = crate::render::Values::new(|_| String::new());",
        ),
        (
            "src/render.rs",
            "pub(crate) fn render_segments(",
            "let _ = Values::new(|_| String::new());",
        ),
    ];
    for (file, function, statement) in second {
        let faulty = with(&files, file, |text| into_fn(text, function, statement));
        let found = value_derivations(&faulty);
        assert!(
            found.len() == 1 && found[0].starts_with(file),
            "{file}: {statement}: {found:?}"
        );
    }
}

/// Whether code gives variables values: a `Var::X =>` match arm, or a
/// `Values` built by hand (a struct literal cannot be: its field is private).
fn gives_values(code: &str) -> bool {
    let arm = code.split("Var::").skip(1).any(|rest| {
        rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            .trim_start()
            .starts_with("=>")
    });
    arm || mentions(code, "Values::new(")
}

/// `code` without the function whose signature starts with `signature`.
fn without_fn(code: &str, signature: &str) -> String {
    let start = code
        .find(signature)
        .unwrap_or_else(|| panic!("no `{signature}`"));
    let mut depth = 0;
    for (at, ch) in code[start..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return format!("{}{}", &code[..start], &code[start + at + 1..]);
                }
            }
            _ => {}
        }
    }
    panic!("`{signature}` has no end")
}

/// Code that reads templates from disk instead of the compiled tables.
fn template_reads(files: &Files) -> Vec<String> {
    let mut found = Vec::new();
    for (file, text) in files {
        let code = runtime_code(text, Leave::Tests, true);
        for needle in ["starter/", "history/", "include_str!", "include_bytes!"] {
            if code.contains(needle) {
                found.push(format!(
                    "{file} refers to {needle}: templates come from the compiled table only"
                ));
            }
        }
    }
    found
}

#[test]
fn runtime_reads_no_template_from_disk() {
    let files = src_files();
    assert_eq!(template_reads(&files), Vec::<String>::new());
    let faulty = with(&files, "src/render.rs", |text| {
        into_fn(
            text,
            "pub(crate) fn render_segments(",
            "let _ = include_str!(\"../starter/README.md\");",
        )
    });
    assert_eq!(
        template_reads(&faulty).len(),
        2,
        "{:?}",
        template_reads(&faulty)
    );
}

/// Entries of tests/ other than tests/it: each would be another test binary.
fn loose_test_targets(entries: &[String]) -> Vec<String> {
    entries
        .iter()
        .filter(|name| *name != "it")
        .cloned()
        .collect()
}

#[test]
fn the_integration_tests_are_one_binary() {
    let entries: Vec<String> = fs::read_dir(repo_root().join("tests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        loose_test_targets(&entries),
        Vec::<String>::new(),
        "tests/ holds more than tests/it: each would be another test binary"
    );
    assert_eq!(
        loose_test_targets(&["it".into(), "extra.rs".into()]),
        ["extra.rs"]
    );
}

/// Whether a generated file makes the project import, install or run
/// quickscale. The README may tell its owner about `quickscale upgrade`.
fn depends_on_quickscale(path: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    let installs = [
        "pip install quickscale",
        "uv add quickscale",
        "\"quickscale",
    ];
    let runs = [
        "import quickscale",
        "from quickscale",
        "run: quickscale",
        "run quickscale",
    ];
    installs.iter().any(|needle| text.contains(needle))
        || (!path.ends_with(".md") && runs.iter().any(|needle| text.contains(needle)))
}

#[test]
fn the_generated_project_never_depends_on_quickscale() {
    let names = project_names("acme", &top_level_modules()).unwrap();
    let files = render(&starter::HEAD, &Values::for_names(&names));
    for file in &files {
        let text = String::from_utf8_lossy(&file.bytes);
        assert!(
            !depends_on_quickscale(&file.path, &text),
            "{} makes the project depend on quickscale",
            file.path
        );
    }
    let pyproject = files.iter().find(|f| f.path == "pyproject.toml").unwrap();
    let text = String::from_utf8_lossy(&pyproject.bytes).replacen(
        "dependencies = [",
        "dependencies = [\n    \"quickscale>=0.2\",",
        1,
    );
    assert!(depends_on_quickscale("pyproject.toml", &text));
    assert!(depends_on_quickscale("manage.py", "import quickscale\n"));
    assert!(!depends_on_quickscale(
        "README.md",
        "run quickscale upgrade\n"
    ));
}

#[test]
fn diff_reads_only_the_starters_paths() {
    // If diff walked the project it would block on this FIFO, or read the
    // unreadable file; it finishes because it never looks at either.
    let project = OldProject::new("acme");
    fs::create_dir_all(project.path(".venv/bin")).unwrap();
    let fifo = project.path(".venv/bin/pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    fs::create_dir_all(project.path("media")).unwrap();
    std::os::unix::fs::symlink("/", project.path("media/root")).unwrap();
    let output = project.next_read_only(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains(".venv") && !text.contains("media"), "{text}");
}

/// What the library publishes, and may publish: its public modules (`pub mod`
/// in src/lib.rs), anything else src/lib.rs makes `pub` (as `crate::name`),
/// and every item, method and field declared plainly `pub` in a public
/// module's file (as `module::name`). What src/main.rs and the integration
/// tests use, and nothing more; the statics and `Var`'s constants that the
/// `#[starter]` macro emits into `starter` come with the tables.
const PUBLIC_SURFACE: &[&str] = &[
    // src/main.rs
    "cli",
    "cli::run",
    "interrupt",
    "interrupt::ignore_file_size_limit",
    // tests/it
    "conflict",
    "conflict::Reason",
    "conflict::key",
    "git_index",
    "git_index::Format",
    "git_index::Entry",
    "git_index::mode",
    "git_index::oid",
    "git_index::stage",
    "git_index::intent_to_add",
    "git_index::skip_worktree",
    "git_index::entries",
    "manifest",
    "manifest::Manifest",
    "manifest::quickscale_version",
    "manifest::starter_digest",
    "manifest::variables",
    "manifest::modules",
    "manifest::files",
    "manifest::conflicts",
    "manifest::parse",
    "manifest::to_toml",
    "merge",
    "merge::Labels",
    "merge::yours",
    "merge::base",
    "merge::theirs",
    "merge::Merged",
    "merge::bytes",
    "merge::conflicts",
    "merge::merge3",
    "merge::LineChange",
    "merge::base_len",
    "merge::side",
    "merge::side_len",
    "merge::line_changes",
    "names",
    "names::ProjectNames",
    "names::project_names",
    "render",
    "render::Values",
    "render::for_names",
    "render::pairs",
    "render::RenderedFile",
    "render::path",
    "render::executable",
    "render::bytes",
    "render::binary",
    "render::render",
    "render::render_with",
    "starter",
    "starter::Segment",
    "starter::Body",
    "starter::StarterFile",
    "starter::starter_path",
    "starter::path",
    "starter::executable",
    "starter::blob",
    "starter::module",
    "starter::body",
    "starter::Starter",
    "starter::version",
    "starter::digest",
    "starter::files",
    "starter::modules",
    "starter::Module",
    "starter::name",
    "starter::description",
    "starter::env",
    "starter::Var",
    "starter::head_digest",
    "starter::by_digest",
    "starter::top_level_modules",
    "text",
    "text::content_hash",
];

/// The names a line declares `pub` (not `pub(crate)`): `pub fn run<` gives
/// `run`, `pub path: String` gives `path`, `pub use a::{b, c};` gives
/// `a::{b, c}`.
fn declared_pub(line: &str) -> Option<String> {
    let mut rest = line.trim_start().strip_prefix("pub ")?;
    if let Some(path) = rest.strip_prefix("use ") {
        return Some(path.trim_end().trim_end_matches(';').to_owned());
    }
    while let Some(after) = ["const ", "unsafe ", "async ", "extern \"C\" "]
        .iter()
        .find_map(|word| rest.strip_prefix(word))
        .filter(|after| !after.starts_with(|c: char| c.is_uppercase()))
    {
        rest = after;
    }
    for keyword in [
        "fn ", "struct ", "enum ", "const ", "static ", "type ", "trait ", "mod ", "union ",
    ] {
        if let Some(after) = rest.strip_prefix(keyword) {
            rest = after;
            break;
        }
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The public surface the source declares, test code left out.
fn public_surface(files: &Files) -> BTreeSet<String> {
    let mut surface = BTreeSet::new();
    let mut modules = Vec::new();
    for line in runtime_code(&files["src/lib.rs"], Leave::Tests, false).lines() {
        match declared_pub(line) {
            Some(name) if line.trim_start().starts_with("pub mod ") => {
                modules.push(name.clone());
                surface.insert(name);
            }
            Some(name) => {
                surface.insert(format!("crate::{name}"));
            }
            None => {}
        }
    }
    for module in modules {
        let file = format!("src/{module}.rs");
        let text = files.get(&file).map_or("", String::as_str);
        for line in runtime_code(text, Leave::Tests, false).lines() {
            surface.extend(declared_pub(line).map(|name| format!("{module}::{name}")));
        }
    }
    surface
}

/// What the source publishes beyond the allowed surface.
fn beyond_the_surface(files: &Files) -> Vec<String> {
    let allowed: BTreeSet<String> = PUBLIC_SURFACE.iter().map(|s| s.to_string()).collect();
    public_surface(files)
        .difference(&allowed)
        .map(|name| format!("`{name}` is public but neither src/main.rs nor the tests use it"))
        .collect()
}

#[test]
fn the_public_surface_is_only_what_main_and_the_tests_use() {
    let files = src_files();
    assert_eq!(
        beyond_the_surface(&files),
        Vec::<String>::new(),
        "the library is no API: make it `pub(crate)`, or, if the binary or a test \
         needs it, add it to PUBLIC_SURFACE"
    );
    // Every allowed name is really public: the list is no wider than the code.
    let surface = public_surface(&files);
    let stale: Vec<&&str> = PUBLIC_SURFACE
        .iter()
        .filter(|name| !surface.contains(**name))
        .collect();
    assert!(
        stale.is_empty(),
        "no longer public, drop them from the list: {stale:?}"
    );
    // The faults: a private module made public, a helper of a public module
    // made public, an item re-exported from the crate root.
    let faulty = with(&files, "src/lib.rs", |text| {
        text.replace("mod report;", "pub mod report;")
    });
    let found = beyond_the_surface(&faulty);
    assert!(found.iter().any(|f| f.starts_with("`report`")), "{found:?}");
    assert!(
        found.iter().any(|f| f.starts_with("`report::")),
        "{found:?}"
    );
    let faulty = with(&files, "src/merge.rs", |text| {
        text.replace(
            "pub(crate) fn merge3_with_deadline(",
            "pub fn merge3_with_deadline(",
        )
    });
    assert_eq!(
        beyond_the_surface(&faulty),
        ["`merge::merge3_with_deadline` is public but neither src/main.rs nor the tests use it"]
    );
    let faulty = with(&files, "src/lib.rs", |text| {
        format!("{text}\npub use crate::error::Error;\n")
    });
    assert_eq!(beyond_the_surface(&faulty).len(), 1);
    // `pub(crate)`, a comment and a test module publish nothing.
    let harmless = with(&files, "src/merge.rs", |text| {
        format!(
            "{text}\n// pub fn mentioned() {{}}\npub(crate) fn helper() {{}}\n\
             #[cfg(test)]\nmod more {{ pub fn fixture() {{}} }}\n"
        )
    });
    assert!(beyond_the_surface(&harmless).is_empty());
}

// The documentation's claims ----------------------------------------------------

/// The bullets of docs/ARCHITECTURE.md's Invariants section.
fn invariant_bullets(doc: &str) -> Vec<String> {
    let section = doc
        .split("## Invariants")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/ARCHITECTURE.md has an Invariants section");
    section
        .split("\n- ")
        .skip(1)
        .map(|bullet| bullet.split("\n\n").next().unwrap().to_owned())
        .collect()
}

/// The `code spans` of some Markdown.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `module::test_name`, or `module::` for a whole module; a Rust path such as
/// `Error::new` or `render::Values::for_names` is not one.
fn test_references(bullet: &str) -> Vec<String> {
    code_spans(bullet)
        .into_iter()
        .filter(|quoted| {
            quoted.matches("::").count() == 1
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
        })
        .collect()
}

/// Lower-case words of a text: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words too common to tie a test to an invariant.
const COMMON: &[&str] = &[
    "never", "every", "only", "each", "that", "this", "with", "from", "into", "their", "them",
    "what", "when", "does", "keep", "keeps", "same", "made", "make", "makes", "their",
];

/// Whether a test is about its invariant: a whole module (`init::`) is when
/// the invariant names the module; a test is when a distinctive word of its
/// name (four letters or more, not a common one) is a word of the invariant,
/// give or take an ending (`placeholders` and `placeholder`), the test
/// references themselves left out.
fn is_about(reference: &str, bullet: &str) -> bool {
    let mut statement = bullet.to_owned();
    for other in test_references(bullet) {
        statement = statement.replace(&format!("`{other}`"), "");
    }
    let said = words(&statement);
    let (module, name) = reference.split_once("::").unwrap();
    if name.is_empty() {
        return said.iter().any(|w| w == module);
    }
    name.split('_')
        .filter(|w| w.len() >= 4 && !COMMON.contains(w))
        .any(|w| {
            said.iter().any(|s| {
                s.len() >= 4
                    && !COMMON.contains(&s.as_str())
                    && (s.starts_with(w) || w.starts_with(s.as_str()))
            })
        })
}

/// What is wrong with the invariants' test references: a bullet that names
/// no test, a test that does not exist or is not a `#[test]`, a test not
/// about its invariant. `test_file` gives tests/it/<module>.rs's text.
fn invariant_mismatches(doc: &str, test_file: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut found = Vec::new();
    let bullets = invariant_bullets(doc);
    if bullets.len() < 10 {
        found.push(format!("only {} invariants", bullets.len()));
    }
    for bullet in bullets {
        let named = test_references(&bullet);
        let short: String = bullet.chars().take(60).collect();
        if named.is_empty() {
            found.push(format!("'{short}…' names no test"));
        }
        for test in named {
            let (module, name) = test.split_once("::").unwrap();
            let Some(text) = test_file(module) else {
                found.push(format!("`{test}`: tests/it/{module}.rs does not exist"));
                continue;
            };
            if !name.is_empty() && !is_test(&text, name) {
                found.push(format!("`{test}`: no such #[test] in tests/it/{module}.rs"));
            }
            if !is_about(&test, &bullet) {
                found.push(format!("`{test}` is not about '{short}…'"));
            }
        }
    }
    found
}

/// Whether `text` defines `fn name(` under a `#[test]` attribute.
fn is_test(text: &str, name: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(at, line)| {
        line.trim_start().starts_with(&format!("fn {name}("))
            && lines[..at]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| l.starts_with("#[") || l.starts_with("//") || l.starts_with(')'))
                .any(|l| l == "#[test]")
    })
}

fn test_module(module: &str) -> Option<String> {
    fs::read_to_string(repo_root().join(format!("tests/it/{module}.rs"))).ok()
}

#[test]
fn every_stated_invariant_names_a_test_that_exists() {
    let doc = read("docs/ARCHITECTURE.md");
    assert_eq!(
        invariant_mismatches(&doc, &test_module),
        Vec::<String>::new()
    );
    // The faults: a test named under an invariant it is not about, a test
    // that does not exist, a bullet that names none.
    let symlink = "refused, naming the link and where it points (`init::`).";
    assert!(doc.contains(symlink), "the init symlink invariant moved");
    let misplaced = doc.replace(
        symlink,
        "refused, naming the link and where it points (`history::identical_files_are_stored_once`).",
    );
    assert_eq!(
        invariant_mismatches(&misplaced, &test_module),
        ["`history::identical_files_are_stored_once` is not about '`init` never follows a symbolic link given as its target: `L…'"]
    );
    let missing = doc.replace(symlink, "refused (`init::follows_no_link_anywhere`).");
    assert_eq!(
        invariant_mismatches(&missing, &test_module),
        ["`init::follows_no_link_anywhere`: no such #[test] in tests/it/init.rs"]
    );
    let unnamed = doc.replace(symlink, "refused.");
    assert_eq!(invariant_mismatches(&unnamed, &test_module).len(), 1);
}

/// The files a how-to names: its path-like code spans (a `/` in them, or a
/// file name with a known extension), each cut before the first part that
/// stands for one you make (`<path>`, `X.Y.Z`).
fn named_files(how_to: &str) -> Vec<String> {
    let extensions = [".rs", ".md", ".toml", ".lock", ".yml", ".py", ".cjs"];
    code_spans(how_to)
        .into_iter()
        .filter(|span| {
            span.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/@<>".contains(c))
                && !span.starts_with('@')
                && (span.contains('/') || extensions.iter().any(|e| span.ends_with(e)))
        })
        .map(|span| {
            span.split('/')
                .take_while(|part| !part.contains('<') && *part != "X.Y.Z")
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|path| !path.is_empty())
        .collect()
}

/// The names of every file in the repository, build output and git left out.
fn file_names(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                file_names(&path, out);
            }
        } else {
            out.insert(name);
        }
    }
}

/// How-tos in docs/ARCHITECTURE.md's "How-tos" section that do not start by
/// listing the files they touch, and files they name that do not exist.
fn how_to_mismatches(doc: &str, exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let section = doc
        .split("\n## How-tos\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/ARCHITECTURE.md has a How-tos section");
    let mut found = Vec::new();
    let how_tos: Vec<&str> = section.split("\n### ").skip(1).collect();
    if how_tos.len() < 5 {
        found.push(format!("only {} how-tos", how_tos.len()));
    }
    for how_to in how_tos {
        let title = how_to.lines().next().unwrap_or("");
        let files = how_to
            .split("\n\n")
            .nth(1)
            .filter(|paragraph| paragraph.starts_with("Files: "));
        match files {
            Some(files) if !named_files(files).is_empty() => {}
            _ => found.push(format!("'{title}' does not start by listing its files")),
        }
        for file in named_files(how_to) {
            if !exists(&file) {
                found.push(format!("'{title}' names {file}, which does not exist"));
            }
        }
    }
    found
}

#[test]
fn every_file_a_how_to_names_exists() {
    let doc = read("docs/ARCHITECTURE.md");
    // A path from the repository's root, or a bare file name found anywhere in it.
    let mut names = BTreeSet::new();
    file_names(&repo_root(), &mut names);
    let exists = |path: &str| {
        repo_root().join(path).exists() || (!path.contains('/') && names.contains(path))
    };
    assert_eq!(how_to_mismatches(&doc, &exists), Vec::<String>::new());
    let titles: Vec<&str> = doc
        .split("\n### ")
        .skip(1)
        .map(|rest| rest.lines().next().unwrap())
        .collect();
    for title in [
        "Add a file to the starter",
        "Add a placeholder",
        "Write a release note",
        "How to cut a release",
        "Add a subcommand",
    ] {
        assert!(titles.contains(&title), "no how-to '{title}'");
    }
    // The faults: a how-to names a file that was moved, or lists no files.
    let moved = doc.replacen(
        "`src/release_notes.rs`, `CHANGELOG.md`.",
        "`src/notes.rs`, `CHANGELOG.md`.",
        1,
    );
    assert_eq!(
        how_to_mismatches(&moved, &exists),
        ["'Write a release note' names src/notes.rs, which does not exist"]
    );
    let unlisted = doc.replacen(
        "Files: `src/release_notes.rs`",
        "Touches `src/release_notes.rs`",
        1,
    );
    assert_eq!(
        how_to_mismatches(&unlisted, &exists),
        ["'Write a release note' does not start by listing its files"]
    );
    assert_eq!(
        named_files("`starter/<path>`, `history/X.Y.Z/`, `@PACKAGE_NAME@`, `Var`, `README.md`"),
        ["starter", "history", "README.md"]
    );
}
