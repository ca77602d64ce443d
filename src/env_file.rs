//! The project's `.env`: git-ignored, mode 0600, holding the per-project
//! secrets quickscale generates. `init` writes it whole; `upgrade` appends
//! the secrets a newer starter needs that an older project's `.env` lacks.
//! The list of generated keys lives here and nowhere else.

use crate::error::{Error, Result};

pub const FILE: &str = ".env";

/// Every key quickscale generates a fresh random value for, in file order.
/// `DJANGO_SECRET_KEY` lets local settings start at once; `POSTGRES_PASSWORD`
/// is docker compose's database password, which compose reads from `.env`.
pub const GENERATED: &[&str] = &["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"];

/// The `.env` of a new project, each generated key with a fresh value.
pub fn new_file() -> Result<String> {
    let mut out = String::from(
        "# Local development settings written by quickscale init. Never commit this file.\n",
    );
    for key in GENERATED {
        out.push_str(&format!("{key}={}\n", secret()?));
    }
    Ok(out)
}

/// The generated keys only one starter file reads: a project whose owner
/// deleted that file does not need them.
pub const READ_ONLY_BY: &[(&str, &str)] = &[("POSTGRES_PASSWORD", "docker-compose.yml")];

/// The lines to append to an existing `.env` so that it sets every generated
/// key, and the keys they set. Keys already set, even to something else, are
/// the owner's and stay as they are; so are keys only a file the owner
/// deleted reads (`deleted(path)`).
pub fn missing(
    existing: &str,
    deleted: impl Fn(&str) -> bool,
) -> Result<(String, Vec<&'static str>)> {
    let set: Vec<&str> = existing
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("export ").unwrap_or(line);
            line.split_once('=').map(|(key, _)| key.trim())
        })
        .collect();
    let mut lines = String::new();
    let mut keys = Vec::new();
    let unneeded = |key: &str| {
        READ_ONLY_BY
            .iter()
            .any(|(k, path)| *k == key && deleted(path))
    };
    for key in GENERATED
        .iter()
        .filter(|key| !set.contains(key) && !unneeded(key))
    {
        if lines.is_empty() {
            if !existing.is_empty() && !existing.ends_with('\n') {
                lines.push('\n');
            }
            lines.push_str(&format!(
                "# Added by quickscale upgrade to {}.\n",
                crate::manifest::QUICKSCALE_VERSION
            ));
        }
        lines.push_str(&format!("{key}={}\n", secret()?));
        keys.push(*key);
    }
    Ok((lines, keys))
}

/// 64 characters from the OS random number generator. The 64-symbol alphabet
/// makes `byte & 63` uniform, and holds nothing a `.env` parser, a URL or a
/// shell would treat specially (`$`, `#`, `@`, `:`, quotes, spaces).
pub fn secret() -> Result<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(format!(
            "the operating system's random number generator failed: {e}; try again"
        ))
    })?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_env_safe() {
        let first = secret().unwrap();
        let second = secret().unwrap();
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert!(first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn a_new_file_sets_every_generated_key_to_its_own_value() {
        let text = new_file().unwrap();
        let mut values = Vec::new();
        for key in GENERATED {
            assert_eq!(text.matches(&format!("\n{key}=")).count(), 1, "{text}");
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{key}=")))
                .unwrap();
            values.push(line[key.len() + 1..].to_owned());
        }
        values.sort();
        values.dedup();
        assert_eq!(values.len(), GENERATED.len(), "each key gets its own value");
        assert_eq!(missing(&text, |_| false).unwrap(), (String::new(), vec![]));
    }

    #[test]
    fn only_missing_keys_are_added_and_existing_values_stay() {
        let all_set = "OTHER=1\nexport DJANGO_SECRET_KEY = mine\nPOSTGRES_PASSWORD=mine";
        let (lines, keys) = missing(all_set, |_| false).unwrap();
        assert!(keys.is_empty() && lines.is_empty(), "{lines}");
        let (lines, keys) = missing("DJANGO_SECRET_KEY=mine\n", |_| false).unwrap();
        assert_eq!(keys, vec!["POSTGRES_PASSWORD"]);
        assert!(!lines.contains("DJANGO_SECRET_KEY"), "{lines}");
        assert!(
            lines.starts_with("# Added by quickscale upgrade"),
            "a file that ends its last line needs no newline: {lines:?}"
        );
        let (lines, keys) = missing("", |_| false).unwrap();
        assert_eq!(keys, GENERATED.to_vec());
        assert!(
            lines.starts_with("# Added by quickscale upgrade"),
            "an empty file needs no newline: {lines:?}"
        );
        let (lines, keys) = missing("OTHER=1", |_| false).unwrap();
        assert_eq!(keys, GENERATED.to_vec());
        assert!(
            lines.starts_with("\n# Added by quickscale upgrade"),
            "{lines}"
        );
        assert!(lines.contains("\nDJANGO_SECRET_KEY="), "{lines}");
        let (lines, keys) = missing("OTHER=1\n", |path| path == "docker-compose.yml").unwrap();
        assert_eq!(
            keys,
            ["DJANGO_SECRET_KEY"],
            "compose's password without compose"
        );
        assert!(!lines.contains("POSTGRES_PASSWORD"), "{lines}");
    }
}
