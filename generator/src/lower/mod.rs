//! Stage 2: typed document -> IR. Every naming and typing decision is made here (with
//! the help of [`crate::naming`]); the emitter only spells out what the IR says.

mod aliases;
mod bodies;
mod dedupe;
mod dependencies;
mod envelope;
mod error_bodies;
mod events;
mod links;
mod long_names;
mod long_running;
mod operations;
mod pagination;
mod params;
mod public_names;
mod refs;
mod response_headers;
mod security;
mod servers;
mod types;
mod unused;

pub use unused::gate_unused_schemas;

use crate::diagnostics::Diagnostic;
use crate::ir::{Api, TypeRef};
use crate::naming::Naming;
use crate::source::references::PointedSchemas;
use openapiv3::OpenAPI;

/// Lowers a document. Problems that stop generation are errors; anything with a
/// fallback is a warning. Both come back in `diagnostics`.
pub fn lower(
    document: &OpenAPI,
    pointed: &PointedSchemas,
    naming: &Naming,
    diagnostics: &mut Vec<Diagnostic>,
) -> Api {
    let mut types = types::TypeLowering::new(document, pointed, naming);
    let operations = operations::lower_operations(document, naming, &mut types);
    let mut event_diagnostics = Vec::new();
    let events = events::lower_events(
        document,
        &operations.0,
        naming,
        &mut types,
        &mut event_diagnostics,
    );
    let error_body = error_body(document, &types);
    let (types, type_diagnostics) = types.finish();
    diagnostics.extend(type_diagnostics);
    let (operations, operation_diagnostics) = operations;
    diagnostics.extend(operation_diagnostics);
    diagnostics.extend(event_diagnostics);
    let security_schemes = security::schemes(document, naming, diagnostics);
    let servers = servers::lower(&document.servers, "#/servers", naming, diagnostics);
    let link_security = security::link_requirement(document, diagnostics);
    let mut api = Api {
        title: document.info.title.clone(),
        version: document.info.version.clone(),
        description: document.info.description.clone(),
        words: Vec::new(),
        default_base_url: servers.first().map(|s| s.default_url.clone()),
        error_body,
        operations,
        types,
        security_schemes,
        servers,
        link_security,
        events,
        dependencies: Vec::new(),
    };
    dedupe::merge_identical_types(&mut api.types);
    // After merging, which turns types into aliases that other aliases may name.
    aliases::collapse_alias_chains(&mut api.types);
    aliases::drop_inline_aliases(&mut api);
    // After merging, which can route a loop through an alias.
    types::box_cycles(&mut api.types);
    links::mark(&mut api.types);
    diagnostics.extend(params::resolve(&mut api.operations, &api.types));
    // Before pagination, which pages only what is not an envelope.
    diagnostics.extend(envelope::resolve(&mut api.operations, &api.types));
    diagnostics.extend(pagination::detect(
        document,
        &mut api.operations,
        &api.types,
    ));
    diagnostics.extend(long_running::detect(document, &mut api.operations));
    diagnostics.extend(long_names::capped_names(&api, naming));
    servers::name_modules(&mut api.operations, naming);
    error_bodies::resolve(&mut api);
    diagnostics.extend(public_names::allocate(&mut api));
    // Last: from the types as they are emitted.
    api.dependencies = dependencies::of(&api);
    api
}

/// Every operation that carries the extension `name`: its JSON pointer and the
/// extension's value, in document order.
fn operation_extensions(document: &OpenAPI, name: &str) -> Vec<(String, serde_json::Value)> {
    document
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| match item {
            openapiv3::ReferenceOr::Item(item) => Some((path, item)),
            openapiv3::ReferenceOr::Reference { .. } => None,
        })
        .flat_map(|(path, item)| {
            item.iter().filter_map(move |(method, op)| {
                let value = op.extensions.get(name)?;
                let origin = crate::diagnostics::pointer(["paths", path.as_str(), method]);
                Some((origin, value.clone()))
            })
        })
        .collect()
}

/// The type non-2xx answers are parsed as: the component schema that the document's
/// non-2xx or `default` responses reference (first in spec order); failing that, a
/// component schema named `Error`; failing that, any JSON.
fn error_body(document: &OpenAPI, types: &types::TypeLowering<'_>) -> TypeRef {
    error_body_component(document)
        .and_then(|name| types.component_type(&name))
        .unwrap_or(TypeRef::Json)
}

/// The component schema [`error_body`] picks, by its name in the document.
fn error_body_component(document: &OpenAPI) -> Option<String> {
    let has = |name: &str| {
        document
            .components
            .as_ref()
            .is_some_and(|c| c.schemas.contains_key(name))
    };
    let referenced = document
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(|item| item.iter().map(|(_, op)| op))
        .flat_map(|op| {
            let failures = op
                .responses
                .responses
                .iter()
                .filter(|(status, _)| match status {
                    openapiv3::StatusCode::Code(code) => *code >= 300,
                    openapiv3::StatusCode::Range(digit) => *digit >= 3,
                })
                .map(|(_, response)| response);
            failures.chain(op.responses.default.iter())
        })
        .filter_map(|response| refs::resolve_response(document, response).ok())
        .flat_map(|(_, response)| response.content.values())
        .filter_map(|media| match &media.schema {
            Some(openapiv3::ReferenceOr::Reference { reference }) => {
                refs::component_name(reference, "schemas")
            }
            _ => None,
        })
        .find(|name| has(name));
    referenced.or_else(|| has("Error").then(|| "Error".to_owned()))
}
