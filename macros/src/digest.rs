//! The starter digest and the content hash: the one implementation, plain
//! Rust over sha2 with no proc-macro types. The macro's emission uses it for
//! every tree and body it embeds. A proc-macro crate can export nothing but
//! macros, so the integration tests compile this same file into their support
//! module (`#[path]`) to digest the trees they build; the release script
//! reads the digest from the manifest of a fresh build, which this made.

use sha2::{Digest, Sha256};

/// `sha256:<hex>` of a file body: the key of each body in the table. The
/// binary spells manifest hashes the same way (`src/text.rs`); render.rs's
/// tests hold every key against it.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// The digest a manifest records for a starter tree: sha256 over every
/// file's path, execute bit and bytes, in path order, each field
/// length-prefixed so that no two different trees hash alike.
pub struct TreeDigest(Sha256);

impl TreeDigest {
    pub fn new() -> Self {
        TreeDigest(Sha256::new())
    }

    /// Adds the next file, in path order: `rel` is its `/`-separated path
    /// relative to the tree.
    pub fn add(&mut self, rel: &str, executable: bool, bytes: &[u8]) {
        for field in [rel.as_bytes(), &[u8::from(executable)], bytes] {
            self.0.update((field.len() as u64).to_le_bytes());
            self.0.update(field);
        }
    }

    /// `sha256:<hex>`.
    pub fn finish(self) -> String {
        format!("sha256:{}", hex(&self.0.finalize()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
