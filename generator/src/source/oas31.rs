//! What OpenAPI 3.1 allows beyond the schema keywords [`crate::source::normalize`] rewrites,
//! made into the 3.0 shape the rest of the loader reads (3.1 documents only):
//!
//! - an operation without `responses` (optional in 3.1) gets `responses: {}`: its
//!   method returns the raw response, as an operation whose responses declare no
//!   schema does;
//! - a Reference Object (to a response, parameter, path item...) with a sibling
//!   `summary` or `description` stands for a copy of its target with those fields
//!   replaced, as 3.1 says; a reference that is not a schema's has no other siblings;
//! - `jsonSchemaDialect` other than the OAS 3.1 one is a located warning: schemas are
//!   read as the OAS dialect whatever it says.
//!
//! `components/pathItems` and `$ref`s to them, and `$defs` inside schemas, need nothing
//! here: [`crate::source::references`] copies referenced path items and types schemas that
//! references point at anywhere.

use crate::diagnostics::{pointer, Diagnostic};
use crate::source::structure::{self, Kind};
use serde_json::Value;

/// The dialect OpenAPI 3.1 schemas use when the document names none.
pub(crate) const OAS_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// The 3.1 rewrites of the module docs, on the untyped tree, before references.
pub(crate) fn normalize(document: &mut Value) {
    optional_responses(document);
    reference_overrides(document);
}

/// A warning when the document names a `jsonSchemaDialect` other than [`OAS_DIALECT`].
pub(crate) fn dialect(document: &Value) -> Option<Diagnostic> {
    let dialect = document.get("jsonSchemaDialect")?;
    if dialect.as_str() == Some(OAS_DIALECT) {
        return None;
    }
    Some(
        Diagnostic::warning(
            "#/jsonSchemaDialect",
            format!(
                "schemas are read as OpenAPI 3.1's own dialect (`{OAS_DIALECT}`), not as {dialect}: keywords that mean something else there are read with their OpenAPI meaning"
            ),
        )
        .with_hint(format!(
            "remove `jsonSchemaDialect`, or set it to `{OAS_DIALECT}`"
        )),
    )
}

/// The extension the loader keeps a 3.1 document's `webhooks` under.
pub(crate) const WEBHOOKS: &str = "x-openapi-client-webhooks";

/// Moves `webhooks` to [`WEBHOOKS`], where `openapiv3` keeps it for
/// lowering (`lower::events`); after references, which follow `webhooks` as written.
pub(crate) fn keep_webhooks(document: &mut Value) {
    if let Value::Object(map) = document {
        if let Some(webhooks) = map.remove("webhooks") {
            map.insert(WEBHOOKS.to_owned(), webhooks);
        }
    }
}

/// Each operation without `responses` gets an empty one.
fn optional_responses(document: &mut Value) {
    let mut missing = Vec::new();
    structure::walk(document, &mut |kind, at, value| {
        if kind == Kind::Operation
            && value.get("responses").is_none()
            && value.get("$ref").is_none()
        {
            missing.push(at.to_vec());
        }
    });
    for at in missing {
        if let Some(Value::Object(operation)) = document.pointer_mut(&slash(&at)) {
            operation.insert("responses".to_owned(), Value::Object(Default::default()));
        }
    }
}

/// Fields a reference's sibling may replace in its target, by the target's kind.
fn overridable(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::PathItem | Kind::Example => &["summary", "description"],
        Kind::Parameter
        | Kind::RequestBody
        | Kind::Response
        | Kind::Header
        | Kind::Link
        | Kind::SecurityScheme => &["description"],
        Kind::Schema | Kind::Operation | Kind::MediaType | Kind::Callback => &[],
    }
}

/// Rounds of [`reference_overrides_once`]: a copy may hold references with siblings
/// of its own (a path item's parameter), replaced in the next round.
const OVERRIDE_ROUNDS: usize = 8;

