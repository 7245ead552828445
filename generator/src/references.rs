//! JSON References, made into the forms lowering reads (a pass on the untyped tree).
//!
//! A `$ref` is a URI fragment holding a JSON pointer, percent-encoded in a URI (RFC 6901
//! section 6), and it may point anywhere in the document: into a schema's properties,
//! into keys OpenAPI does not define (`definitions`), at another operation's response.
//! Lowering only knows `#/components/<section>/<name>`, so this pass:
//! - rewrites every local `$ref` to its canonical pointer: percent-decoded, and through
//!   any `$ref` the pointer passes on its way (`#/components/schemas/A/properties/b`
//!   where `A` is itself a `$ref`);
//! - replaces each reference to a response, parameter, request body, header, example or
//!   link outside its own `components` section, and each referenced path item or
//!   callback (openapiv3 has no reference form for those), by a copy of its target;
//! - types the schemas that references point at outside `#/components/schemas/<name>`
//!   ([`PointedSchemas`]), which lowering makes into types of their own.
//!
//! A reference that does not resolve is left as written, for lowering to report.

use crate::diagnostics::{pointer, Diagnostic};
use crate::structure::{self, Kind};
use indexmap::IndexMap;
use openapiv3::Schema;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Schemas that `$ref`s point at outside `#/components/schemas/<name>`, by canonical
/// pointer (`#/components/schemas/A/properties/b`). `None` when the target is not a
/// valid schema (a warning says so; lowering uses any JSON for it).
#[derive(Debug, Clone, Default)]
pub struct PointedSchemas {
    pub schemas: IndexMap<String, Option<Schema>>,
}

impl PointedSchemas {
    pub fn get(&self, reference: &str) -> Option<Option<&Schema>> {
        self.schemas.get(reference).map(Option::as_ref)
    }
}

/// Rounds of copying: a copied target can hold references that need copying in turn.
const MAX_ROUNDS: usize = 8;
/// Copies in all; beyond it references stay as written (a runaway self-inclusion).
const MAX_COPIES: usize = 10_000;
/// `$ref`s followed while resolving one pointer.
const MAX_HOPS: usize = 32;

/// Normalises every local reference in `document` (see the module docs).
pub fn normalize(document: &mut Value, warnings: &mut Vec<Diagnostic>) -> PointedSchemas {
    let mut findings = Findings::default();
    let mut copies = 0usize;
    for _ in 0..MAX_ROUNDS {
        let edits = plan(document, &mut findings, copies < MAX_COPIES);
        // Later rounds see the same references again (rewritten); report each place once.
        for error in findings.errors.drain(..) {
            if !warnings.iter().any(|w| w.pointer == error.pointer) {
                warnings.push(error);
            }
        }
        let copying = edits
            .iter()
            .filter(|e| matches!(e, Edit::Copy { .. }))
            .count();
        copies += copying;
        apply(document, edits);
        if copying == 0 {
            break;
        }
    }
    let mut schemas = IndexMap::new();
    for target in findings.pointed {
        if findings.mismatched.contains(&target) {
            schemas.insert(target, None);
            continue;
        }
        let value = document.pointer(target.trim_start_matches('#'));
        let typed = match value.map(<Schema as serde::Deserialize>::deserialize) {
            Some(Ok(schema)) => Some(schema),
            Some(Err(err)) => {
                warnings.push(Diagnostic::warning(
                    target.clone(),
                    format!(
                        "`$ref`s point here, but this is not a valid schema ({err}); using serde_json::Value"
                    ),
                ));
                None
            }
            None => None,
        };
        schemas.insert(target, typed);
    }
    PointedSchemas { schemas }
}

/// A change to make at a reference's location (pointer segments).
enum Edit {
    /// Set the `$ref` to this canonical pointer.
    Rewrite { at: Vec<String>, reference: String },
    /// Replace the reference object by a copy of this value.
    Copy { at: Vec<String>, value: Value },
}

