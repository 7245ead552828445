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
//! A reference that does not resolve is left as written, for lowering to report; one
//! into another file (`./common.yaml#/X`) is an error here, since only one document is
//! read.
//!
//! Copies can multiply: a callback's path item may refer to callbacks whose path items
//! refer to more, each level ten times the last. What copying may add is budgeted in
//! nodes ([`Budget`]), not in copies, so such a document is refused at the reference
//! that would exceed it, in well under a second, instead of exhausting memory.

// A refused expansion returns one `Diagnostic`, once per run: not worth boxing.
#![allow(clippy::result_large_err)]

use crate::diagnostics::{pointer, Diagnostic};
use crate::source::structure::{self, Kind};
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
/// Nodes copying may add to any document (see [`Budget`]): about 60 MB of tree, far
/// more than a real document's shared path items, callbacks and responses take.
const EXPANSION_FLOOR: usize = 500_000;
/// Nodes copying may add to a big document, per node it has itself: copies of shared
/// objects may make a real document a few times bigger, never this much.
const EXPANSION_FACTOR: usize = 4;
/// `$ref`s followed while resolving one pointer.
const MAX_HOPS: usize = 32;

/// What copying references may add to one document, in nodes: each value, array item,
/// object member and key counts one, and each copy also the segments of the two
/// pointers kept to trace references inside it back to the source. The larger of
/// [`EXPANSION_FLOOR`] and [`EXPANSION_FACTOR`] times the document's own nodes.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// The document's own nodes, before any copy.
    own: usize,
    limit: usize,
    left: usize,
}

impl Budget {
    fn for_document(document: &Value) -> Self {
        let own = nodes(document, usize::MAX);
        let limit = EXPANSION_FLOOR.max(own.saturating_mul(EXPANSION_FACTOR));
        Self {
            own,
            limit,
            left: limit,
        }
    }

    /// Takes `cost` nodes, or says there are not that many left.
    fn take(&mut self, cost: usize) -> bool {
        match self.left.checked_sub(cost) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }

    /// The error for the reference at `at` (as written in the source) whose copy would
    /// exceed the budget.
    fn exceeded(&self, at: &[String], reference: &str) -> Diagnostic {
        Diagnostic::error(
            pointer(at),
            format!(
                "`$ref` `{reference}` is one copy too many: copying what references point at would grow the document by more than {} nodes (it has {} of its own), as the copies hold more references to copy",
                self.limit, self.own
            ),
        )
        .with_hint("references to path items and callbacks are copied (as are responses, parameters and the like referred to outside `components`); make sure the copies do not refer to each other level by level")
    }
}

/// A copy made: in which round, where it was put and what it is a copy of (pointer
/// segments, the latter as the document was before that round), to trace a reference
/// inside a copy back to where it is written.
type Copied = (usize, Vec<String>, Vec<String>);

