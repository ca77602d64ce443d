//! A module's declaration, `+<name>/module.toml` in a starter tree:
//!
//! ```toml
//! description = "Teams: members, roles and invitations, with the team in the URL"
//! env = ["TEAMS_INVITATIONS_PER_HOUR"]
//! ```
//!
//! `description` (one line) is required; `env` lists the environment variables
//! the module's code reads, for `quickscale add`'s next steps. A tiny subset of
//! TOML, parsed here so that the build needs no TOML crate. Plain Rust.

use crate::placeholder::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub description: String,
    pub env: Vec<String>,
}

pub fn parse(text: &str) -> Result<Declaration, ParseError> {
    let mut description = None;
    let mut env = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let err = |message: &str| ParseError {
            line: index + 1,
            col: 1,
            message: message.to_owned(),
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| err("expected `key = value`"))?;
        let value = value.trim();
        match key.trim() {
            "description" => {
                let text = string(value).ok_or_else(|| err("description must be a \"string\""))?;
                if text.is_empty() {
                    return Err(err("description must not be empty"));
                }
                description = Some(text);
            }
            "env" => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .ok_or_else(|| err("env must be a list of \"NAMES\""))?;
                for item in inner.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let name = string(item)
                        .filter(|n| {
                            !n.is_empty()
                                && n.bytes().all(|b| {
                                    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
                                })
                        })
                        .ok_or_else(|| err("env must list upper-case variable names in quotes"))?;
                    env.push(name);
                }
            }
            other => {
                return Err(err(&format!(
                    "unknown key '{other}'; the keys are description and env"
                )))
            }
        }
    }
    let description = description.ok_or_else(|| ParseError {
        line: 1,
        col: 1,
        message: "a module.toml needs a description = \"...\"".to_owned(),
    })?;
    Ok(Declaration { description, env })
}

/// A double-quoted string without escapes.
fn string(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then(|| inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_declaration() {
        let text = "# teams\ndescription = \"Teams and invitations\"\nenv = [\"A_B\", \"C1\"]\n";
        assert_eq!(
            parse(text).unwrap(),
            Declaration {
                description: "Teams and invitations".into(),
                env: vec!["A_B".into(), "C1".into()],
            }
        );
        assert_eq!(
            parse("description = \"x\"\nenv = []\n").unwrap().env,
            Vec::<String>::new()
        );
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        for (text, line) in [
            ("env = []\n", 1),
            ("description = x\n", 1),
            ("description = \"\"\n", 1),
            ("description = \"a\"\nname = \"b\"\n", 2),
            ("description = \"a\"\nenv = [\"lower\"]\n", 2),
            ("description = \"a\"\nenv = \"A\"\n", 2),
            ("description = \"a\"\njunk\n", 2),
        ] {
            assert_eq!(parse(text).unwrap_err().line, line, "{text:?}");
        }
    }
}
