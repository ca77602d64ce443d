//! Turns the walked and parsed starter into Rust tokens: the variable enum's
//! helpers and the static phf table the runtime renders from.

use std::path::Path;
use std::{env, fs};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Fields, ItemEnum};

use crate::placeholder::{self, Piece};
use crate::walk::{walk_starter, StarterEntry};

/// Expands `#[starter("dir")] enum Var { ... }`.
pub fn expand(dir: &str, item: &ItemEnum) -> syn::Result<TokenStream> {
    let enum_ident = &item.ident;
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
    let names: Vec<String> = variants
        .iter()
        .map(|v| placeholder::screaming_snake(&v.to_string()))
        .collect();
    let known: Vec<&str> = names.iter().map(String::as_str).collect();

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(
            Span::call_site(),
            "CARGO_MANIFEST_DIR is not set; build with cargo",
        )
    })?;
    let root = Path::new(&manifest_dir).join(dir);
    let entries = walk_starter(&root).map_err(|m| syn::Error::new(Span::call_site(), m))?;
    if entries.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!("{}: the starter directory has no files", root.display()),
        ));
    }

    let segment_tokens = |pieces: &[Piece]| -> TokenStream {
        let items = pieces.iter().map(|piece| match piece {
            Piece::Lit(text) => quote!(Segment::Lit(#text)),
            Piece::Var(index) => {
                let variant = &variants[*index];
                quote!(Segment::Var(#enum_ident::#variant))
            }
        });
        quote!(&[#(#items),*])
    };

    let mut files = Vec::with_capacity(entries.len());
    let mut tracked = Vec::new();
    for entry in &entries {
        let path_pieces = placeholder::parse(&entry.rel, &known).map_err(|e| {
            located(
                entry,
                e.line,
                e.col,
                &format!("{} (in the file path)", e.message),
            )
        })?;
        let bytes =
            fs::read(&entry.abs).map_err(|e| located(entry, 1, 1, &format!("cannot read: {e}")))?;
        let abs = entry
            .abs
            .to_str()
            .ok_or_else(|| located(entry, 1, 1, "path is not valid UTF-8"))?;
        let body = if placeholder::is_binary(&bytes) {
            if let Some(e) = placeholder::find_in_binary(&bytes, &known) {
                return Err(located(entry, e.line, e.col, &e.message));
            }
            quote!(Body::Binary(include_bytes!(#abs)))
        } else {
            // Validated UTF-8 by is_binary above.
            let text = String::from_utf8(bytes).expect("checked UTF-8");
            let pieces = placeholder::parse(&text, &known)
                .map_err(|e| located(entry, e.line, e.col, &e.message))?;
            // The table holds the text itself; this constant only makes rustc
            // record the file as an input, so editing it recompiles.
            tracked.push(quote!(
                const _: &[u8] = include_bytes!(#abs);
            ));
            let segments = segment_tokens(&pieces);
            quote!(Body::Text(#segments))
        };
        let path = segment_tokens(&path_pieces);
        let executable = entry.executable;
        files.push(quote!(File { path: #path, executable: #executable, body: #body }));
    }

    let keys: Vec<&str> = entries.iter().map(|e| e.rel.as_str()).collect();
    let state = phf_generator::generate_hash(&keys);
    let hash_key = state.key;
    let disps = state.disps.iter().map(|(a, b)| quote!((#a, #b)));
    let table_entries = state.map.iter().map(|&index| {
        let key = keys[index];
        let file = &files[index];
        quote!((#key, #file))
    });
    let count = entries.len();
    let var_count = variants.len();
    let placeholder_arms = variants
        .iter()
        .zip(&names)
        .map(|(v, n)| quote!(#enum_ident::#v => #n));
    let all_variants = variants.iter().map(|v| quote!(#enum_ident::#v));
    let table_ident = format_ident!("FILES");

    Ok(quote! {
        #item

        impl #enum_ident {
            /// Every variable, in declaration order.
            pub const ALL: [#enum_ident; #var_count] = [#(#all_variants),*];

            /// The name between the `@` signs, e.g. `PROJECT_NAME`.
            pub const fn placeholder(self) -> &'static str {
                match self {
                    #(#placeholder_arms),*
                }
            }
        }

        /// Every starter file, keyed by its path in starter/ (placeholders unexpanded).
        pub static #table_ident: ::phf::Map<&'static str, File> = ::phf::Map {
            key: #hash_key,
            disps: &[#(#disps),*],
            entries: &[#(#table_entries),*],
        };

        /// The keys of the table in byte order, for deterministic output.
        pub static SORTED_PATHS: [&str; #count] = [#(#keys),*];

        #(#tracked)*
    })
}

fn located(entry: &StarterEntry, line: usize, col: usize, message: &str) -> syn::Error {
    syn::Error::new(
        Span::call_site(),
        format!("starter/{}:{line}:{col}: {message}", entry.rel),
    )
}