/// Normalises every local reference in `document` (see the module docs). Fails only
/// when copying would exceed the [`Budget`]; other problems are pushed on `warnings`
/// (some of them errors).
pub(crate) fn normalize(
    document: &mut Value,
    warnings: &mut Vec<Diagnostic>,
) -> Result<PointedSchemas, Diagnostic> {
    let mut findings = Findings::default();
    let mut budget = Budget::for_document(document);
    let mut copies: Vec<Copied> = Vec::new();
    for round in 0..MAX_ROUNDS {
        let (edits, copied) = plan(document, &mut findings, &mut budget, &copies, round)?;
        // Later rounds see the same references again (rewritten); report each place once.
        for error in findings.errors.drain(..) {
            if !warnings.iter().any(|w| w.pointer == error.pointer) {
                warnings.push(error);
            }
        }
        let copying = copied.len();
        copies.extend(copied);
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
    Ok(PointedSchemas { schemas })
}

/// The nodes in `value` (see [`Budget`]); counting stops once past `limit`.
fn nodes(value: &Value, limit: usize) -> usize {
    let mut count = 0usize;
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        count += 1;
        match node {
            Value::Object(members) => {
                count += members.len();
                stack.extend(members.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
        if count > limit {
            break;
        }
    }
    count
}

/// Where the reference at `at` is written in the source: a place inside a copy is
/// traced back to the place it was copied from, as the document was before that
/// copy's round, then through the copies of earlier rounds only.
fn origin(at: &[String], copies: &[Copied]) -> Vec<String> {
    let mut at = at.to_vec();
    let mut before = usize::MAX;
    for (round, place, source) in copies.iter().rev() {
        if *round < before && at.starts_with(place) {
            let rest = at.split_off(place.len());
            at.clone_from(source);
            at.extend(rest);
            before = *round;
        }
    }
    at
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

/// The edits of one round, and the copies among them; `copies` are those of earlier
/// rounds. Fails when a copy would exceed the `budget`.
fn plan(
    document: &Value,
    findings: &mut Findings,
    budget: &mut Budget,
    copies: &[Copied],
    round: usize,
) -> Result<(Vec<Edit>, Vec<Copied>), Diagnostic> {
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
    let mut copied = Vec::new();
    for ((kind, at, reference), target) in found.into_iter().zip(targets) {
        let Some(target) = target else {
            if !reference.is_empty() && !reference.starts_with('#') {
                errors.push(external(&origin(&at, copies), &reference));
            }
            continue;
        };
        if let Some(&found) = kinds.get(&target).filter(|found| **found != kind) {
            // A mistake with one obvious reading is read so, with a warning.
            if let Some(read) =
                crate::source::misplaced::reading(document, kind, found, &at, &target)
            {
                errors.push(Diagnostic::warning(
                    pointer(origin(&at, copies)),
                    format!(
                        "`$ref` `{reference}` points at {}, where {} belongs; reading it as {}",
                        describe(found),
                        describe(kind),
                        read.reading
                    ),
                ));
                // Recorded as a copy: the references it holds are followed next round.
                copied.push((round, at.clone(), at.clone()));
                edits.push(Edit::Copy {
                    at,
                    value: read.value,
                });
                continue;
            }
            let mut diagnostic = Diagnostic::error(
                pointer(origin(&at, copies)),
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
            if let Some(value) = lookup(document, &target) {
                // Counted before cloning: a copy too big is never made.
                let cost = nodes(value, budget.left)
                    .saturating_add(at.len())
                    .saturating_add(target.len());
                if !budget.take(cost) {
                    return Err(budget.exceeded(&origin(&at, copies), &reference));
                }
                copied.push((round, at.clone(), target));
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
    Ok((edits, copied))
}

/// The error for a reference into another document (`./common.yaml#/X`, a URL):
/// only the one document is read.
fn external(at: &[String], reference: &str) -> Diagnostic {
    let file = reference.split('#').next().unwrap_or(reference);
    Diagnostic::error(
        pointer(at),
        format!("`$ref` `{reference}` refers to another document (`{file}`): external references are not supported"),
    )
    .with_hint("bundle the documents into one first (e.g. `npx @redocly/cli bundle spec.yaml -o bundled.yaml`), or move the target into this document's `components`")
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
    let decoded = percent_decode(fragment).unwrap_or_else(|| fragment.to_owned());
    crate::diagnostics::pointer::decode_fragment(&decoded)
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

/// The value a local `$ref` leads to, through every `$ref` on the way and at the end
/// (at most [`MAX_HOPS`]); `None` if it does not resolve.
pub(crate) fn follow<'v>(document: &'v Value, reference: &str) -> Option<&'v Value> {
    let mut value = lookup(document, &resolve(document, parse(reference)?, 0)?)?;
    for _ in 0..MAX_HOPS {
        match value.get("$ref") {
            Some(Value::String(next)) => {
                value = lookup(document, &resolve(document, parse(next)?, 0)?)?;
            }
            _ => return Some(value),
        }
    }
    None
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
        let pointed = normalize(&mut document, &mut warnings).expect("within the budget");
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
        // Mismatches without an obvious reading (see `crate::source::misplaced`).
        let (_, pointed, diagnostics) = normalized(json!({
            "paths": {"/a": {"get": {"responses": {
                "400": {"$ref": "#/components/parameters/Limit"}
            }}}},
            "components": {"schemas": {
                "S": {"$ref": "#/components/examples/Status"}
            }, "parameters": {"Limit": {"name": "limit", "in": "query"}},
            "examples": {"Status": {"value": "ok"}}}
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
                    "`$ref` `#/components/parameters/Limit` points at a parameter, where a response belongs"
                ),
                (
                    "#/components/schemas/S",
                    "`$ref` `#/components/examples/Status` points at an example, where a schema belongs"
                ),
            ]
        );
        assert!(diagnostics
            .iter()
            .all(|d| d.severity == crate::Severity::Error));
        // Lowering reads the mismatched target as any JSON instead of reporting it again.
        assert_eq!(pointed.get("#/components/examples/Status"), Some(None));
    }

    #[test]
    fn a_reference_to_the_wrong_kind_of_object_with_one_reading_is_a_warning() {
        let (document, _, diagnostics) = normalized(json!({
            "paths": {"/a": {"get": {"responses": {
                "400": {"$ref": "#/components/schemas/BadRequest"},
                "200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/responses/Status"}}}}
            }}}},
            "components": {"schemas": {"BadRequest": {"type": "object"}},
                "responses": {"Status": {"description": "s", "content": {"application/json": {
                    "schema": {"type": "string"}}}}}}
        }));
        assert!(diagnostics
            .iter()
            .all(|d| d.severity == crate::Severity::Warning));
        let pointers: Vec<&str> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/paths/~1a/get/responses/400",
                "#/paths/~1a/get/responses/200/content/application~1json/schema"
            ]
        );
        let responses = &document["paths"]["/a"]["get"]["responses"];
        assert_eq!(
            responses["400"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/BadRequest"})
        );
        assert_eq!(
            responses["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/responses/Status/content/application~1json/schema"})
        );
    }

    #[test]
    fn self_including_references_stop() {
        let (document, _, _) = normalized(json!({
            "paths": {"/a": {"$ref": "#/paths/~1a"}}
        }));
        assert_eq!(document["paths"]["/a"], json!({"$ref": "#/paths/~1a"}));
    }

    #[test]
    fn copies_that_multiply_are_refused_at_a_written_reference() {
        // Each level's path item has ten callbacks whose path item is the next level.
        let mut paths = serde_json::Map::new();
        let mut callbacks = serde_json::Map::new();
        for level in 0..12 {
            let refs: serde_json::Map<String, Value> = (0..10)
                .map(|i| {
                    let target = format!("#/components/callbacks/C{}", level + 1);
                    (format!("c{i}"), json!({ "$ref": target }))
                })
                .collect();
            paths.insert(
                format!("/l{level}"),
                json!({"post": {"responses": {}, "callbacks": refs}}),
            );
            callbacks.insert(
                format!("C{}", level + 1),
                json!({"{$url}": {"$ref": format!("#/paths/~1l{}", level + 1)}}),
            );
        }
        let original = json!({"paths": paths, "components": {"callbacks": callbacks}});
        let mut document = original.clone();
        let started = std::time::Instant::now();
        let error = normalize(&mut document, &mut Vec::new()).expect_err("over the budget");
        assert!(started.elapsed().as_secs() < 10);
        assert!(
            error.message.contains("one copy too many"),
            "{}",
            error.message
        );
        // The reference named, at a place written in the document (not inside a copy).
        let written = original
            .pointer(error.pointer.trim_start_matches('#'))
            .and_then(|r| r.get("$ref"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no $ref at {}", error.pointer));
        assert!(
            error.message.contains(&format!("`$ref` `{written}`")),
            "{}: {}",
            error.pointer,
            error.message
        );
    }

    #[test]
    fn references_to_other_files_are_errors() {
        let (_, _, diagnostics) = normalized(json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"$ref": "./common.yaml#/components/responses/Ok"}
            }}}}
        }));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].pointer, "#/paths/~1a/get/responses/200");
        assert!(
            diagnostics[0]
                .message
                .contains("refers to another document (`./common.yaml`)"),
            "{}",
            diagnostics[0].message
        );
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
