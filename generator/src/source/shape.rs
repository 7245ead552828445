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

/// What a schema keyword's value must be, when `value` is not that.
pub(crate) fn keyword_mismatch(key: &str, value: &Value) -> Option<&'static str> {
    const STRINGS: &[&str] = &["type", "format", "pattern", "title", "description"];
    const BOOLS: &[&str] = &[
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "uniqueItems",
    ];
    const NUMBERS: &[&str] = &["minimum", "maximum", "multipleOf"];
    const COUNTS: &[&str] = &[
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ];
    const OBJECTS: &[&str] = &["properties"];
    const ARRAYS: &[&str] = &["enum", "allOf", "oneOf", "anyOf"];
    if STRINGS.contains(&key) {
        (!value.is_string()).then_some("a string")
    } else if BOOLS.contains(&key) {
        (!value.is_boolean()).then_some("true or false")
    } else if NUMBERS.contains(&key) {
        (!value.is_number()).then_some("a number")
    } else if COUNTS.contains(&key) {
        (!value.is_u64()).then_some("a non-negative integer")
    } else if OBJECTS.contains(&key) {
        (!value.is_object()).then_some("an object")
    } else if ARRAYS.contains(&key) {
        (!value.is_array()).then_some("a list")
    } else if key == "required" {
        let ok = value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string));
        (!ok).then_some("a list of property names")
    } else {
        None
    }
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
