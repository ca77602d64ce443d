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

use crate::condition;
use crate::declaration;
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
    let (head, head_modules, head_digest) =
        tree_tokens(&dirs.head, &head_entries, &vars, &mut blobs, Store::Plain)?;

    let mut history = Vec::new();
    for version in history_versions(base, &dirs.history)? {
        let label = format!("{}/{version}", dirs.history);
        let entries = walk(base, &label)?;
        // The head's bodies are already in `blobs`: what is new here only
        // older versions use, and only diff and upgrade read, so it is deflated.
        let (files, modules, digest) =
            tree_tokens(&label, &entries, &vars, &mut blobs, Store::Deflated)?;
        history.push((digest, version, files, modules));
    }
    let mut seen = BTreeMap::new();
    for (digest, version, _, _) in &history {
        if let Some(other) = seen.insert(digest.clone(), version.clone()) {
            return Err(error(format!(
                "{}/{version} and {}/{other} are the same starter; remove the later snapshot",
                dirs.history, dirs.history
            )));
        }
    }

    let enum_helpers = vars.helpers(item);
    let history_map = phf_map(
        history.iter().map(|(digest, _, _, _)| digest.as_str()),
        history.iter().map(|(digest, version, files, modules)| {
            quote!(Starter { version: #version, digest: #digest, files: #files, modules: #modules })
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
            modules: #head_modules,
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
            Piece::When(cond, marker) => {
                let terms = cond.0.iter().map(|(name, on)| quote!((#name, #on)));
                quote!(Segment::When(&[#(#terms),*], #marker))
            }
            Piece::End(marker) => quote!(Segment::End(#marker)),
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

/// The sorted `&[StarterFile]` of one tree, its `&[Module]` and the tree's
/// digest, from one read of each file; new bodies go into `blobs`.
///
/// A top-level directory `+<name>/` holds the module `<name>`: its
/// `module.toml` declares it, and every other file in it is a file of the
/// generated project (the path below `+<name>/`) that only projects with the
/// module get. A module adds files of its own; it never replaces one.
fn tree_tokens(
    label: &str,
    entries: &[StarterEntry],
    vars: &Vars,
    blobs: &mut Blobs,
    store: Store,
) -> syn::Result<(TokenStream, TokenStream, String)> {
    let known = vars.known();
    let modules = module_declarations(label, entries)?;
    let module_names: Vec<&str> = modules.iter().map(|(name, _)| name.as_str()).collect();
    let mut outputs: BTreeMap<String, &str> = BTreeMap::new();
    let mut digest = TreeDigest::new();
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let at = |line: usize, col: usize, message: &str| {
            error(format!("{label}/{}:{line}:{col}: {message}", entry.rel))
        };
        let bytes = fs::read(&entry.abs).map_err(|e| at(1, 1, &format!("cannot read: {e}")))?;
        digest.add(&entry.rel, entry.executable, &bytes);
        let (module, output) = match module_of(&entry.rel) {
            Some((_, "module.toml")) => continue,
            Some((name, rest)) => (Some(name), rest),
            None => (None, entry.rel.as_str()),
        };
        if let Some(first) = outputs.insert(output.to_owned(), &entry.rel) {
            return Err(at(
                1,
                1,
                &format!(
                    "{label}/{first} is already this path: a module adds files of its own and \
                     lines in shared files (with @IF(...)@), it never replaces a file"
                ),
            ));
        }
        let path_pieces = placeholder::parse(output, &known)
            .map_err(|e| at(e.line, e.col, &format!("{} (in the file path)", e.message)))?;
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
                let pieces = condition::pieces(&text, &known, &module_names)
                    .map_err(|e| at(e.line, e.col, &e.message))?;
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
        let module = match module {
            Some(name) => quote!(Some(#name)),
            None => quote!(None),
        };
        files.push(quote!(StarterFile {
            starter_path: #rel,
            path: #path,
            executable: #executable,
            blob: #key,
            module: #module,
        }));
    }
    let modules = modules.iter().map(|(name, declared)| {
        let description = &declared.description;
        let env = &declared.env;
        quote!(Module { name: #name, description: #description, env: &[#(#env),*] })
    });
    Ok((
        quote!(&[#(#files),*]),
        quote!(&[#(#modules),*]),
        digest.finish(),
    ))
}

/// `+teams/x/y.py` -> `("teams", "x/y.py")`: the module a tree path belongs to.
fn module_of(rel: &str) -> Option<(&str, &str)> {
    rel.strip_prefix('+')?.split_once('/')
}

/// Every module of a tree, sorted by name, each from its `+<name>/module.toml`.
fn module_declarations(
    label: &str,
    entries: &[StarterEntry],
) -> syn::Result<Vec<(String, declaration::Declaration)>> {
    let mut modules = BTreeMap::new();
    let mut undeclared = BTreeSet::new();
    for entry in entries {
        let Some((name, rest)) = module_of(&entry.rel) else {
            continue;
        };
        let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(error(format!(
                "{label}/+{name}:1:1: a module's name is lower-case letters, digits and `_`, \
                 starting with a letter; rename the directory"
            )));
        }
        if rest != "module.toml" {
            undeclared.insert(name.to_owned());
            continue;
        }
        let text = fs::read_to_string(&entry.abs)
            .map_err(|e| error(format!("{label}/{}:1:1: cannot read: {e}", entry.rel)))?;
        let declared = declaration::parse(&text).map_err(|e| {
            error(format!(
                "{label}/{}:{}:{}: {}",
                entry.rel, e.line, e.col, e.message
            ))
        })?;
        modules.insert(name.to_owned(), declared);
    }
    if let Some(name) = undeclared.iter().find(|n| !modules.contains_key(*n)) {
        return Err(error(format!(
            "{label}/+{name}/module.toml:1:1: the module '{name}' has files but no module.toml; \
             add one with description = \"...\""
        )));
    }
    Ok(modules.into_iter().collect())
}

/// After a NUL in packed text: a condition's spelling follows, up to a NUL.
const PACKED_WHEN: u8 = 0xFE;
/// After a NUL in packed text: the end of the innermost condition.
const PACKED_END: u8 = 0xFF;

/// A text body as one byte string: the literal text, with each variable as a
/// NUL byte followed by the variable's index, each condition as a NUL, 0xFE,
/// its spelling (`billing,!teams`), a NUL, the marker's text and a NUL, and
/// each end of one as a NUL, 0xFF, the marker's text and a NUL. Starter text never holds a NUL (a NUL makes a file binary), so the
/// encoding is unambiguous; the runtime decoder is `render::render_packed`.
fn pack_text(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Lit(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Var(index) => {
                let index = u8::try_from(*index)
                    .ok()
                    .filter(|i| *i < PACKED_WHEN)
                    .expect("fewer than 254 starter variables");
                out.extend_from_slice(&[0, index]);
            }
            Piece::When(cond, marker) => {
                out.extend_from_slice(&[0, PACKED_WHEN]);
                out.extend_from_slice(cond.text().as_bytes());
                out.push(0);
                out.extend_from_slice(marker.as_bytes());
                out.push(0);
            }
            Piece::End(marker) => {
                out.extend_from_slice(&[0, PACKED_END]);
                out.extend_from_slice(marker.as_bytes());
                out.push(0);
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
