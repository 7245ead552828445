//! Types as tokens. What a type is called is decided in [`crate::ir::spelling`]; the
//! emitter only turns that text into tokens.

use crate::ir::TypeRef;
use proc_macro2::TokenStream;
use std::str::FromStr;

/// The tokens of a type the IR spelled (`TypeRef::rust`, `Field::declared`,
/// `Success::output`, ...).
///
/// Only lexed: [`crate::emit::render`] parses every emitted file anyway, and lexing costs a
/// fifth of parsing into a `syn::Type` (one call per field adds up on big documents).
///
/// The text always lexes: it is fixed paths and prelude names around names the naming
/// module made identifiers (`IModel`, `r#type`), the same names [`super::ident`] takes.
/// Were one ever not even lexable, that is a generator bug, reported the way `ident`
/// reports a bad name: a panic, which [`crate::diagnostics::guard`] turns into an internal-error
/// diagnostic located at the part of the document being emitted, with nothing written.
/// (A `compile_error!` in its place would write a crate that renders, and passes the
/// fuzz test's parse check, but does not build.)
pub(super) fn type_tokens(text: &str) -> TokenStream {
    match TokenStream::from_str(text) {
        Ok(tokens) => tokens,
        Err(err) => panic!("`{text}` is not a Rust type ({err})"),
    }
}

/// Converts an argument of [`TypeRef::argument`]'s type into the stored type; `None`
/// when it already is one (so the emitter can use field-init shorthand).
pub(super) fn argument_into(ty: &TypeRef, value: TokenStream) -> Option<TokenStream> {
    ty.converts_argument().then(|| quote::quote!(#value.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_text_becomes_the_same_tokens_quote_makes() {
        let tokens = type_tokens("Option<Box<crate::models::r#Node>>");
        let expected = quote::quote!(Option<Box<crate::models::r#Node>>);
        assert_eq!(tokens.to_string(), expected.to_string());
    }

    #[test]
    fn text_that_does_not_lex_is_an_internal_error_not_a_crash() {
        let caught = crate::diagnostics::guard::catch(|| type_tokens("Vec<(String>")).unwrap_err();
        assert!(
            caught
                .message
                .starts_with("`Vec<(String>` is not a Rust type"),
            "{caught:?}"
        );
    }
}
