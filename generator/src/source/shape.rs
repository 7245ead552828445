//! Finds the innermost part of a document that `openapiv3` cannot type.
//!
//! openapiv3's structs flatten their `x-` extensions and use untagged enums for
//! `$ref`-or-item, and serde loses track of the path inside both: a bad response
//! surfaces as an error at `#/paths`. This walks the document's known shape and types
//! each part on its own, children before parents, so the error names the exact place
//! (`#/paths/~1a/get/responses`) and serde's own message for it.

use crate::diagnostics::pointer;
use openapiv3::{Header, Info, Operation, Parameter, PathItem, RequestBody, Response, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The pointer and message of the innermost part that does not type, if any does not.
pub(crate) fn innermost_error(document: &Value) -> Option<(String, String)> {
    let mut at = Vec::new();
    let found = walk_document(document, &mut at);
    found.map(|(segments, message)| (pointer(segments), message))
}

type Found = Option<(Vec<String>, String)>;

fn walk_document(document: &Value, at: &mut Vec<String>) -> Found {
    if let Some(info) = document.get("info") {
        if let found @ Some(_) = child(info, "info", at, |v, at| check::<Info>(v, at)) {
            return found;
        }
    }
    if let Some(Value::Object(paths)) = document.get("paths") {
        at.push("paths".into());
        for (path, item) in paths {
            if let found @ Some(_) = child(item, path, at, walk_path_item) {
                return found;
            }
        }
        at.pop();
    }
    if let Some(Value::Object(components)) = document.get("components") {
        at.push("components".into());
        let sections: [(&str, Checker); 5] = [
            ("schemas", walk_schema),
            ("parameters", item::<Parameter>),
            ("requestBodies", item::<RequestBody>),
            ("responses", item::<Response>),
            ("headers", item::<Header>),
        ];
        for (section, checker) in sections {
            if let Some(Value::Object(items)) = components.get(section) {
                at.push(section.into());
                for (name, value) in items {
                    if let found @ Some(_) = child(value, name, at, checker) {
                        return found;
                    }
                }
                at.pop();
            }
        }
        at.pop();
    }
    None
}

type Checker = fn(&Value, &mut Vec<String>) -> Found;

fn child(value: &Value, key: &str, at: &mut Vec<String>, checker: Checker) -> Found {
    at.push(key.to_owned());
    let found = checker(value, at);
    at.pop();
    found
}

fn walk_path_item(value: &Value, at: &mut Vec<String>) -> Found {
    if let Value::Object(map) = value {
        if let Some(found) = list(map.get("parameters"), "parameters", at, |v, at| {
            item::<Parameter>(v, at)
        }) {
            return Some(found);
        }
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if let Some(op) = map.get(method) {
                if let found @ Some(_) = child(op, method, at, walk_operation) {
                    return found;
                }
            }
        }
    }
    item::<PathItem>(value, at)
}

fn walk_operation(value: &Value, at: &mut Vec<String>) -> Found {
    if let Value::Object(map) = value {
        if let Some(found) = list(map.get("parameters"), "parameters", at, |v, at| {
            item::<Parameter>(v, at)
        }) {
            return Some(found);
        }
        if let Some(body) = map.get("requestBody") {
            if let found @ Some(_) = child(body, "requestBody", at, item::<RequestBody>) {
                return found;
            }
        }
        if let Some(Value::Object(responses)) = map.get("responses") {
            at.push("responses".into());
            for (status, response) in responses {
                if let found @ Some(_) = child(response, status, at, item::<Response>) {
                    return found;
                }
            }
            at.pop();
        }
    }
    check::<Operation>(value, at)
}

fn walk_schema(value: &Value, at: &mut Vec<String>) -> Found {
    if let Value::Object(map) = value {
        for key in ["items", "not", "additionalProperties"] {
            if let Some(inner) = map.get(key).filter(|v| v.is_object()) {
                if let found @ Some(_) = child(inner, key, at, walk_schema) {
                    return found;
                }
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(found) = list(map.get(key), key, at, walk_schema) {
                return Some(found);
            }
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            at.push("properties".into());
            for (name, schema) in properties {
                if let found @ Some(_) = child(schema, name, at, walk_schema) {
                    return found;
                }
            }
            at.pop();
        }
        if let Some((key, message)) = keyword_problem(map) {
            let mut segments = at.clone();
            segments.push(key.to_owned());
            return Some((segments, message));
        }
    }
    item::<Schema>(value, at)
}

/// The first schema keyword whose value has the wrong JSON type, with a message.
/// serde cannot say which keyword of a schema failed (openapiv3 flattens them), so
/// this names it.
fn keyword_problem(map: &serde_json::Map<String, Value>) -> Option<(&str, String)> {
    map.iter().find_map(|(key, value)| {
        let expected = keyword_mismatch(key, value)?;
        Some((
            key.as_str(),
            format!("`{key}` must be {expected}, found {value}"),
        ))
    })
}

/// What a checked schema keyword's value must be.
#[derive(Clone, Copy)]
enum Expected {
    String,
    Bool,
    Number,
    Count,
    Object,
    List,
    PropertyNames,
}

impl Expected {
    fn holds(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Bool => value.is_boolean(),
            Self::Number => value.is_number(),
            Self::Count => value.is_u64(),
            Self::Object => value.is_object(),
            Self::List => value.is_array(),
            Self::PropertyNames => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Bool => "true or false",
            Self::Number => "a number",
            Self::Count => "a non-negative integer",
            Self::Object => "an object",
            Self::List => "a list",
            Self::PropertyNames => "a list of property names",
        }
    }
}