/// What planning found besides the edits.
#[derive(Default)]
struct Findings {
    /// Schema targets outside the components, in document order.
    pointed: Vec<String>,
    /// Those of them that are another kind of object (already an error).
    mismatched: HashSet<String>,
    errors: Vec<Diagnostic>,
}

fn plan(document: &Value, findings: &mut Findings, may_copy: bool) -> Vec<Edit> {
    let Findings {
        pointed,
        mismatched,
        errors,
    } = findings;
    let mut found: Vec<(Kind, Vec<String>, String)> = Vec::new();
    structure::walk(document, &mut |kind, at, value| {
        if let Some(Value::String(reference)) = value.get("$ref") {
            found.push((kind, at.to_vec(), reference.clone()));
        }
    });
    let targets: Vec<Option<Vec<String>>> = found
        .iter()
        .map(|(kind, _, reference)| target_of(document, reference, *kind))
        .collect();
    let kinds = kinds_at(document, targets.iter().flatten());
    let mut edits = Vec::new();
    for ((kind, at, reference), target) in found.into_iter().zip(targets) {
        let Some(target) = target else {
            continue;
        };
        if let Some(&found) = kinds.get(&target).filter(|found| **found != kind) {
            let mut diagnostic = Diagnostic::error(
                pointer(&at),
                format!(
                    "`$ref` `{reference}` points at {}, where {} belongs",
                    describe(found),
                    describe(kind)
                ),
            );
            if let Some(section) = kind.section() {
                diagnostic = diagnostic
                    .with_hint(format!("point it at an entry of `#/components/{section}`"));
            }
            errors.push(diagnostic);
            // Lowering reads it as any JSON rather than reporting it again.
            let canonical = pointer(&target);
            if kind == Kind::Schema && !pointed.contains(&canonical) {
                pointed.push(canonical.clone());
                mismatched.insert(canonical.clone());
            }
            if canonical != reference {
                edits.push(Edit::Rewrite {
                    at,
                    reference: canonical,
                });
            }
            continue;
        }
        let in_section = is_component(&target, kind);
        let copy = matches!(kind, Kind::PathItem | Kind::Callback)
            || (!in_section && kind != Kind::Schema);
        if copy {
            if let Some(value) = lookup(document, &target).filter(|_| may_copy) {
                edits.push(Edit::Copy {
                    at,
                    value: value.clone(),
                });
            }
            continue;
        }
        let canonical = pointer(&target);
        if kind == Kind::Schema && !in_section && !pointed.contains(&canonical) {
            pointed.push(canonical.clone());
        }
        if canonical != reference {
            edits.push(Edit::Rewrite {
                at,
                reference: canonical,
            });
        }
    }
    edits
}

fn apply(document: &mut Value, edits: Vec<Edit>) {
    for edit in edits {
        let (at, new) = match edit {
            Edit::Rewrite { at, reference } => {
                let mut object = serde_json::Map::new();
                object.insert("$ref".to_owned(), Value::String(reference));
                (at, Value::Object(object))
            }
            Edit::Copy { at, value } => (at, value),
        };
        let Some(slot) = document.pointer_mut(pointer(&at).trim_start_matches('#')) else {
            continue;
        };
        match (slot, new) {
            // Keep the siblings of a rewritten `$ref` (a 3.0 reader ignores them, but a
            // later pass may read a `description`).
            (Value::Object(existing), Value::Object(mut new)) if new.len() == 1 => {
                if let Some(reference) = new.remove("$ref") {
                    existing.insert("$ref".to_owned(), reference);
                } else {
                    *existing = new;
                }
            }
            (slot, new) => *slot = new,
        }
    }
}

/// Where `reference` leads, as canonical pointer segments, for a reference of `kind`:
/// the pointer decoded and resolved through any `$ref` on the way; a target that is a
/// bare `$ref` outside the kind's own section is followed too.
fn target_of(document: &Value, reference: &str, kind: Kind) -> Option<Vec<String>> {
    let mut target = resolve(document, parse(reference)?, 0)?;
    for _ in 0..MAX_HOPS {
        if is_component(&target, kind) {
            return Some(target);
        }
        match lookup(document, &target).and_then(|v| v.get("$ref")) {
            Some(Value::String(next)) => target = resolve(document, parse(next)?, 0)?,
            _ => return Some(target),
        }
    }
    None
}

