//! Following `$ref`s to components. A reference that does not resolve is an error that
//! names the pointer, with the closest existing name as a hint.

// A failed load returns one `Diagnostic`, once per run: not worth boxing.
#![allow(clippy::result_large_err)]

use crate::diagnostics::Diagnostic;
use indexmap::IndexMap;
use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response};

/// Follows `reference` (and refs to refs) to a parameter; returns its pointer too.
pub(super) fn resolve_parameter<'a>(
    document: &'a OpenAPI,
    item: &'a ReferenceOr<Parameter>,
) -> Result<(Option<String>, &'a Parameter), Diagnostic> {
    resolve(
        item,
        "parameters",
        document.components.as_ref().map(|c| &c.parameters),
    )
}

pub(super) fn resolve_security_scheme<'a>(
    document: &'a OpenAPI,
    item: &'a ReferenceOr<openapiv3::SecurityScheme>,
) -> Result<(Option<String>, &'a openapiv3::SecurityScheme), Diagnostic> {
    resolve(
        item,
        "securitySchemes",
        document.components.as_ref().map(|c| &c.security_schemes),
    )
}

pub(super) fn resolve_request_body<'a>(
    document: &'a OpenAPI,
    item: &'a ReferenceOr<RequestBody>,
) -> Result<(Option<String>, &'a RequestBody), Diagnostic> {
    resolve(
        item,
        "requestBodies",
        document.components.as_ref().map(|c| &c.request_bodies),
    )
}

pub(super) fn resolve_response<'a>(
    document: &'a OpenAPI,
    item: &'a ReferenceOr<Response>,
) -> Result<(Option<String>, &'a Response), Diagnostic> {
    resolve(
        item,
        "responses",
        document.components.as_ref().map(|c| &c.responses),
    )
}

/// Follows `reference` (and refs to refs) to a header; returns its pointer too.
pub(super) fn resolve_header<'a>(
    document: &'a OpenAPI,
    item: &'a ReferenceOr<openapiv3::Header>,
) -> Result<(Option<String>, &'a openapiv3::Header), Diagnostic> {
    resolve(
        item,
        "headers",
        document.components.as_ref().map(|c| &c.headers),
    )
}

/// The component a reference names (`#/components/schemas/a~1b` in `schemas` -> `a/b`),
/// if it names one of `section`'s directly.
pub(super) fn component_name(reference: &str, section: &str) -> Option<String> {
    let name = reference
        .strip_prefix("#/components/")?
        .strip_prefix(section)?
        .strip_prefix('/')?;
    (!name.contains('/')).then(|| name.replace("~1", "/").replace("~0", "~"))
}

/// Follows up to 32 hops of `$ref` within one component section.
fn resolve<'a, T>(
    mut item: &'a ReferenceOr<T>,
    section: &str,
    components: Option<&'a IndexMap<String, ReferenceOr<T>>>,
) -> Result<(Option<String>, &'a T), Diagnostic> {
    let prefix = format!("#/components/{section}/");
    let mut origin = None;
    for _ in 0..32 {
        match item {
            ReferenceOr::Item(value) => return Ok((origin, value)),
            ReferenceOr::Reference { reference } => {
                let Some(name) = component_name(reference, section) else {
                    return Err(Diagnostic::error(
                        String::new(),
                        format!("$ref `{reference}` must point into `#/components/{section}`"),
                    ));
                };
                item = components
                    .and_then(|c| c.get(&name))
                    .ok_or_else(|| dangling(reference, &prefix, &name, components))?;
                origin = Some(reference.clone());
            }
        }
    }
    Err(Diagnostic::error(
        String::new(),
        format!(
            "$ref chain through `{}` is too long or circular",
            origin.unwrap_or_default()
        ),
    ))
}

/// The error for a `$ref` to a missing component, with a "did you mean" hint.
pub(super) fn dangling<T>(
    reference: &str,
    prefix: &str,
    name: &str,
    components: Option<&IndexMap<String, T>>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(String::new(), format!("$ref `{reference}` does not exist"));
    match components.and_then(|c| closest(name, c.keys())) {
        Some(near) => diagnostic.with_hint(format!("did you mean `{prefix}{near}`?")),
        None => diagnostic,
    }
}

/// The closest of `candidates` to `name`, for "did you mean" hints.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a String>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c.as_str())
}

/// Levenshtein distance over chars; spec names are short, so the O(n*m) table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let names = vec!["IModelList".to_owned(), "Changeset".to_owned()];
        assert_eq!(closest("IModelLst", &names), Some("IModelList"));
        assert_eq!(closest("Unrelated", &names), None);
    }
}
