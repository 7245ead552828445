//! Mistakes in a document that a lenient reader can survive, repaired on the untyped
//! tree with a located warning each, so that one bad keyword does not refuse a whole
//! document (real documents have `pattern: 0` and Swagger 2's `required: true`).
//!
//! Only keywords that annotate or validate are repaired: dropping them changes no Rust
//! type, or only makes a field optional. A keyword that shapes the type (`type`,
//! `properties`, `items`, `enum`, `allOf`...) with the wrong JSON type is still an
//! error that names it (see [`crate::source::shape`]).

use crate::diagnostics::{pointer, Diagnostic};
use crate::source::shape::droppable_mismatch;
use crate::source::structure::{self, Kind};
use serde_json::Value;

/// Repairs `document` in place; each repair is a warning at the keyword it changed.
pub(crate) fn repair(document: &mut Value, warnings: &mut Vec<Diagnostic>) {
    let mut repairs: Vec<Repair> = Vec::new();
    structure::walk(document, &mut |kind, at, value| {
        let Some(map) = value.as_object().filter(|_| kind == Kind::Schema) else {
            return;
        };
        for (key, value) in map {
            let Some(expected) = droppable_mismatch(key, value) else {
                continue;
            };
            let mut keyword = at.to_vec();
            keyword.push(key.clone());
            // Swagger 2 habit: `required: true` on the property instead of the parent's list.
            let property = match at {
                [.., properties, name]
                    if properties == "properties" && value == &Value::Bool(true) =>
                {
                    Some(name.clone())
                }
                _ => None,
            };
            let message = match &property {
                Some(name) => format!(
                    "`required: true` belongs in the parent schema's `required` list; treating `{name}` as required"
                ),
                None => format!(
                    "`{key}` must be {expected}, found {value}; ignoring it"
                ),
            };
            warnings.push(Diagnostic::warning(pointer(&keyword), message));
            repairs.push(Repair { keyword, property });
        }
    });
    for repair in repairs {
        repair.apply(document);
    }
}

/// Gives each server variable without a `default` (which OpenAPI requires, and
/// the reader would refuse the whole document for) its first `enum` value, or
/// else an empty string, with a located warning: the typed setting of the
/// variable is there for the caller to fill in. Servers are found wherever a
/// `servers` list of server objects is (document, path items, operations,
/// callbacks), outside examples and defaults.
pub(crate) fn server_variable_defaults(document: &mut Value, warnings: &mut Vec<Diagnostic>) {
    structure::walk_members_mut(document, structure::DATA_KEYS, &mut |at, member| {
        if at.last().map(String::as_str) != Some("servers") {
            return true;
        }
        if let Value::Array(servers) = member {
            for (index, server) in servers.iter_mut().enumerate() {
                let mut at = at.to_vec();
                at.push(index.to_string());
                default_variables(server, &at, warnings);
            }
        }
        false
    });
}

fn default_variables(server: &mut Value, at: &[String], warnings: &mut Vec<Diagnostic>) {
    let Some(Value::Object(variables)) = server.get_mut("variables") else {
        return;
    };
    for (name, variable) in variables.iter_mut() {
        let Value::Object(variable) = variable else {
            continue;
        };
        if variable.contains_key("default") {
            continue;
        }
        let first = variable
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|values| values.first())
            .and_then(Value::as_str)
            .map(str::to_owned);
        let (default, used) = match first {
            Some(first) => (first.clone(), format!("its first `enum` value, `{first}`,")),
            None => (String::new(), "an empty value".to_owned()),
        };
        let mut pointer_at = at.to_vec();
        pointer_at.extend(["variables".to_owned(), name.clone()]);
        warnings.push(
            Diagnostic::warning(
                pointer(&pointer_at),
                format!(
                    "server variable `{name}` has no `default`, which OpenAPI requires; the URL uses {used} until the caller sets the variable"
                ),
            )
            .with_hint("add a `default`"),
        );
        variable.insert("default".to_owned(), Value::String(default));
    }
}

/// Whole numbers from -2^63 up to (not including) 2^64 fit `i64` or `u64`.
const I64_MIN: f64 = -9_223_372_036_854_775_808.0;
const U64_END: f64 = 18_446_744_073_709_551_616.0;

/// A located warning for each whole number too large for 64-bit integers. The readers
/// keep such a number (`default: 99999999999999999999999`) as the nearest float
/// instead of refusing the document, so its last digits may differ from the text's:
/// the reader is told rather than finding a changed value in a doc comment.
pub(crate) fn inexact_integers(document: &Value, warnings: &mut Vec<Diagnostic>) {
    let mut at = Vec::new();
    walk_numbers(document, &mut at, warnings);
}