/// Whether a keyword with a wrong value can be dropped: it only annotates or
/// validates, so without it no Rust type changes (or a field is only optional).
/// One that shapes the type stays an error that names it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrong {
    Droppable,
    Refused,
}

/// The schema keywords whose JSON type is checked, the one list for this module's
/// errors and for [`crate::source::lenient`]'s repairs.
const SCHEMA_KEYWORDS: &[(&str, Expected, Wrong)] = &[
    ("type", Expected::String, Wrong::Refused),
    ("format", Expected::String, Wrong::Droppable),
    ("pattern", Expected::String, Wrong::Droppable),
    ("title", Expected::String, Wrong::Droppable),
    ("description", Expected::String, Wrong::Droppable),
    ("nullable", Expected::Bool, Wrong::Droppable),
    ("readOnly", Expected::Bool, Wrong::Droppable),
    ("writeOnly", Expected::Bool, Wrong::Droppable),
    ("deprecated", Expected::Bool, Wrong::Droppable),
    ("uniqueItems", Expected::Bool, Wrong::Droppable),
    ("minimum", Expected::Number, Wrong::Droppable),
    ("maximum", Expected::Number, Wrong::Droppable),
    ("multipleOf", Expected::Number, Wrong::Droppable),
    ("minLength", Expected::Count, Wrong::Droppable),
    ("maxLength", Expected::Count, Wrong::Droppable),
    ("minItems", Expected::Count, Wrong::Droppable),
    ("maxItems", Expected::Count, Wrong::Droppable),
    ("minProperties", Expected::Count, Wrong::Droppable),
    ("maxProperties", Expected::Count, Wrong::Droppable),
    ("properties", Expected::Object, Wrong::Refused),
    ("enum", Expected::List, Wrong::Refused),
    ("allOf", Expected::List, Wrong::Refused),
    ("oneOf", Expected::List, Wrong::Refused),
    ("anyOf", Expected::List, Wrong::Refused),
    ("required", Expected::PropertyNames, Wrong::Droppable),
];

/// What a schema keyword's value must be, when `value` is not that.
fn keyword_mismatch(key: &str, value: &Value) -> Option<&'static str> {
    mismatch(key, value).map(|(expected, _)| expected.describe())
}

/// What a schema keyword's value must be, when `value` is not that and the keyword
/// can be dropped without changing a type (see [`Wrong`]).
pub(crate) fn droppable_mismatch(key: &str, value: &Value) -> Option<&'static str> {
    mismatch(key, value)
        .filter(|(_, wrong)| *wrong == Wrong::Droppable)
        .map(|(expected, _)| expected.describe())
}

fn mismatch(key: &str, value: &Value) -> Option<(Expected, Wrong)> {
    let (_, expected, wrong) = SCHEMA_KEYWORDS.iter().find(|(name, ..)| *name == key)?;
    (!expected.holds(value)).then_some((*expected, *wrong))
}

fn list(
    value: Option<&Value>,
    key: &str,
    at: &mut Vec<String>,
    checker: Checker,
) -> Option<(Vec<String>, String)> {
    let Some(Value::Array(items)) = value else {
        return None;
    };
    at.push(key.to_owned());
    for (index, value) in items.iter().enumerate() {
        if let found @ Some(_) = child(value, &index.to_string(), at, checker) {
            return found;
        }
    }
    at.pop();
    None
}

// Takes `&mut Vec` to match `Checker`, the signature every walker shares.
#[allow(clippy::ptr_arg)]
/// Types a `$ref`-or-item position: a `$ref` needs nothing more, anything else must be a `T`.
fn item<T: DeserializeOwned>(value: &Value, at: &mut Vec<String>) -> Found {
    if value.get("$ref").is_some_and(Value::is_string) {
        return None;
    }
    check::<T>(value, at)
}

fn check<T: DeserializeOwned>(value: &Value, at: &[String]) -> Found {
    let err = serde_path_to_error::deserialize::<_, T>(value).err()?;
    let mut segments = at.to_vec();
    for segment in err.path().iter() {
        match segment {
            serde_path_to_error::Segment::Map { key } => segments.push(key.clone()),
            serde_path_to_error::Segment::Seq { index } => segments.push(index.to_string()),
            _ => {}
        }
    }
    Some((segments, err.into_inner().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_innermost_bad_part() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}});
        let (at, message) = innermost_error(&doc).unwrap();
        assert_eq!(at, "#/paths/~1a/get/responses/200/description");
        assert!(message.contains("expected a string"), "{message}");
    }

    #[test]
    fn schema_errors_point_into_properties() {
        let doc = json!({"components": {"schemas": {"A": {"type": "object",
            "properties": {"b": {"type": "object", "required": "name"}}}}}});
        let (at, message) = innermost_error(&doc).unwrap();
        assert_eq!(at, "#/components/schemas/A/properties/b/required");
        assert_eq!(
            message,
            "`required` must be a list of property names, found \"name\""
        );
    }
}
