//! The one pass that rewrites OpenAPI 3.1 schema constructs into their 3.0 spelling,
//! so that `openapiv3` (a 3.0 model) can type a 3.1 document without losing meaning.
//!
//! Rewrites, applied to every schema object (and only to schema objects):
//! - `type: [X, "null"]` -> `type: X` + `nullable: true`; `type: "null"` -> `nullable: true`;
//!   several non-null types -> `anyOf` of one schema per type.
//! - `const: v` -> `enum: [v]` (with the type inferred from `v` when missing).
//! - `examples: [a, ...]` -> `example: a`.
//! - numeric `exclusiveMinimum: n` / `exclusiveMaximum: n` -> `minimum`/`maximum: n` plus the
//!   3.0 boolean flag.
//! - `$ref` with sibling keywords -> `allOf: [{$ref}]` plus the siblings (3.0 ignores
//!   siblings of `$ref`; 3.1 applies them, e.g. a `description` or `nullable`).
//! - boolean schemas: `true` -> `{}`, `false` -> `{not: {}}`.
//! - `contentMediaType` without `contentEncoding` on a string (or untyped) schema ->
//!   `type: string, format: binary` (3.1's spelling of raw bytes, e.g. a multipart
//!   file part; 3.1.1 "Migrating binary descriptions from OAS 3.0").
//!
//! Schemas are found by position: `components.schemas.*`, and the `schema` member of
//! parameters, headers and media types anywhere in the document, then recursively through
//! `properties`, `items`, `additionalProperties`, `allOf`/`oneOf`/`anyOf`, `not` and
//! `prefixItems`. Example values are never touched.

use serde_json::{Map, Value};

/// Rewrites a 3.1 document in place into a shape `openapiv3` can type.
pub(crate) fn normalize_3_1(document: &mut Value) {
    walk_document(document);
    rewrite_mutual_tls(document);
    crate::source::oas31::normalize(document);
}

/// `type: mutualTLS` (new in 3.1) -> `type: http` with the scheme name
/// [`MUTUAL_TLS_MARKER`], which `lower::security` reads back: `openapiv3`
/// has no mutualTLS type and would reject the whole document.
fn rewrite_mutual_tls(document: &mut Value) {
    let Some(Value::Object(schemes)) = document.pointer_mut("/components/securitySchemes") else {
        return;
    };
    for scheme in schemes.values_mut() {
        if let Value::Object(scheme) = scheme {
            if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
                scheme.insert("type".to_owned(), Value::from("http"));
                scheme.insert("scheme".to_owned(), Value::from(MUTUAL_TLS_MARKER));
            }
        }
    }
}

/// The HTTP scheme name a 3.1 `type: mutualTLS` scheme is rewritten to before the
/// document is parsed, lower case; `lower::security` reads it back.
pub(crate) const MUTUAL_TLS_MARKER: &str = "x-mutual-tls";

/// JSON Schema keywords that change what a schema means but have no 3.0 spelling and
/// no meaning to the generator: each one found in a schema is a located warning, so
/// that a schema read without it is not a silent surprise.
const UNSUPPORTED: [&str; 1] = ["$dynamicRef"];

/// A warning at each use of an [`UNSUPPORTED`] keyword in a schema of `document`.
pub(crate) fn unsupported_keywords(document: &Value) -> Vec<crate::Diagnostic> {
    let mut warnings = Vec::new();
    crate::source::structure::walk(document, &mut |kind, at, value| {
        if kind != crate::source::structure::Kind::Schema {
            return;
        }
        for keyword in UNSUPPORTED {
            if let Some(target) = value.get(keyword) {
                let target = target.as_str().map_or(String::new(), |t| format!(" `{t}`"));
                let place =
                    crate::diagnostics::pointer(at.iter().map(String::as_str).chain([keyword]));
                warnings.push(
                    crate::Diagnostic::warning(
                        place,
                        format!("`{keyword}`{target} is not supported and is ignored: the schema is generated from its other keywords (serde_json::Value when it has none)"),
                    )
                    .with_hint("replace it with a `$ref` to the schema it stands for"),
                );
            }
        }
    });
    warnings
}