/// Reference Objects with `summary`/`description` siblings -> copies of their targets
/// with the siblings' values.
fn reference_overrides(document: &mut Value) {
    for _ in 0..OVERRIDE_ROUNDS {
        if !reference_overrides_once(document) {
            break;
        }
    }
}

/// One round of [`reference_overrides`]; whether it replaced anything.
fn reference_overrides_once(document: &mut Value) -> bool {
    let mut found: Vec<(Vec<String>, Value)> = Vec::new();
    structure::walk(document, &mut |kind, at, value| {
        let Some(Value::String(reference)) = value.get("$ref") else {
            return;
        };
        let fields = overridable(kind);
        if !fields.iter().any(|field| value.get(field).is_some()) {
            return;
        }
        let Some(Value::Object(target)) = crate::source::references::follow(document, reference)
        else {
            return; // Left for the references pass to report.
        };
        let mut copy = target.clone();
        for field in fields {
            if let Some(sibling) = value.get(field) {
                copy.insert((*field).to_owned(), sibling.clone());
            }
        }
        found.push((at.to_vec(), Value::Object(copy)));
    });
    // Parents before children: a copy made at a parent is replaced whole, and a child's
    // pointer may no longer lead anywhere (then it is skipped).
    let mut replaced = false;
    for (at, copy) in found {
        if let Some(slot) = document.pointer_mut(&slash(&at)) {
            if slot.get("$ref").is_some() {
                *slot = copy;
                replaced = true;
            }
        }
    }
    replaced
}

fn slash(segments: &[String]) -> String {
    pointer(segments).trim_start_matches('#').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_without_responses_get_an_empty_one() {
        let mut document = json!({
            "paths": {"/a": {"get": {}, "post": {"responses": {"200": {"description": "ok"}}}}},
            "webhooks": {"ping": {"post": {}}},
            "components": {"pathItems": {"P": {"put": {}}}}
        });
        normalize(&mut document);
        assert_eq!(document["paths"]["/a"]["get"]["responses"], json!({}));
        assert_eq!(
            document["paths"]["/a"]["post"]["responses"]["200"]["description"],
            "ok"
        );
        assert_eq!(document["webhooks"]["ping"]["post"]["responses"], json!({}));
        assert_eq!(
            document["components"]["pathItems"]["P"]["put"]["responses"],
            json!({})
        );
    }

    #[test]
    fn reference_siblings_replace_the_targets_fields() {
        let mut document = json!({
            "paths": {
                "/a": {"$ref": "#/components/pathItems/A", "summary": "Mine", "description": "d"},
                "/b": {"get": {
                    "parameters": [{"$ref": "#/components/parameters/Q", "description": "Here"}],
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}}
                }}
            },
            "components": {
                "pathItems": {"A": {"summary": "Theirs", "get": {"responses": {}}}},
                "parameters": {"Q": {"name": "q", "in": "query", "description": "There"}},
                "responses": {"Ok": {"description": "ok"}}
            }
        });
        normalize(&mut document);
        assert_eq!(
            document["paths"]["/a"],
            json!({"summary": "Mine", "description": "d", "get": {"responses": {}}})
        );
        assert_eq!(
            document["paths"]["/b"]["get"]["parameters"][0],
            json!({"name": "q", "in": "query", "description": "Here"})
        );
        // Without siblings a reference stays one.
        assert_eq!(
            document["paths"]["/b"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/Ok"})
        );
    }

    #[test]
    fn a_dialect_other_than_the_oas_one_is_a_warning() {
        assert!(dialect(&json!({"jsonSchemaDialect": OAS_DIALECT})).is_none());
        assert!(dialect(&json!({})).is_none());
        let warning =
            dialect(&json!({"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema"}))
                .expect("a warning");
        assert_eq!(warning.pointer, "#/jsonSchemaDialect");
        assert!(
            warning.message.contains("draft/2020-12"),
            "{}",
            warning.message
        );
    }
}
