//! Reading the repository's Markdown for the documentation tests: fenced
//! blocks, headings and their GitHub anchors, relative links, and running
//! documented shell commands with the test build of quickscale on PATH.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

// One definition of where the binary and the repository are, shared with the
// other integration tests.
pub use super::{repo_root, BIN};

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A fenced code block: its info string, its 1-based opening line, its text.
#[derive(Debug, Clone)]
pub struct Block {
    pub info: String,
    pub line: usize,
    pub body: String,
}

impl Block {
    /// The first word of the info string: the language.
    pub fn lang(&self) -> &str {
        self.info.split_whitespace().next().unwrap_or("")
    }
}

/// A piece of a Markdown file: prose (outside fences, one entry per line with
/// its line number) or a fenced block.
#[derive(Debug, Clone)]
pub enum Piece {
    Prose { line: usize, text: String },
    Fence(Block),
}

/// Splits Markdown into prose lines and fenced blocks (``` or ~~~, up to three
/// spaces of indentation, closed by a fence of the same kind at least as long).
pub fn pieces(markdown: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize, usize, Block)> = None; // fence char, length, indent
    for (index, line) in markdown.lines().enumerate() {
        let number = index + 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let fence = |c: char| rest.chars().take_while(|&x| x == c).count();
        match open.take() {
            None => {
                let (ch, len) = match (fence('`'), fence('~')) {
                    (n, _) if n >= 3 => ('`', n),
                    (_, n) if n >= 3 => ('~', n),
                    _ => (' ', 0),
                };
                if indent <= 3 && len >= 3 {
                    let info = rest[len..].trim().to_owned();
                    let block = Block {
                        info,
                        line: number,
                        body: String::new(),
                    };
                    open = Some((ch, len, indent, block));
                } else {
                    out.push(Piece::Prose {
                        line: number,
                        text: line.to_owned(),
                    });
                }
            }
            Some((ch, len, open_indent, mut block)) => {
                let closing = fence(ch);
                if indent <= 3 && closing >= len && rest[closing..].trim().is_empty() {
                    out.push(Piece::Fence(block));
                } else {
                    let strip = indent.min(open_indent);
                    block.body.push_str(&line[strip..]);
                    block.body.push('\n');
                    open = Some((ch, len, open_indent, block));
                }
            }
        }
    }
    if let Some((_, _, _, block)) = open {
        panic!(
            "a fenced block opened at line {} is never closed",
            block.line
        );
    }
    out
}

pub fn blocks(markdown: &str) -> Vec<Block> {
    pieces(markdown)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Fence(b) => Some(b),
            Piece::Prose { .. } => None,
        })
        .collect()
}

/// The prose lines of `markdown` between the heading `heading` (exact text,
/// any level) and the next heading of the same or a higher level.
pub fn section(markdown: &str, heading: &str) -> Vec<(usize, String)> {
    let mut level = None;
    let mut out = Vec::new();
    for piece in pieces(markdown) {
        let Piece::Prose { line, text } = piece else {
            continue;
        };
        if let Some((hashes, title)) = heading_of(&text) {
            match level {
                None if title == heading => {
                    level = Some(hashes);
                    continue;
                }
                Some(l) if hashes <= l => break,
                _ => {}
            }
        }
        if level.is_some() {
            out.push((line, text));
        }
    }
    assert!(level.is_some(), "no heading {heading:?}");
    out
}

/// `## Title` -> (2, "Title").
pub fn heading_of(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let hashes = trimmed.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((hashes, rest.trim().trim_end_matches('#').trim_end()))
}

/// The anchors GitHub gives a Markdown file's headings (github-slugger: the
/// text as rendered, lower-cased, punctuation dropped, spaces to hyphens,
/// `-1`, `-2`... on repeats), plus explicit `id="..."`/`name="..."` anchors.
pub fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for piece in pieces(markdown) {
        let Piece::Prose { text, .. } = piece else {
            continue;
        };
        if let Some((_, title)) = heading_of(&text) {
            let slug = slug(&rendered(title));
            let mut candidate = slug.clone();
            let mut n = 0;
            while seen.contains(&candidate) {
                n += 1;
                candidate = format!("{slug}-{n}");
            }
            seen.insert(candidate);
        }
        for attr in ["id=\"", "name=\""] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(attr) {
                rest = &rest[at + attr.len()..];
                if let Some(end) = rest.find('"') {
                    seen.insert(rest[..end].to_owned());
                }
            }
        }
    }
    seen
}

/// Heading text as GitHub renders it: links reduced to their text, code and
/// emphasis markers removed.
fn rendered(title: &str) -> String {
    let mut out = String::new();
    let mut rest = title;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find(']'), after.find("](")) {
            (Some(close), Some(link)) if close == link => {
                out.push_str(&after[..close]);
                let tail = &after[close + 2..];
                rest = tail.find(')').map_or("", |end| &tail[end + 1..]);
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(['`', '*'], "")
}

pub fn slug(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every link destination in the prose of `markdown` (inline links and images,
/// reference definitions, HTML href/src), with its line; code spans and
/// fenced blocks are not prose.
pub fn links(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for piece in pieces(markdown) {
        let Piece::Prose { line, text } = piece else {
            continue;
        };
        let text = without_code_spans(&text);
        // Reference definitions: `[label]: destination "title"`.
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') && !trimmed.starts_with("[^") {
            if let Some(end) = trimmed.find("]:") {
                if let Some(dest) = trimmed[end + 2..].split_whitespace().next() {
                    out.push((line, dest.trim_matches(['<', '>']).to_owned()));
                }
            }
        }
        // Inline: `](destination "title")`.
        let mut rest = text.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let dest = if let Some(stripped) = rest.strip_prefix('<') {
                stripped.split('>').next().unwrap_or("")
            } else {
                let mut depth = 0usize;
                let end = rest
                    .char_indices()
                    .find(|&(_, c)| match c {
                        '(' => {
                            depth += 1;
                            false
                        }
                        ')' if depth == 0 => true,
                        ')' => {
                            depth -= 1;
                            false
                        }
                        c => c.is_whitespace(),
                    })
                    .map_or(rest.len(), |(i, _)| i);
                &rest[..end]
            };
            out.push((line, dest.to_owned()));
        }
        for attr in ["href=\"", "src=\""] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(attr) {
                rest = &rest[at + attr.len()..];
                if let Some(end) = rest.find('"') {
                    out.push((line, rest[..end].to_owned()));
                }
            }
        }
    }
    out
}

fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let after = &rest[start + ticks..];
        let fence = "`".repeat(ticks);
        match after.find(&fence) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                out.push_str(&rest[start..start + ticks]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Absolute URLs (`https:`, `mailto:`, `//host`) are not ours to check.
pub fn is_relative(dest: &str) -> bool {
    if dest.starts_with("//") {
        return false;
    }
    let scheme_len = dest
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric() || "+.-".contains(c)
            }
        })
        .count();
    !(scheme_len > 0 && dest[scheme_len..].starts_with(':'))
}

/// Checks every relative link of the Markdown file `file`, which lives in the
/// tree `root` (a leading `/` in a link means `root`, as on GitHub). Returns a
/// line per broken link: a missing file or directory, a path leaving `root`,
/// or a `#fragment` that is no anchor of the Markdown file it points into.
pub fn broken_links(root: &Path, file: &Path) -> Vec<String> {
    let text = read(file);
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    let mut broken = Vec::new();
    for (line, dest) in links(&text) {
        if !is_relative(&dest) {
            continue;
        }
        let mut fail = |why: &str| broken.push(format!("{shown}:{line}: ({dest}) {why}"));
        if dest.is_empty() {
            fail("is empty");
            continue;
        }
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest.as_str(), None),
        };
        let path_part = path_part
            .split('?')
            .next()
            .unwrap_or("")
            .replace("%20", " ");
        let target = if path_part.is_empty() {
            file.to_path_buf()
        } else if let Some(absolute) = path_part.strip_prefix('/') {
            root.join(absolute)
        } else {
            file.parent().unwrap().join(&path_part)
        };
        let Some(normal) = normalise(&target) else {
            fail("goes above the filesystem root");
            continue;
        };
        if !normal.starts_with(root) {
            fail("points outside the tree");
            continue;
        }
        if !normal.exists() {
            fail("does not exist");
            continue;
        }
        if let Some(fragment) = fragment {
            let is_markdown = normal.extension().is_some_and(|e| e == "md");
            if is_markdown && !anchors(&read(&normal)).contains(fragment) {
                fail("names no heading or anchor of that file");
            }
        }
    }
    broken
}

/// `a/b/../c` -> `a/c` without touching the filesystem.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Every file (not directory) under `root`, sorted, skipping `.git` and the
/// directories named in `skip` (paths relative to `root`, `/`-separated).
pub fn files_under(root: &Path, skip: &[&str]) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut Vec<PathBuf>) {
        for path in super::sorted_entries(dir) {
            if !fs::symlink_metadata(&path).unwrap().is_dir() {
                out.push(path);
                continue;
            }
            let rel = relative(root, &path);
            if rel != ".git" && !rel.ends_with("/.git") && !skip.contains(&rel.as_str()) {
                walk(root, &path, skip, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, skip, &mut out);
    out
}

/// `path` relative to `root`, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap();
    let parts: Vec<_> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Every Markdown file under `root`, as [`files_under`] finds them.
pub fn markdown_files(root: &Path, skip: &[&str]) -> Vec<PathBuf> {
    let mut files = files_under(root, skip);
    files.retain(|path| path.extension().is_some_and(|e| e == "md"));
    files
}

/// Every file under `root` (`.git` aside), as relative paths.
pub fn file_list(root: &Path) -> BTreeSet<String> {
    files_under(root, &[])
        .iter()
        .map(|path| relative(root, path))
        .collect()
}

/// Shell brace expansion, as documentation writes groups of files:
/// `a/{b,c}.py` -> `a/b.py`, `a/c.py`. Nested braces work.
pub fn expand_braces(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_owned()];
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = vec![];
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let close = close.unwrap_or_else(|| panic!("unbalanced braces in {pattern:?}"));
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut out = vec![];
    for pair in bounds.windows(2) {
        let choice = &pattern[pair[0] + 1..pair[1]];
        for expanded in expand_braces(&format!("{head}{choice}{tail}")) {
            out.push(expanded);
        }
    }
    out
}

/// Does `expected` (documented output) match `actual`? Lines are compared
/// after trimming; a `...` in an expected line matches any text. Every
/// expected line must appear in order, other lines may come between.
pub fn lines_appear_in_order(expected: &str, actual: &str) -> bool {
    let mut actual_lines = actual.lines().map(str::trim);
    expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|want| actual_lines.any(|got| wildcard_match(want, got)))
}

/// `a...b` matches any line that starts with `a` and ends with `b`.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split("...").collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A `bash` command whose PATH starts with the directory of the test build of
/// quickscale, so documented `quickscale ...` commands run it. The
/// environment is cleared down to what a documented shell session needs.
pub fn bash(script: &str, cwd: &Path, home: &Path) -> Command {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("LC_ALL", "C")
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    command
}