/// Normalises every schema found under a `schema` or `schemas` key, outside examples.
fn walk_document(document: &mut Value) {
    let skip = ["example", "examples"];
    crate::source::structure::walk_members_mut(document, &skip, &mut |at, member| {
        match at.last().map(String::as_str) {
            Some("schema") => normalize_schema(member),
            Some("schemas") => {
                if let Value::Object(schemas) = member {
                    schemas.values_mut().for_each(normalize_schema);
                }
            }
            _ => return true,
        }
        false
    });
}

/// Normalises one schema and, recursively, the schemas inside it.
pub(crate) fn normalize_schema(schema: &mut Value) {
    if let Value::Bool(allow) = schema {
        *schema = if *allow {
            Value::Object(Map::new())
        } else {
            serde_json::json!({ "not": {} })
        };
        return;
    }
    let Value::Object(map) = schema else { return };

    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            // `additionalProperties: true/false` is valid 3.0 and means what it says.
            if !(key == "additionalProperties" && child.is_boolean()) {
                normalize_schema(child);
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            children.iter_mut().for_each(normalize_schema);
        }
    }
    for key in ["properties", "patternProperties", "$defs", "definitions"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(normalize_schema);
        }
    }

    rewrite_type_array(map);
    rewrite_const(map);
    rewrite_examples(map);
    rewrite_exclusive_bound(map, "exclusiveMinimum", "minimum");
    rewrite_exclusive_bound(map, "exclusiveMaximum", "maximum");
    rewrite_ref_siblings(map);
    rewrite_content_media_type(map);
}

fn rewrite_content_media_type(map: &mut Map<String, Value>) {
    let string_or_untyped = match map.get("type") {
        None => ![
            "allOf",
            "oneOf",
            "anyOf",
            "properties",
            "items",
            "enum",
            "$ref",
        ]
        .iter()
        .any(|key| map.contains_key(*key)),
        Some(kind) => kind == "string",
    };
    if map.contains_key("contentMediaType")
        && !map.contains_key("contentEncoding")
        && !map.contains_key("format")
        && string_or_untyped
    {
        map.insert("type".into(), Value::from("string"));
        map.insert("format".into(), Value::from("binary"));
        // `openapiv3` keeps only `x-` keys: the media type goes on under one, for
        // the content type of a multipart file part (`lower::bodies`).
        if let Some(media_type) = map.get("contentMediaType").cloned() {
            map.insert(CONTENT_MEDIA_TYPE.into(), media_type);
        }
    }
}

/// Where a 3.1 binary schema's `contentMediaType` is kept for lowering.
pub(crate) const CONTENT_MEDIA_TYPE: &str = "x-content-media-type";

fn rewrite_type_array(map: &mut Map<String, Value>) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(t)) if t == "null" => vec!["null".to_owned()],
        _ => return,
    };
    let non_null: Vec<String> = types.iter().filter(|t| *t != "null").cloned().collect();
    if non_null.len() < types.len() {
        map.insert("nullable".into(), Value::Bool(true));
    }
    match non_null.as_slice() {
        [] => {
            map.remove("type");
        }
        [single] => {
            map.insert("type".into(), Value::String(single.clone()));
        }
        several => {
            map.remove("type");
            let variants = several
                .iter()
                .map(|t| serde_json::json!({ "type": t }))
                .collect();
            map.insert("anyOf".into(), Value::Array(variants));
        }
    }
}

fn rewrite_const(map: &mut Map<String, Value>) {
    let Some(value) = map.remove("const") else {
        return;
    };
    if !map.contains_key("type") {
        let inferred = match &value {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_f64() => Some("number"),
            Value::Number(_) => Some("integer"),
            _ => None,
        };
        if let Some(t) = inferred {
            map.insert("type".into(), Value::String(t.into()));
        }
    }
    map.insert("enum".into(), Value::Array(vec![value]));
    // Tells lowering this one-value enum was a `const` (see `lower::types::enums`).
    map.insert(CONST_MARKER.into(), Value::Bool(true));
}

/// The extension [`rewrite_const`] marks a schema that had `const` with.
pub(crate) const CONST_MARKER: &str = "x-const";

