//! Module conditions in starter text: the lines only some projects get.
//!
//! ```text
//! @IF(teams)@    "@PACKAGE_NAME@.teams",      one line, kept when teams is enabled
//! @IF(billing,!teams)@...                     every term must hold; `!` = not enabled
//! @BEGIN(teams)@                              a block: the lines up to the
//! ## Teams                                    matching end, kept when teams is
//! @END(teams)@                                enabled
//! ```
//!
//! A marker is recognised only at the very start of a line, in exactly these
//! shapes; a line that starts like one and is not (`@IF(teams`) fails the
//! build, as does a module nobody declared, a block that never ends, an end
//! with no block, or a block inside a block. The marker (and the whole line of
//! `@BEGIN`/`@END`) vanishes at render, so an enabled line reads as if it had
//! always been there, and a module's lines merge into an edited project like
//! any other line. Plain Rust, no proc_macro types: unit-tested below.

use crate::placeholder::{self, ParseError, Piece};

/// Every term must hold: `(module, enabled)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond(pub Vec<(String, bool)>);

impl Cond {
    /// The spelling between the parentheses: `billing,!teams`.
    pub fn text(&self) -> String {
        let terms: Vec<String> = self
            .0
            .iter()
            .map(|(name, on)| format!("{}{name}", if *on { "" } else { "!" }))
            .collect();
        terms.join(",")
    }
}

/// A run of the text between markers, or a condition opening or closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// Text, starting at this 1-based line and column of the file.
    Text {
        text: &'a str,
        line: usize,
        col: usize,
    },
    /// A condition opens; the marker's own text (`@IF(teams)@`, or a whole
    /// `@BEGIN(teams)@` line), kept so that the source can be given back.
    When(Cond, &'a str),
    /// The innermost condition closes: the `@END(teams)@` line, or nothing
    /// for a one-line condition.
    End(&'a str),
}

/// Splits `text` at its markers, checking each against the declared `modules`.
pub fn split<'a>(text: &'a str, modules: &[&str]) -> Result<Vec<Chunk<'a>>, ParseError> {
    let mut chunks = Vec::new();
    // The block open: its condition's spelling and its line.
    let mut open: Option<(String, usize)> = None;
    let mut offset = 0;
    let mut plain_from: Option<(usize, usize)> = None; // (byte offset, line)
    let flush = |chunks: &mut Vec<Chunk<'a>>, from: Option<(usize, usize)>, to: usize| {
        if let Some((start, line)) = from {
            if start < to {
                chunks.push(Chunk::Text {
                    text: &text[start..to],
                    line,
                    col: 1,
                });
            }
        }
    };
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let err = |col: usize, message: String| ParseError {
            line: number,
            col,
            message,
        };
        let body = line.trim_end_matches('\n').trim_end_matches('\r');
        if let Some(rest) = body.strip_prefix("@IF(") {
            let (cond, after) = marker(rest, 5, modules).map_err(|(c, m)| err(c, m))?;
            flush(&mut chunks, plain_from.take(), offset);
            let marker_len = body.len() - rest.len() + after;
            chunks.push(Chunk::When(cond, &line[..marker_len]));
            chunks.push(Chunk::Text {
                text: &line[marker_len..],
                line: number,
                col: marker_len + 1,
            });
            chunks.push(Chunk::End(""));
        } else if let Some(rest) = body.strip_prefix("@BEGIN(") {
            let (cond, after) = marker(rest, 8, modules).map_err(|(c, m)| err(c, m))?;
            if after != rest.len() {
                return Err(err(
                    8 + after,
                    "nothing may follow @BEGIN(...)@ on its line".into(),
                ));
            }
            if let Some((_, at)) = &open {
                return Err(err(
                    1,
                    format!("a block cannot begin inside another (the one begun at line {at}); end that one first"),
                ));
            }
            flush(&mut chunks, plain_from.take(), offset);
            open = Some((cond.text(), number));
            chunks.push(Chunk::When(cond, line));
        } else if let Some(rest) = body.strip_prefix("@END(") {
            let (cond, after) = marker(rest, 6, modules).map_err(|(c, m)| err(c, m))?;
            if after != rest.len() {
                return Err(err(
                    6 + after,
                    "nothing may follow @END(...)@ on its line".into(),
                ));
            }
            match open.take() {
                Some((begun, _)) if begun == cond.text() => {}
                Some((begun, at)) => {
                    return Err(err(
                        1,
                        format!(
                            "@END({}) does not match @BEGIN({begun}) at line {at}",
                            cond.text()
                        ),
                    ))
                }
                None => return Err(err(1, format!("@END({}) without a @BEGIN", cond.text()))),
            }
            flush(&mut chunks, plain_from.take(), offset);
            chunks.push(Chunk::End(line));
        } else if plain_from.is_none() {
            plain_from = Some((offset, number));
        }
        offset += line.len();
    }
    if let Some((begun, at)) = open {
        return Err(ParseError {
            line: at,
            col: 1,
            message: format!("@BEGIN({begun}) has no @END({begun})"),
        });
    }
    flush(&mut chunks, plain_from, offset);
    Ok(chunks)
}