fn walk_numbers(value: &Value, at: &mut Vec<String>, warnings: &mut Vec<Diagnostic>) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or_default();
            if float.fract() == 0.0 && !(I64_MIN..U64_END).contains(&float) {
                warnings.push(Diagnostic::warning(
                    pointer(at),
                    format!(
                        "this number is beyond 64-bit integers; it is read as the nearest \
                         float, {float:e}, and its last digits may differ from the document's"
                    ),
                ));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                at.push(index.to_string());
                walk_numbers(item, at, warnings);
                at.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                at.push(key.clone());
                walk_numbers(item, at, warnings);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Drops one keyword, and records a property as required in its parent.
struct Repair {
    keyword: Vec<String>,
    property: Option<String>,
}

impl Repair {
    fn apply(self, document: &mut Value) {
        let Some((key, schema)) = self.keyword.split_last() else {
            return;
        };
        if let Some(Value::Object(map)) = document.pointer_mut(&slash(schema)) {
            map.remove(key);
        }
        let (Some(name), [parent @ .., _properties, _name]) = (self.property, schema) else {
            return;
        };
        if let Some(Value::Object(parent)) = document.pointer_mut(&slash(parent)) {
            let required = parent
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(names) = required {
                if !names.iter().any(|n| n.as_str() == Some(name.as_str())) {
                    names.push(Value::String(name));
                }
            }
        }
    }
}

/// serde_json's pointer syntax: RFC 6901 without the URI fragment's `#`.
fn slash(segments: &[String]) -> String {
    pointer(segments).trim_start_matches('#').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_annotations_of_the_wrong_type_and_moves_required_up() {
        let mut document = json!({"components": {"schemas": {"A": {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string", "pattern": 0},
                "b": {"type": "string", "required": true},
                "c": {"type": "string", "pattern": "^x$"}
            }
        }}}});
        let mut warnings = Vec::new();
        repair(&mut document, &mut warnings);
        let a = &document["components"]["schemas"]["A"];
        assert_eq!(a["properties"]["a"], json!({"type": "string"}));
        assert_eq!(a["properties"]["b"], json!({"type": "string"}));
        assert_eq!(a["properties"]["c"]["pattern"], "^x$");
        assert_eq!(a["required"], json!(["a", "b"]));
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/A/properties/a/pattern",
                "#/components/schemas/A/properties/b/required"
            ]
        );
    }

    #[test]
    fn whole_numbers_beyond_64_bits_are_located() {
        let document = json!({"components": {"schemas": {"A": {
            "default": 99_999_999_999_999_999_999_999.0_f64,
            "minimum": -1e20,
            "maximum": 18_446_744_073_709_551_615_u64,
            "exclusiveMaximum": 18_446_744_073_709_551_616.0_f64,
            "exclusiveMinimum": -9_223_372_036_854_775_808.0_f64,
            "example": [1.5e30, 0.5, -9_223_372_036_854_775_808_i64],
        }}}});
        let mut warnings = Vec::new();
        inexact_integers(&document, &mut warnings);
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/A/default",
                "#/components/schemas/A/minimum",
                "#/components/schemas/A/exclusiveMaximum",
                "#/components/schemas/A/example/0",
            ]
        );
        assert!(
            warnings[0].message.contains("1e23"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn server_variables_without_a_default_get_one_and_a_warning() {
        let mut document = json!({
            "servers": [{"url": "https://{a}.test/{b}", "variables": {
                "a": {"enum": ["eu", "us"]},
                "b": {"default": "v1"},
            }}],
            "paths": {"/x": {
                "servers": [{"url": "/{c}", "variables": {"c": {}}}],
                "get": {"servers": [{"url": "/{d}", "variables": {"d": {"enum": []}}}]},
            }},
            "components": {"examples": {"E": {"value": {"servers": [{"url": "/{e}", "variables": {"e": {}}}]}}}},
        });
        let mut warnings = Vec::new();
        server_variable_defaults(&mut document, &mut warnings);
        assert_eq!(document["servers"][0]["variables"]["a"]["default"], "eu");
        assert_eq!(document["servers"][0]["variables"]["b"]["default"], "v1");
        assert_eq!(
            document["paths"]["/x"]["servers"][0]["variables"]["c"]["default"],
            ""
        );
        assert_eq!(
            document["paths"]["/x"]["get"]["servers"][0]["variables"]["d"]["default"],
            ""
        );
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/servers/0/variables/a",
                "#/paths/~1x/servers/0/variables/c",
                "#/paths/~1x/get/servers/0/variables/d",
            ]
        );
    }

    #[test]
    fn keywords_that_shape_the_type_are_left_for_the_error() {
        let mut document = json!({"components": {"schemas": {"A": {"type": 5}}}});
        let mut warnings = Vec::new();
        repair(&mut document, &mut warnings);
        assert_eq!(document["components"]["schemas"]["A"]["type"], 5);
        assert!(warnings.is_empty());
    }
}