fn rewrite_examples(map: &mut Map<String, Value>) {
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
}

fn rewrite_exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    if let Some(Value::Number(bound)) = map.get(exclusive) {
        let bound = bound.clone();
        map.insert(inclusive.into(), Value::Number(bound));
        map.insert(exclusive.into(), Value::Bool(true));
    }
}

fn rewrite_ref_siblings(map: &mut Map<String, Value>) {
    if !map.contains_key("$ref") || map.len() == 1 {
        return;
    }
    let reference = map.remove("$ref").unwrap_or(Value::Null);
    let mut all_of = vec![serde_json::json!({ "$ref": reference })];
    if let Some(Value::Array(existing)) = map.remove("allOf") {
        all_of.extend(existing);
    }
    map.insert("allOf".into(), Value::Array(all_of));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(mut value: Value) -> Value {
        normalize_schema(&mut value);
        value
    }

    #[test]
    fn content_media_type_without_encoding_is_binary() {
        // (3.1 schema, its 3.0 spelling)
        let cases = [
            (
                json!({"type": "string", "contentMediaType": "image/png"}),
                json!({"type": "string", "format": "binary", "contentMediaType": "image/png", "x-content-media-type": "image/png"}),
            ),
            (
                json!({"contentMediaType": "application/octet-stream"}),
                json!({"type": "string", "format": "binary", "contentMediaType": "application/octet-stream", "x-content-media-type": "application/octet-stream"}),
            ),
            // Base64 text is a string, as 3.0's `format: byte` is.
            (
                json!({"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"}),
                json!({"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"}),
            ),
            (
                json!({"type": "object", "contentMediaType": "application/json"}),
                json!({"type": "object", "contentMediaType": "application/json"}),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(schema(input.clone()), expected, "{input}");
        }
    }

    #[test]
    fn type_arrays_become_nullable() {
        assert_eq!(
            schema(json!({"type": ["string", "null"], "format": "uuid"})),
            json!({"type": "string", "format": "uuid", "nullable": true})
        );
        assert_eq!(schema(json!({"type": "null"})), json!({"nullable": true}));
        assert_eq!(
            schema(json!({"type": ["string", "integer"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_examples_and_bounds() {
        assert_eq!(
            schema(json!({"const": "a"})),
            json!({"type": "string", "enum": ["a"], "x-const": true})
        );
        assert_eq!(
            schema(json!({"type": "integer", "examples": [3, 4]})),
            json!({"type": "integer", "example": 3})
        );
        assert_eq!(
            schema(json!({"type": "integer", "exclusiveMinimum": 0})),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
    }

    #[test]
    fn ref_siblings_move_into_all_of() {
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/A", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/A"})),
            json!({"$ref": "#/components/schemas/A"})
        );
    }

    #[test]
    fn dynamic_references_are_warnings_at_the_keyword() {
        let document = json!({"components": {"schemas": {"Tree": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$dynamicRef": "#node"}}}
        }}}});
        let warnings = unsupported_keywords(&document);
        let found: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            found,
            ["#/components/schemas/Tree/properties/children/items/$dynamicRef"]
        );
        assert!(warnings[0]
            .message
            .contains("`$dynamicRef` `#node` is not supported"));
    }

    #[test]
    fn recurses_into_nested_schemas_but_not_examples() {
        let mut doc = json!({
            "paths": {"/": {"get": {"parameters": [{"name": "a", "in": "query",
                "schema": {"type": ["integer", "null"]},
                "example": {"type": ["kept", "null"]}}]}}},
            "components": {"schemas": {"A": {"type": "object", "properties": {
                "b": {"type": "array", "items": {"type": ["string", "null"]}},
                "c": true}}}}
        });
        normalize_3_1(&mut doc);
        assert_eq!(
            doc["paths"]["/"]["get"]["parameters"][0]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            doc["paths"]["/"]["get"]["parameters"][0]["example"],
            json!({"type": ["kept", "null"]})
        );
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["b"]["items"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            doc["components"]["schemas"]["A"]["properties"]["c"],
            json!({})
        );
    }
}
