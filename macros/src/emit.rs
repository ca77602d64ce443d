#![allow(
    clippy::disallowed_methods,
    reason = "reads the starter trees' files and CARGO_MANIFEST_DIR at compile time: the macro is the build's I/O"
)]
//! Turns the walked and parsed starter trees into Rust tokens: the variable
//! enum's helpers, the head starter, the history of released starters keyed
//! by digest, and the content-addressed blobs they share.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::{env, fs};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Fields, Ident, ItemEnum};

use crate::digest::{content_hash, TreeDigest};
use crate::placeholder::{self, Piece};
use crate::walk::{walk_starter, StarterEntry};

/// Where the trees are, relative to the invoking crate's manifest directory.
pub struct Dirs {
    /// The current starter, e.g. `starter`.
    pub head: String,
    /// A directory of released snapshots, one `<version>/` each, e.g. `history`.
    pub history: String,
}

/// Expands `#[starter(head = "...", history = "...")] enum Var { ... }`.
pub fn expand(dirs: &Dirs, item: &ItemEnum) -> syn::Result<TokenStream> {
    let vars = Vars::from_enum(item)?;
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(
            Span::call_site(),
            "CARGO_MANIFEST_DIR is not set; build with cargo",
        )
    })?;
    let base = Path::new(&manifest_dir);

    let mut blobs = Blobs::default();
    let head_entries = walk(base, &dirs.head)?;
    let (head, head_digest) =
        tree_tokens(&dirs.head, &head_entries, &vars, &mut blobs, Store::Plain)?;

    let mut history = Vec::new();
    for version in history_versions(base, &dirs.history)? {
        let label = format!("{}/{version}", dirs.history);
        let entries = walk(base, &label)?;
        // The head's bodies are already in `blobs`: what is new here only
        // older versions use, and only diff and upgrade read, so it is deflated.
        let (files, digest) = tree_tokens(&label, &entries, &vars, &mut blobs, Store::Deflated)?;
        history.push((digest, version, files));
    }
    let mut seen = BTreeMap::new();
    for (digest, version, _) in &history {
        if let Some(other) = seen.insert(digest.clone(), version.clone()) {
            return Err(error(format!(
                "{}/{version} and {}/{other} are the same starter; remove the later snapshot",
                dirs.history, dirs.history
            )));
        }
    }

    let enum_helpers = vars.helpers(item);
    let history_map = phf_map(
        history.iter().map(|(digest, _, _)| digest.as_str()),
        history.iter().map(|(digest, version, files)| {
            quote!(Starter { version: #version, digest: #digest, files: #files })
        }),
    );
    let blob_map = phf_map(
        blobs.keys.iter().map(String::as_str),
        blobs.bodies.iter().cloned(),
    );
    let tracked = &blobs.tracked;

    Ok(quote! {
        #item
        #enum_helpers

        /// The current starter (starter/), as this binary's `init` writes it.
        pub static HEAD: Starter = Starter {
            version: env!("CARGO_PKG_VERSION"),
            digest: #head_digest,
            files: #head,
        };

        /// Every released starter (history/<version>/), keyed by its digest: the
        /// bases that `upgrade` merges against.
        pub static HISTORY: ::phf::Map<&'static str, Starter> = #history_map;

        /// File bodies keyed by the sha256 of their bytes in the starter tree:
        /// a file identical across versions is stored once.
        #[allow(clippy::disallowed_macros, reason = "embeds the starter's binary files at compile time")]
        pub static BLOBS: ::phf::Map<&'static str, Body> = #blob_map;

        #(#tracked)*
    })
}

/// The enum's variants and their placeholder spellings.
struct Vars {
    enum_ident: Ident,
    variants: Vec<Ident>,
    names: Vec<String>,
}

impl Vars {
    fn from_enum(item: &ItemEnum) -> syn::Result<Vars> {
        let mut variants = Vec::new();
        for variant in &item.variants {
            if !matches!(variant.fields, Fields::Unit) {
                return Err(syn::Error::new_spanned(
                    variant,
                    "starter variables are plain names without fields",
                ));
            }
            variants.push(variant.ident.clone());
        }
        let names = variants
            .iter()
            .map(|v| placeholder::screaming_snake(&v.to_string()))
            .collect();
        Ok(Vars {
            enum_ident: item.ident.clone(),
            variants,
            names,
        })
    }

    fn known(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    fn segments(&self, pieces: &[Piece]) -> TokenStream {
        let enum_ident = &self.enum_ident;
        let items = pieces.iter().map(|piece| match piece {
            Piece::Lit(text) => quote!(Segment::Lit(#text)),
            Piece::Var(index) => {
                let variant = &self.variants[*index];
                quote!(Segment::Var(#enum_ident::#variant))
            }
        });
        quote!(&[#(#items),*])
    }

    fn helpers(&self, item: &ItemEnum) -> TokenStream {
        let enum_ident = &item.ident;
        let count = self.variants.len();
        let all = self.variants.iter().map(|v| quote!(#enum_ident::#v));
        let arms = self
            .variants
            .iter()
            .zip(&self.names)
            .map(|(v, n)| quote!(#enum_ident::#v => #n));
        quote! {
            impl #enum_ident {
                /// Every variable, in declaration order.
                pub const ALL: [#enum_ident; #count] = [#(#all),*];

                /// The name between the `@` signs, e.g. `PROJECT_NAME`.
                pub const fn placeholder(self) -> &'static str {
                    match self {
                        #(#arms),*
                    }
                }
            }
        }
    }
}

/// Distinct file bodies, in first-seen order, keyed by content hash.
#[derive(Default)]
struct Blobs {
    keys: Vec<String>,
    bodies: Vec<TokenStream>,
    /// `include_bytes!` of each text file, so rustc records it as an input and
    /// an edit recompiles even where cargo's directory scan would not notice.
    tracked: Vec<TokenStream>,
    /// The keys already in `keys`.
    stored: BTreeSet<String>,
}

/// How a tree's new bodies are stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    /// As they are: the head, which `init` renders and must render fast.
    Plain,
    /// Deflated: bodies only older versions use. Ten releases of a regenerated
    /// uv.lock alone would otherwise take 1.5 MB of the binary.
    Deflated,
}

/// The sorted `&[StarterFile]` of one tree and the tree's digest, from one
/// read of each file; new bodies go into `blobs`.
fn tree_tokens(
    label: &str,
    entries: &[StarterEntry],
    vars: &Vars,
    blobs: &mut Blobs,
    store: Store,
) -> syn::Result<(TokenStream, String)> {
    let known = vars.known();
    let mut digest = TreeDigest::new();
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let at = |line: usize, col: usize, message: &str| {
            error(format!("{label}/{}:{line}:{col}: {message}", entry.rel))
        };
        let path_pieces = placeholder::parse(&entry.rel, &known)
            .map_err(|e| at(e.line, e.col, &format!("{} (in the file path)", e.message)))?;
        let bytes = fs::read(&entry.abs).map_err(|e| at(1, 1, &format!("cannot read: {e}")))?;
        digest.add(&entry.rel, entry.executable, &bytes);
        let abs = entry
            .abs
            .to_str()
            .ok_or_else(|| at(1, 1, "path is not valid UTF-8"))?;
        let key = content_hash(&bytes);
        if !blobs.stored.contains(&key) {
            let body = if placeholder::is_binary(&bytes) {
                if let Some(e) = placeholder::find_in_binary(&bytes, &known) {
                    return Err(at(e.line, e.col, &e.message));
                }
                if store == Store::Deflated {
                    let packed = deflate(&bytes);
                    quote!(Body::DeflatedBinary(#packed))
                } else {
                    quote!(Body::Binary(include_bytes!(#abs)))
                }
            } else {
                // Validated UTF-8 by is_binary above.
                let text = String::from_utf8(bytes).expect("checked UTF-8");
                let pieces =
                    placeholder::parse(&text, &known).map_err(|e| at(e.line, e.col, &e.message))?;
                blobs.tracked.push(quote!(
                    #[allow(
                        clippy::disallowed_macros,
                        reason = "makes rustc rebuild when this starter file changes"
                    )]
                    const _: &[u8] = include_bytes!(#abs);
                ));
                if store == Store::Deflated {
                    let packed = deflate(&pack_text(&pieces));
                    quote!(Body::DeflatedText(#packed))
                } else {
                    let segments = vars.segments(&pieces);
                    quote!(Body::Text(#segments))
                }
            };
            blobs.stored.insert(key.clone());
            blobs.keys.push(key.clone());
            blobs.bodies.push(body);
        }
        let rel = &entry.rel;
        let path = vars.segments(&path_pieces);
        let executable = entry.executable;
        files.push(quote!(StarterFile {
            starter_path: #rel,
            path: #path,
            executable: #executable,
            blob: #key,
        }));
    }
    Ok((quote!(&[#(#files),*]), digest.finish()))
}

/// A text body as one byte string: the literal text, with each variable as a
/// NUL byte followed by the variable's index. Starter text never holds a NUL
/// (a NUL makes a file binary), so the encoding is unambiguous; the runtime
/// decoder is `render::render_packed`.
fn pack_text(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Lit(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Var(index) => {
                let index = u8::try_from(*index).expect("fewer than 256 starter variables");
                out.extend_from_slice(&[0, index]);
            }
        }
    }
    out
}

/// `bytes` as raw deflate (RFC 1951) at miniz's best level, as a byte string literal.
fn deflate(bytes: &[u8]) -> proc_macro2::Literal {
    proc_macro2::Literal::byte_string(&miniz_oxide::deflate::compress_to_vec(bytes, 10))
}

fn walk(base: &Path, label: &str) -> syn::Result<Vec<StarterEntry>> {
    let entries = walk_starter(&base.join(label), label).map_err(error)?;
    if entries.is_empty() {
        return Err(error(format!(
            "{label}: the starter directory has no files"
        )));
    }
    Ok(entries)
}

/// The version directories under `history`, in version order; none when the
/// directory does not exist (a workspace that has not released yet).
fn history_versions(base: &Path, history: &str) -> syn::Result<Vec<String>> {
    let dir = base.join(history);
    let list = match fs::read_dir(&dir) {
        Ok(list) => list,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(error(format!("{history}: cannot list directory: {e}"))),
    };
    let mut versions = Vec::new();
    for item in list {
        let item = item.map_err(|e| error(format!("{history}: cannot list directory: {e}")))?;
        if !item.file_type().is_ok_and(|t| t.is_dir()) {
            continue; // README.md and the like describe the history; they are not in it.
        }
        let name = item.file_name().to_string_lossy().into_owned();
        let parsed = parse_version(&name).ok_or_else(|| {
            error(format!(
                "{history}/{name}: not a version directory (expected e.g. {history}/1.2.3/); \
                 move it out of {history}/"
            ))
        })?;
        versions.push((parsed, name));
    }
    versions.sort();
    Ok(versions.into_iter().map(|(_, name)| name).collect())
}

fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// A `phf::Map` literal from keys and value expressions in the same order.
fn phf_map<'a>(
    keys: impl Iterator<Item = &'a str>,
    values: impl Iterator<Item = TokenStream>,
) -> TokenStream {
    let keys: Vec<&str> = keys.collect();
    let values: Vec<TokenStream> = values.collect();
    let state = phf_generator::generate_hash(&keys);
    let hash_key = state.key;
    let disps = state.disps.iter().map(|(a, b)| quote!((#a, #b)));
    let entries = state.map.iter().map(|&index| {
        let key = keys[index];
        let value = &values[index];
        quote!((#key, #value))
    });
    quote!(::phf::Map {
        key: #hash_key,
        disps: &[#(#disps),*],
        entries: &[#(#entries),*],
    })
}

fn error(message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(Span::call_site(), message.to_string())
}