/// The kind of object at each of `targets` that sits where the document's structure
/// puts one (a target elsewhere, such as under an `x-` key, has no kind).
fn kinds_at<'t>(
    document: &Value,
    targets: impl Iterator<Item = &'t Vec<String>>,
) -> HashMap<Vec<String>, Kind> {
    let wanted: HashSet<&[String]> = targets.map(Vec::as_slice).collect();
    let mut kinds = HashMap::new();
    if wanted.is_empty() {
        return kinds;
    }
    structure::walk(document, &mut |kind, at, _| {
        if wanted.contains(at) {
            kinds.insert(at.to_vec(), kind);
        }
    });
    kinds
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::PathItem => "a path item",
        Kind::Operation => "an operation",
        Kind::Parameter => "a parameter",
        Kind::RequestBody => "a request body",
        Kind::MediaType => "a media type",
        Kind::Response => "a response",
        Kind::Header => "a header",
        Kind::Schema => "a schema",
        Kind::Example => "an example",
        Kind::Link => "a link",
        Kind::Callback => "a callback",
        Kind::SecurityScheme => "a security scheme",
    }
}

fn is_component(target: &[String], kind: Kind) -> bool {
    matches!(target, [components, section, _]
        if components == "components" && Some(section.as_str()) == kind.section())
}

/// The segments of a local reference (`#/a/b~1c` -> `["a", "b/c"]`), percent-decoded
/// when the text is percent-encoded; `None` for a reference to another document.
fn parse(reference: &str) -> Option<Vec<String>> {
    let fragment = reference.strip_prefix('#')?;
    if fragment.is_empty() {
        return Some(Vec::new());
    }
    let decoded = percent_decode(fragment).unwrap_or_else(|| fragment.to_owned());
    let rest = decoded.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// `%7Bid%7D` -> `{id}`; `None` if the text has no valid escapes or decodes to invalid
/// UTF-8 (then it is taken literally).
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves `segments` to where the value really is, continuing through a `$ref` object
/// that the pointer passes (its target stands for it).
fn resolve(document: &Value, segments: Vec<String>, hops: usize) -> Option<Vec<String>> {
    if hops > MAX_HOPS {
        return None;
    }
    let mut node = document;
    for (index, segment) in segments.iter().enumerate() {
        if let Some(next) = child(node, segment) {
            node = next;
            continue;
        }
        let Some(Value::String(inner)) = node.get("$ref") else {
            return None;
        };
        let mut base = resolve(document, parse(inner)?, hops + 1)?;
        base.extend_from_slice(&segments[index..]);
        return resolve(document, base, hops + 1);
    }
    Some(segments)
}

fn child<'v>(node: &'v Value, segment: &str) -> Option<&'v Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    }
}

