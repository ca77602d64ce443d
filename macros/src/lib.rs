//! Compile-time embedding of quickscale's starter/ directory.
//!
//! `#[starter("starter")]` on the variable enum reads every file under the
//! given directory (relative to the invoking crate), checks each `@NAME@`
//! placeholder against the enum's variants and emits a static phf table of
//! pre-parsed files. Parsing lives in [`placeholder`], file discovery in
//! `walk` (shared with build.rs), code generation in `emit`; this is the shim.

use proc_macro::TokenStream;
use syn::{parse_macro_input, ItemEnum, LitStr};

mod emit;
mod placeholder;
mod walk;

/// Embeds the starter directory named by the argument; see the crate docs.
#[proc_macro_attribute]
pub fn starter(attr: TokenStream, item: TokenStream) -> TokenStream {
    let dir = parse_macro_input!(attr as LitStr);
    let item = parse_macro_input!(item as ItemEnum);
    match emit::expand(&dir.value(), &item) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
