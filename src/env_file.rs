//! The project's `.env`: git-ignored, mode 0600, holding the per-project
//! secrets quickscale generates. `init` writes it whole; `upgrade` appends
//! the secrets a newer starter needs that an older project's `.env` lacks.
//! The list of generated keys lives here and nowhere else. The randomness
//! comes from the caller (`random::bytes`), so what this module writes
//! depends on its arguments alone.

pub const FILE: &str = ".env";

/// Every key quickscale generates a fresh random value for, in file order.
/// `DJANGO_SECRET_KEY` lets local settings start at once; `POSTGRES_PASSWORD`
/// is docker compose's database password, which compose reads from `.env`.
pub const GENERATED: &[&str] = &["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"];

/// Characters in each generated value: one per random byte.
const SECRET_LEN: usize = 64;

/// The random bytes that [`new_file`] and [`missing`] turn into values: a
/// value's worth for each generated key, so each key gets its own.
pub type RandomBytes = [u8; SECRET_LEN * GENERATED.len()];

/// The `.env` of a new project, each generated key with a fresh value made
/// from `random`.
pub fn new_file(random: &RandomBytes) -> String {
    let mut out = String::from(
        "# Local development settings written by quickscale init. Never commit this file.\n",
    );
    for (index, key) in GENERATED.iter().enumerate() {
        out.push_str(&format!("{key}={}\n", secret(random, index)));
    }
    out
}

/// The generated keys only one starter file reads: a project whose owner
/// deleted that file does not need them.
pub const READ_ONLY_BY: &[(&str, &str)] = &[("POSTGRES_PASSWORD", "docker-compose.yml")];

/// The lines to append to an existing `.env` so that it sets every generated
/// key, and the keys they set, with values made from `random`. Keys already
/// set, even to something else, are the owner's and stay as they are; so
/// are keys only a file the owner deleted reads (`deleted(path)`).
pub fn missing(
    existing: &str,
    random: &RandomBytes,
    deleted: impl Fn(&str) -> bool,
) -> (String, Vec<&'static str>) {
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
    for (index, key) in GENERATED.iter().enumerate() {
        if set.contains(key) || unneeded(key) {
            continue;
        }
        if lines.is_empty() {
            if !existing.is_empty() && !existing.ends_with('\n') {
                lines.push('\n');
            }
            lines.push_str(&format!(
                "# Added by quickscale upgrade to {}.\n",
                crate::text::QUICKSCALE_VERSION
            ));
        }
        lines.push_str(&format!("{key}={}\n", secret(random, index)));
        keys.push(*key);
    }
    (lines, keys)
}

/// The value of the generated key at `index`: 64 characters from that key's
/// own 64 random bytes. The 64-symbol alphabet makes `byte & 63` uniform,
/// and holds nothing a `.env` parser, a URL or a shell would treat specially
/// (`$`, `#`, `@`, `:`, quotes, spaces).
fn secret(random: &RandomBytes, index: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    random[index * SECRET_LEN..(index + 1) * SECRET_LEN]
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixed bytes, different for every key: byte `i` of key `k`'s share is
    /// `7 * i + k` (mod 256).
    fn random() -> RandomBytes {
        std::array::from_fn(|i| ((i % SECRET_LEN) * 7 + i / SECRET_LEN) as u8)
    }

    #[test]
    fn secrets_are_long_made_of_the_given_bytes_and_env_safe() {
        let random = random();
        let first = secret(&random, 0);
        assert_eq!(first.len(), SECRET_LEN);
        // Byte 1 is 7: the alphabet's eighth symbol; byte 10 is 70, 70 & 63 = 6.
        assert_eq!(&first[..2], "AH");
        assert_eq!(&first[10..11], "G");
        assert_ne!(first, secret(&random, 1), "each key has its own bytes");
        // Key 1's share starts at byte 64: its bytes are 1, 8, 15, ...
        let second = secret(&random, 1);
        assert_eq!(second.len(), SECRET_LEN);
        assert_eq!(&second[..3], "BIP");
        assert!(first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        // Every symbol is reachable: the 64 low-bit patterns give 64 characters.
        let every: RandomBytes = std::array::from_fn(|i| i as u8);
        let mut symbols: Vec<char> = secret(&every, 0).chars().collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), 64);
    }

    #[test]
    fn a_new_file_sets_every_generated_key_to_its_own_value() {
        let text = new_file(&random());
        assert_eq!(new_file(&random()), text, "the bytes decide the file");
        let mut values = Vec::new();
        for (index, key) in GENERATED.iter().enumerate() {
            assert_eq!(text.matches(&format!("\n{key}=")).count(), 1, "{text}");
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{key}=")))
                .unwrap();
            assert_eq!(line[key.len() + 1..], secret(&random(), index));
            values.push(line[key.len() + 1..].to_owned());
        }
        values.sort();
        values.dedup();
        assert_eq!(values.len(), GENERATED.len(), "each key gets its own value");
        assert_eq!(
            missing(&text, &random(), |_| false),
            (String::new(), vec![])
        );
    }

    #[test]
    fn only_missing_keys_are_added_and_existing_values_stay() {
        let random = random();
        let all_set = "OTHER=1\nexport DJANGO_SECRET_KEY = mine\nPOSTGRES_PASSWORD=mine";
        let (lines, keys) = missing(all_set, &random, |_| false);
        assert!(keys.is_empty() && lines.is_empty(), "{lines}");
        let (lines, keys) = missing("DJANGO_SECRET_KEY=mine\n", &random, |_| false);
        assert_eq!(keys, vec!["POSTGRES_PASSWORD"]);
        assert!(!lines.contains("DJANGO_SECRET_KEY"), "{lines}");
        assert!(
            lines.ends_with(&format!("\nPOSTGRES_PASSWORD={}\n", secret(&random, 1))),
            "the key keeps its own bytes: {lines}"
        );
        assert!(
            lines.starts_with("# Added by quickscale upgrade"),
            "a file that ends its last line needs no newline: {lines:?}"
        );
        let (lines, keys) = missing("", &random, |_| false);
        assert_eq!(keys, GENERATED.to_vec());
        assert!(
            lines.starts_with("# Added by quickscale upgrade"),
            "an empty file needs no newline: {lines:?}"
        );
        let (lines, keys) = missing("OTHER=1", &random, |_| false);
        assert_eq!(keys, GENERATED.to_vec());
        assert!(
            lines.starts_with("\n# Added by quickscale upgrade"),
            "{lines}"
        );
        assert!(lines.contains("\nDJANGO_SECRET_KEY="), "{lines}");
        let (lines, keys) = missing("OTHER=1\n", &random, |path| path == "docker-compose.yml");
        assert_eq!(
            keys,
            ["DJANGO_SECRET_KEY"],
            "compose's password without compose"
        );
        assert!(!lines.contains("POSTGRES_PASSWORD"), "{lines}");
    }
}