fn lookup<'v>(document: &'v Value, segments: &[String]) -> Option<&'v Value> {
    segments
        .iter()
        .try_fold(document, |node, segment| child(node, segment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn normalized(mut document: Value) -> (Value, PointedSchemas, Vec<Diagnostic>) {
        let mut warnings = Vec::new();
        let pointed = normalize(&mut document, &mut warnings);
        (document, pointed, warnings)
    }

    #[test]
    fn percent_encoded_pointers_are_decoded() {
        let (document, pointed, _) = normalized(json!({
            "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"b": {"type": "string"}}}}}}}}}},
            "components": {"schemas": {"X": {
                "$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200/content/application~1json/schema/properties/b"
            }}}
        }));
        let expected =
            "#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/properties/b";
        assert_eq!(document["components"]["schemas"]["X"]["$ref"], expected);
        assert!(pointed.get(expected).is_some_and(|s| s.is_some()));
    }

    #[test]
    fn pointers_continue_through_references_and_into_unknown_keys() {
        let (document, pointed, _) = normalized(json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"definitions": {"c": {"type": "integer"}}},
                "D": {"type": "object", "properties": {
                    "e": {"$ref": "#/components/schemas/A/definitions/c"}
                }}
            }}
        }));
        let expected = "#/components/schemas/B/definitions/c";
        assert_eq!(
            document["components"]["schemas"]["D"]["properties"]["e"]["$ref"],
            expected
        );
        assert_eq!(pointed.schemas.keys().collect::<Vec<_>>(), [expected]);
    }

    #[test]
    fn references_to_other_operations_responses_become_copies() {
        let (document, _, _) = normalized(json!({
            "paths": {
                "/a": {"get": {"responses": {"401": {"description": "no"}}}},
                "/b": {"get": {"responses": {"401": {"$ref": "#/paths/~1a/get/responses/401"}}}}
            }
        }));
        assert_eq!(
            document["paths"]["/b"]["get"]["responses"]["401"],
            json!({"description": "no"})
        );
    }

    #[test]
    fn referenced_callbacks_and_path_items_become_copies() {
        let (document, _, _) = normalized(json!({
            "paths": {
                "/a": {"post": {"callbacks": {"done": {"$ref": "#/components/callbacks/Done"}},
                    "responses": {}}},
                "/b": {"$ref": "#/paths/~1a"}
            },
            "components": {"callbacks": {"Done": {"{$url}": {"post": {"responses": {}}}}}}
        }));
        assert_eq!(
            document["paths"]["/a"]["post"]["callbacks"]["done"],
            json!({"{$url}": {"post": {"responses": {}}}})
        );
        assert_eq!(document["paths"]["/b"], document["paths"]["/a"]);
    }

    #[test]
    fn component_references_and_dangling_ones_stay_as_written() {
        let original = json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"$ref": "#/components/responses/Ok"},
                "404": {"$ref": "#/components/responses/Missing"}
            }}}},
            "components": {"responses": {"Ok": {"description": "ok"}},
                "schemas": {"S": {"$ref": "#/components/schemas/Nope"}}}
        });
        let (document, pointed, warnings) = normalized(original.clone());
        assert_eq!(document, original);
        assert!(pointed.schemas.is_empty());
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_reference_to_the_wrong_kind_of_object_is_an_error() {
        let (_, pointed, diagnostics) = normalized(json!({
            "paths": {"/a": {"get": {"responses": {
                "400": {"$ref": "#/components/schemas/BadRequest"}
            }}}},
            "components": {"schemas": {
                "BadRequest": {"type": "object"},
                "S": {"$ref": "#/components/responses/Status"}
            }, "responses": {"Status": {"description": "ok"}}}
        }));
        let messages: Vec<(&str, &str)> = diagnostics
            .iter()
            .map(|d| (d.pointer.as_str(), d.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "#/paths/~1a/get/responses/400",
                    "`$ref` `#/components/schemas/BadRequest` points at a schema, where a response belongs"
                ),
                (
                    "#/components/schemas/S",
                    "`$ref` `#/components/responses/Status` points at a response, where a schema belongs"
                ),
            ]
        );
        assert!(diagnostics
            .iter()
            .all(|d| d.severity == crate::Severity::Error));
        // Lowering reads the mismatched target as any JSON instead of reporting it again.
        assert_eq!(pointed.get("#/components/responses/Status"), Some(None));
    }

    #[test]
    fn self_including_references_stop() {
        let (document, _, _) = normalized(json!({
            "paths": {"/a": {"$ref": "#/paths/~1a"}}
        }));
        assert_eq!(document["paths"]["/a"], json!({"$ref": "#/paths/~1a"}));
    }

    #[test]
    fn a_target_that_is_not_a_schema_is_a_warning() {
        let (_, pointed, warnings) = normalized(json!({
            "info": {"title": "t"},
            "components": {"schemas": {"S": {"$ref": "#/info/title"}}}
        }));
        assert_eq!(pointed.get("#/info/title"), Some(None));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pointer, "#/info/title");
    }
}
