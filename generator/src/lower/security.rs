//! `components.securitySchemes` -> [`SecurityScheme`]s, and each operation's
//! `security` (or else the document's) -> the requirement it sends.
//!
//! The rules (OpenAPI 3.0.3/3.1.1, Security Requirement Object): an operation's
//! `security` replaces the document's; `[]` removes security; the list's entries
//! are alternatives (any one satisfies), the schemes within one entry all apply.
//! A document with no requirement anywhere (schemes alone ask nothing of an
//! operation) keeps the client's token on every request, as clients always did;
//! one with any requirement leaves operations without one with none, so a
//! credential never goes to an operation that does not ask for it.

use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{ParamLocation, SchemeKind, SecurityScheme};
use crate::naming::{Naming, Scope};
use crate::source::normalize::MUTUAL_TLS_MARKER;
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityRequirement};

/// The document's schemes, in spec order, each with its constant's name.
pub(super) fn schemes(
    document: &OpenAPI,
    naming: &Naming,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<SecurityScheme> {
    let Some(components) = &document.components else {
        return Vec::new();
    };
    let mut names = Scope::new();
    let mut schemes = Vec::new();
    for (key, scheme) in &components.security_schemes {
        let origin = pointer(["components", "securitySchemes", key.as_str()]);
        let scheme = match super::refs::resolve_security_scheme(document, scheme) {
            Ok((_, scheme)) => scheme,
            Err(problem) => {
                // Only the operations naming it lose it: a warning, not an error.
                let mut problem = Diagnostic::warning(origin, problem.message);
                problem.hint = Some("this scheme is skipped; fix the $ref".to_owned());
                diagnostics.push(problem);
                continue;
            }
        };
        let (kind, description) = kind(scheme);
        let rust_name = names.claim(&naming.const_name(key));
        schemes.push(SecurityScheme {
            origin,
            wire_name: key.clone(),
            rust_name,
            kind,
            description: description.clone(),
        });
    }
    schemes
}

fn kind(scheme: &openapiv3::SecurityScheme) -> (SchemeKind, &Option<String>) {
    use openapiv3::SecurityScheme as S;
    match scheme {
        S::APIKey {
            location,
            name,
            description,
            ..
        } => {
            let location = match location {
                APIKeyLocation::Query => ParamLocation::Query,
                APIKeyLocation::Header => ParamLocation::Header,
                APIKeyLocation::Cookie => ParamLocation::Cookie,
            };
            let name = name.clone();
            (SchemeKind::ApiKey { location, name }, description)
        }
        // RFC 9110: scheme names are case-insensitive.
        S::HTTP {
            scheme,
            bearer_format,
            description,
            ..
        } => match scheme.to_ascii_lowercase().as_str() {
            "bearer" => (
                SchemeKind::Bearer {
                    format: bearer_format.clone(),
                },
                description,
            ),
            "basic" => (SchemeKind::Basic, description),
            // What `load` turns a 3.1 `type: mutualTLS` into (openapiv3 has no such type).
            MUTUAL_TLS_MARKER => (SchemeKind::MutualTls, description),
            _ => (
                SchemeKind::Http {
                    scheme: scheme.clone(),
                },
                description,
            ),
        },
        S::OAuth2 { description, .. } => (SchemeKind::OAuth2, description),
        S::OpenIDConnect {
            open_id_connect_url,
            description,
            ..
        } => (
            SchemeKind::OpenIdConnect {
                url: open_id_connect_url.clone(),
            },
            description,
        ),
    }
}

/// The requirement `operation` sends: its own `security`, else the document's; see
/// the module docs. Schemes the document does not declare are warnings, and an
/// alternative naming one is dropped (it could never be satisfied).
pub(super) fn requirement(
    document: &OpenAPI,
    any_requirement: bool,
    operation: &openapiv3::Operation,
    origin: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Vec<String>>> {
    let (declared, at) = match (&operation.security, &document.security) {
        (Some(own), _) => (own, format!("{origin}/security")),
        (None, Some(global)) => (global, "#/security".to_owned()),
        (None, None) if any_requirement => return Some(Vec::new()),
        (None, None) => return None,
    };
    let mut alternatives = Vec::new();
    for (index, alternative) in declared.iter().enumerate() {
        if let Some(keys) = resolve(alternative, document, &format!("{at}/{index}"), diagnostics) {
            alternatives.push(keys);
        }
    }
    Some(alternatives)
}

/// The requirement a link the API returned is followed with
/// (`Client::get_link`): the document's `security`, as for an operation without
/// its own, since a link names no operation. Its warnings are the operations'
/// (`#/security`), added once.
pub(super) fn link_requirement(
    document: &OpenAPI,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Vec<String>>> {
    let mut found = Vec::new();
    let requirement = requirement(
        document,
        any_requirement(document),
        &openapiv3::Operation::default(),
        "#",
        &mut found,
    );
    for diagnostic in found {
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }
    requirement
}

/// One alternative's scheme keys, in spec order; `None` if it names a scheme the
/// document does not declare (warned about at the name).
fn resolve(
    alternative: &SecurityRequirement,
    document: &OpenAPI,
    at: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    let declared = |key: &str| {
        document
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(key))
            .is_some_and(|scheme| super::refs::resolve_security_scheme(document, scheme).is_ok())
    };
    let mut keys = Vec::new();
    let mut complete = true;
    for key in alternative.keys() {
        if declared(key) {
            keys.push(key.clone());
        } else {
            complete = false;
            diagnostics.push(
                Diagnostic::warning(
                    format!("{at}/{}", crate::diagnostics::pointer::escape(key)),
                    format!(
                        "security requirement names `{key}`, which `components.securitySchemes` does not declare; this alternative is never sent"
                    ),
                )
                .with_hint("declare the scheme, or fix the name"),
            );
        }
    }
    complete.then_some(keys)
}

/// Whether the document has a security requirement anywhere: on the document or
/// on any operation (the `any_requirement` of [`requirement`]).
pub(super) fn any_requirement(document: &OpenAPI) -> bool {
    let on_operations = document
        .paths
        .paths
        .values()
        .filter_map(ReferenceOr::as_item)
        .flat_map(|item| item.iter())
        .any(|(_, op)| op.security.is_some());
    document.security.is_some() || on_operations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(yaml: &str) -> OpenAPI {
        serde_yaml::from_str(yaml).expect("a valid document")
    }

    const DOC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{bearer: []}]
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
    put: {security: [], responses: {"200": {description: ok}}}
    post: {security: [{key: [], basic: []}, {missing: []}, {}], responses: {"200": {description: ok}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: Bearer}
    basic: {type: http, scheme: basic}
    key: {type: apiKey, in: query, name: api-key}
    digest: {type: http, scheme: Digest}
    oauth: {type: oauth2, flows: {}}
    alias: {$ref: '#/components/securitySchemes/basic'}
    broken: {$ref: '#/components/securitySchemes/nothing'}
"#;

    #[test]
    fn operation_security_overrides_the_documents_and_unknown_schemes_warn() {
        let document = document(DOC);
        let mut diagnostics = Vec::new();
        let schemes = schemes(
            &document,
            &Naming::new(Vec::<String>::new()),
            &mut diagnostics,
        );
        let kinds: Vec<_> = schemes
            .iter()
            .map(|s| (s.rust_name.as_str(), &s.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("BEARER", &SchemeKind::Bearer { format: None }),
                ("BASIC", &SchemeKind::Basic),
                (
                    "KEY",
                    &SchemeKind::ApiKey {
                        location: ParamLocation::Query,
                        name: "api-key".to_owned()
                    }
                ),
                (
                    "DIGEST",
                    &SchemeKind::Http {
                        scheme: "Digest".to_owned()
                    }
                ),
                ("OAUTH", &SchemeKind::OAuth2),
                ("ALIAS", &SchemeKind::Basic),
            ]
        );
        let item = document.paths.paths["/a"].as_item().expect("item");
        let keys = |alternatives: &[&[&str]]| -> Option<Vec<Vec<String>>> {
            Some(
                alternatives
                    .iter()
                    .map(|a| a.iter().map(|k| (*k).to_owned()).collect())
                    .collect(),
            )
        };
        // (operation, expected requirement)
        let cases = [
            (item.get.as_ref(), keys(&[&["bearer"]])),
            (item.put.as_ref(), keys(&[])),
            (item.post.as_ref(), keys(&[&["key", "basic"], &[]])),
        ];
        for (operation, expected) in cases {
            let operation = operation.expect("declared");
            let found = requirement(
                &document,
                true,
                operation,
                "#/paths/~1a/x",
                &mut diagnostics,
            );
            assert_eq!(found, expected);
        }
        let pointers: Vec<_> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/components/securitySchemes/broken",
                "#/paths/~1a/x/security/1/missing"
            ]
        );
    }

    #[test]
    fn documents_without_requirements_keep_the_clients_token() {
        let plain = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n";
        let schemes_only = format!(
            "{plain}components:\n  securitySchemes:\n    b: {{type: http, scheme: bearer}}\n"
        );
        let elsewhere = plain.replace(
            "/a:\n",
            "/b:\n    get: {security: [], responses: {'200': {description: ok}}}\n  /a:\n",
        );
        // (document, what `GET /a` sends: None is the client's token)
        let cases = [
            (plain.to_owned(), None),
            (schemes_only, None),
            (elsewhere, Some(Vec::new())),
        ];
        for (text, expected) in cases {
            let document = document(&text);
            let op = document.paths.paths["/a"]
                .as_item()
                .and_then(|i| i.get.as_ref())
                .expect("op");
            let any = any_requirement(&document);
            assert_eq!(
                requirement(&document, any, op, "#", &mut Vec::new()),
                expected,
                "{text}"
            );
        }
    }
}
