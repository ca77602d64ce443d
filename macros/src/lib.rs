//! Compile-time embedding of quickscale's starter trees.
//!
//! `#[starter(head = "starter", history = "history")]` on the variable enum
//! reads every file of the current starter and of each released snapshot
//! under `history/<version>/` (paths relative to the invoking crate), checks
//! each `@NAME@` placeholder against the enum's variants and emits the head
//! starter, the history keyed by starter digest and the content-addressed
//! file bodies. Parsing lives in [`placeholder`], file discovery in `walk`,
//! the digests in `digest`, code generation in `emit`; this is the shim.

use proc_macro::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{parse_macro_input, Expr, ExprLit, ItemEnum, Lit, MetaNameValue, Token};

mod condition;
mod declaration;
mod digest;
mod emit;
mod placeholder;
mod walk;

/// Embeds the starter trees named by the arguments; see the crate docs.
#[proc_macro_attribute]
pub fn starter(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as ItemEnum);
    let expanded = parse_dirs(attr).and_then(|dirs| emit::expand(&dirs, &item));
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn parse_dirs(attr: TokenStream) -> syn::Result<emit::Dirs> {
    let args = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse(attr)?;
    let (mut head, mut history) = (None, None);
    for arg in &args {
        let value = match &arg.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => text.value(),
            other => return Err(syn::Error::new_spanned(other, "expected a string literal")),
        };
        if arg.path.is_ident("head") {
            head = Some(value);
        } else if arg.path.is_ident("history") {
            history = Some(value);
        } else {
            return Err(syn::Error::new_spanned(
                &arg.path,
                "expected `head` or `history`",
            ));
        }
    }
    let missing = |name| {
        syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("#[starter] needs `{name} = \"<directory>\"`"),
        )
    };
    Ok(emit::Dirs {
        head: head.ok_or_else(|| missing("head"))?,
        history: history.ok_or_else(|| missing("history"))?,
    })
}
