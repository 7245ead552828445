//! `servers` (document, path item, operation) -> [`Server`]s with their variables.
//!
//! A server's default URL is its template with every variable replaced by its
//! default. The document's first server with that substitution is the client's
//! default base URL, and its variables become the settings of the generated
//! `servers::Server` (an enum for a variable with `enum`, a string otherwise). An
//! operation's own servers (its `servers`, else its path item's) send that
//! operation to its first one, unless the caller chose a base URL.
//!
//! An operation's server with variables is typed too: a module of the generated
//! `servers` (named after the path for a path item's servers, after the
//! operation for its own) holds its `Server`, which a caller sets on the client
//! (`ClientBuilder::server`) to send those operations to other values; operations
//! sharing a path item's server share its module.
//!
//! A default that its `enum` does not list, and a `{name}` in a URL that no
//! variable declares (left in the URL as written), are located warnings (a
//! variable without a `default` is one too, repaired in `crate::source::lenient`).

use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{Operation, Server, ServerChoices, ServerVariable, Variant};
use crate::naming::{Naming, Scope};

/// Names the generated `servers` module takes for itself.
const MODULE_NAMES: &[&str] = &["Server"];

/// `servers` found at the JSON pointer `at` (`#/servers`, or an operation's).
pub(super) fn lower(
    servers: &[openapiv3::Server],
    at: &str,
    naming: &Naming,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Server> {
    // One scope for the enums of every server at this place: they share a module.
    let mut enum_names = Scope::with_reserved(MODULE_NAMES);
    servers
        .iter()
        .enumerate()
        .map(|(index, server)| {
            let origin = format!("{at}/{index}");
            lower_one(server, origin, naming, &mut enum_names, diagnostics)
        })
        .collect()
}

fn lower_one(
    server: &openapiv3::Server,
    origin: String,
    naming: &Naming,
    enum_names: &mut Scope,
    diagnostics: &mut Vec<Diagnostic>,
) -> Server {
    let mut setters = Scope::with_reserved(&["url", "new", "default"]);
    let mut variables = Vec::new();
    for (name, variable) in server.variables.iter().flatten() {
        let at = format!(
            "{origin}/variables/{}",
            pointer([name.as_str()]).trim_start_matches("#/")
        );
        let choices = (!variable.enumeration.is_empty()).then(|| {
            let mut names = Scope::new();
            let variants: Vec<Variant> = variable
                .enumeration
                .iter()
                .map(|value| Variant {
                    wire_value: value.clone(),
                    rust_name: names.claim(&naming.type_name(value)),
                })
                .collect();
            let default_variant = match variants.iter().find(|v| v.wire_value == variable.default) {
                Some(found) => found.rust_name.clone(),
                None => {
                    push_once(
                        diagnostics,
                        Diagnostic::warning(
                            format!("{at}/default"),
                            format!(
                                "the default `{}` of server variable `{name}` is not one of its `enum` values; the URL uses it as written, and the typed setting starts at the first value",
                                variable.default
                            ),
                        )
                        .with_hint("add the default to `enum`, or pick one of its values"),
                    );
                    variants[0].rust_name.clone()
                }
            };
            ServerChoices {
                enum_name: enum_names.claim(&naming.type_name(name)),
                variants,
                default_variant,
            }
        });
        variables.push(ServerVariable {
            wire_name: name.clone(),
            rust_name: setters.claim(&naming.value_name(name)),
            default: variable.default.clone(),
            choices,
            description: variable.description.clone(),
        });
    }
    for undeclared in placeholders(&server.url)
        .into_iter()
        .filter(|name| !variables.iter().any(|v| v.wire_name == *name))
    {
        push_once(
            diagnostics,
            Diagnostic::warning(
                format!("{origin}/url"),
                format!("server URL `{}` names `{{{undeclared}}}`, which its `variables` do not declare; it stays in the URL as written", server.url),
            )
            .with_hint(format!("declare `{undeclared}` under `variables` with a `default`")),
        );
    }
    Server {
        default_url: substitute(&server.url, &variables),
        url: server.url.clone(),
        origin,
        description: server.description.clone(),
        variables,
        module: None,
    }
}

/// Names the module of each operation's first server that has variables: the
/// path's (`/files` -> `files`) for a path item's server, the operation's method
/// name for its own; one per server, however many operations it takes.
pub(super) fn name_modules(operations: &mut [Operation], naming: &Naming) {
    let mut names = Scope::new();
    let mut named: Vec<(String, String)> = Vec::new();
    for op in operations {
        let own = format!("{}/servers/", op.origin);
        let Some(server) = op.servers.first_mut().filter(|s| !s.variables.is_empty()) else {
            continue;
        };
        let module = match named.iter().find(|(origin, _)| *origin == server.origin) {
            Some((_, module)) => module.clone(),
            None => {
                let wanted = if server.origin.starts_with(&own) {
                    op.rust_name.clone()
                } else {
                    naming.value_name(&op.path_template)
                };
                let wanted = if !wanted.chars().any(|c| c.is_ascii_alphanumeric()) {
                    "root".to_owned()
                } else {
                    wanted
                };
                let module = names.claim(&wanted);
                named.push((server.origin.clone(), module.clone()));
                module
            }
        };
        server.module = Some(module);
    }
}

/// Adds `diagnostic` unless it is there already: a path item's servers are
/// lowered once for each of its operations.
fn push_once(diagnostics: &mut Vec<Diagnostic>, diagnostic: Diagnostic) {
    if !diagnostics.contains(&diagnostic) {
        diagnostics.push(diagnostic);
    }
}

/// The names inside `{...}` in a URL template, in order.
fn placeholders(url: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 1..start + length]);
        rest = &rest[start + length + 1..];
    }
    names
}

/// `url` with each declared variable replaced by its default.
fn substitute(url: &str, variables: &[ServerVariable]) -> String {
    variables.iter().fold(url.to_owned(), |url, variable| {
        url.replace(&format!("{{{}}}", variable.wire_name), &variable.default)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_substituted_and_problems_are_located() {
        let servers: Vec<openapiv3::Server> = serde_yaml::from_str(
            r#"
- url: "https://{name}.example.com:{port}/{basePath}"
  variables:
    name: {default: demo}
    port: {enum: ["8443", "443"], default: "8443"}
    basePath: {default: v2}
- url: "https://{region}.example.com/{missing}"
  variables:
    region: {enum: [eu, us], default: asia}
"#,
        )
        .expect("servers");
        let mut diagnostics = Vec::new();
        let lowered = lower(
            &servers,
            "#/servers",
            &Naming::new(Vec::<String>::new()),
            &mut diagnostics,
        );
        // (default URL, setters, enum names)
        let expected = [
            (
                "https://demo.example.com:8443/v2",
                vec!["name", "port", "base_path"],
                vec!["Port"],
            ),
            (
                "https://asia.example.com/{missing}",
                vec!["region"],
                vec!["Region"],
            ),
        ];
        for (server, (url, setters, enums)) in lowered.iter().zip(expected) {
            assert_eq!(server.default_url, url);
            let names: Vec<_> = server
                .variables
                .iter()
                .map(|v| v.rust_name.as_str())
                .collect();
            assert_eq!(names, setters);
            let found: Vec<_> = server
                .variables
                .iter()
                .filter_map(|v| v.choices.as_ref().map(|c| c.enum_name.as_str()))
                .collect();
            assert_eq!(found, enums);
        }
        let pointers: Vec<_> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["#/servers/1/variables/region/default", "#/servers/1/url"]
        );
    }
}