/// A starter text file as pieces: its conditions (checked against `modules`)
/// and, between them, literal runs and placeholders (checked against `vars`).
/// Errors carry the position in the whole file.
pub fn pieces(text: &str, vars: &[&str], modules: &[&str]) -> Result<Vec<Piece>, ParseError> {
    let mut out = Vec::new();
    for chunk in split(text, modules)? {
        match chunk {
            Chunk::When(cond, marker) => out.push(Piece::When(cond, marker.to_owned())),
            Chunk::End(marker) => out.push(Piece::End(marker.to_owned())),
            Chunk::Text { text, line, col } => {
                let parsed = placeholder::parse(text, vars).map_err(|e| ParseError {
                    line: line + e.line - 1,
                    col: if e.line == 1 { col + e.col - 1 } else { e.col },
                    message: e.message,
                })?;
                out.extend(parsed);
            }
        }
    }
    Ok(out)
}

/// Parses `cond)@` at the start of `rest` (which starts at 1-based column
/// `col`): the condition and how many bytes of `rest` the marker took.
fn marker(rest: &str, col: usize, modules: &[&str]) -> Result<(Cond, usize), (usize, String)> {
    let close = rest.find(")@").ok_or_else(|| {
        (
            col,
            "a condition marker must close with `)@`, as in @IF(teams)@".to_owned(),
        )
    })?;
    let mut terms = Vec::new();
    let mut at = col;
    for term in rest[..close].split(',') {
        let (name, on) = match term.strip_prefix('!') {
            Some(name) => (name, false),
            None => (term, true),
        };
        let name_col = at + usize::from(!on);
        let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err((
                name_col,
                format!(
                    "'{term}' is not a module condition: a lower-case module name, `!name` for \
                     \"not enabled\", several joined by commas"
                ),
            ));
        }
        if !modules.contains(&name) {
            return Err((
                name_col,
                format!(
                    "unknown module '{name}' in a condition; the modules are: {} (each a +<name>/ \
                     directory with a module.toml)",
                    if modules.is_empty() {
                        "none".to_owned()
                    } else {
                        modules.join(", ")
                    }
                ),
            ));
        }
        if terms.iter().any(|(n, _)| n == name) {
            return Err((
                name_col,
                format!("module '{name}' is named twice in one condition"),
            ));
        }
        terms.push((name.to_owned(), on));
        at += term.len() + 1;
    }
    Ok((Cond(terms), close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULES: &[&str] = &["teams", "billing"];

    fn when<'a>(terms: &[(&str, bool)], marker: &'a str) -> Chunk<'a> {
        Chunk::When(
            Cond(terms.iter().map(|(n, on)| ((*n).to_owned(), *on)).collect()),
            marker,
        )
    }

    fn text(text: &str, line: usize, col: usize) -> Chunk<'_> {
        Chunk::Text { text, line, col }
    }

    #[test]
    fn text_without_markers_is_one_chunk() {
        let source = "a\n@NOT_A_MARKER@\n  @IF(teams)@ only at a line's start\n";
        assert_eq!(split(source, MODULES).unwrap(), [text(source, 1, 1)]);
        assert_eq!(split("", MODULES).unwrap(), []);
    }

    #[test]
    fn one_line_conditions_keep_their_line_end() {
        let source = "x = [\n@IF(teams)@    \"teams\",\n@IF(billing,!teams)@    \"solo\",\r\n]\n";
        assert_eq!(
            split(source, MODULES).unwrap(),
            [
                text("x = [\n", 1, 1),
                when(&[("teams", true)], "@IF(teams)@"),
                text("    \"teams\",\n", 2, 12),
                Chunk::End(""),
                when(
                    &[("billing", true), ("teams", false)],
                    "@IF(billing,!teams)@"
                ),
                text("    \"solo\",\r\n", 3, 21),
                Chunk::End(""),
                text("]\n", 4, 1),
            ]
        );
    }

    #[test]
    fn blocks_lose_their_marker_lines() {
        let source = "a\n@BEGIN(teams)@\n## Teams\n@IF(billing)@Billed per team.\n@END(teams)@\nb";
        assert_eq!(
            split(source, MODULES).unwrap(),
            [
                text("a\n", 1, 1),
                when(&[("teams", true)], "@BEGIN(teams)@\n"),
                text("## Teams\n", 3, 1),
                when(&[("billing", true)], "@IF(billing)@"),
                text("Billed per team.\n", 4, 14),
                Chunk::End(""),
                Chunk::End("@END(teams)@\n"),
                text("b", 6, 1),
            ]
        );
    }

    #[test]
    fn placeholders_inside_conditions_are_checked_where_they_stand() {
        let vars = &["PACKAGE_NAME"];
        assert_eq!(
            pieces("@IF(teams)@import @PACKAGE_NAME@.teams\n", vars, MODULES).unwrap(),
            [
                Piece::When(Cond(vec![("teams".into(), true)]), "@IF(teams)@".into()),
                Piece::Lit("import ".into()),
                Piece::Var(0),
                Piece::Lit(".teams\n".into()),
                Piece::End(String::new()),
            ]
        );
        let error = pieces("a\n@IF(teams)@x = @PACKAGE_NAM@\n", vars, MODULES).unwrap_err();
        assert_eq!((error.line, error.col), (2, 16), "{error:?}");
        let error = pieces("a\n\nb = @PACKAGE_NAM@\n", vars, MODULES).unwrap_err();
        assert_eq!((error.line, error.col), (3, 5), "{error:?}");
    }

    #[test]
    fn mistakes_fail_with_their_position() {
        let cases: &[(&str, usize, usize, &str)] = &[
            ("@IF(teams\n", 1, 5, "must close"),
            ("a\n@IF(team)@x\n", 2, 5, "unknown module 'team'"),
            ("@IF(billing,!tems)@x\n", 1, 14, "unknown module 'tems'"),
            ("@IF(Teams)@x\n", 1, 5, "not a module condition"),
            ("@IF()@x\n", 1, 5, "not a module condition"),
            ("@IF(teams,teams)@x\n", 1, 11, "named twice"),
            (
                "@BEGIN(teams)@ x\n@END(teams)@\n",
                1,
                15,
                "nothing may follow",
            ),
            ("@BEGIN(teams)@\nno end\n", 1, 1, "has no @END(teams)"),
            ("@END(teams)@\n", 1, 1, "without a @BEGIN"),
            (
                "@BEGIN(teams)@\n@END(billing)@\n",
                2,
                1,
                "does not match @BEGIN(teams) at line 1",
            ),
            (
                "@BEGIN(teams)@\n@BEGIN(billing)@\n@END(billing)@\n@END(teams)@\n",
                2,
                1,
                "inside another",
            ),
        ];
        for (source, line, col, message) in cases {
            let error = split(source, MODULES).unwrap_err();
            assert_eq!(
                (error.line, error.col),
                (*line, *col),
                "{source:?}: {error:?}"
            );
            assert!(
                error.message.contains(message),
                "{source:?}: {}",
                error.message
            );
        }
    }
}
