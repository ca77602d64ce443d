//! The small spellings several modules share, in one place so that the
//! modules that decide need not depend on the manifest's file format: this
//! binary's version and how versions compare, the content hash that names a
//! file body, and quoted strings.

use sha2::{Digest, Sha256};

/// The version of this binary: what `--version` prints, what manifests
/// record, and what conflict markers and reports call this starter.
pub(crate) const QUICKSCALE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `1.2.3` (a pre-release or build suffix is ignored) as comparable numbers.
pub(crate) fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let core = text.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// `sha256:<hex>` of some content: the per-file hash a manifest stores, and
/// the key of each body in the compiled table (the macro spells it the same
/// way, in macros/src/digest.rs; render.rs's tests hold the two together).
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A double-quoted string with `"`, `\\` and every control character escaped:
/// valid both as a TOML basic string (the manifest) and as a JSON string
/// (`diff --format json`), whose escapes agree on this set.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers_and_ignore_a_suffix() {
        assert_eq!(parse_version("1.2.3-rc.1"), Some((1, 2, 3)));
        assert_eq!(parse_version("0.10.0+build"), Some((0, 10, 0)));
        assert!(parse_version("0.10.0") > parse_version("0.9.9"));
        assert_eq!(parse_version("1.2"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(parse_version("1.x.3"), None);
        assert!(parse_version(QUICKSCALE_VERSION).is_some());
    }

    #[test]
    fn a_content_hash_is_sha256_in_lower_case_hex() {
        assert_eq!(
            content_hash(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn quote_escapes_what_toml_and_json_need() {
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("\n\t\r\u{1}"), "\"\\n\\t\\r\\u0001\"");
        assert_eq!(quote("é"), "\"é\"");
    }
}
