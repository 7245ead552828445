//! Mistakes in a document that a lenient reader can survive, repaired on the untyped
//! tree with a located warning each, so that one bad keyword does not refuse a whole
//! document (real documents have `pattern: 0` and Swagger 2's `required: true`).
//!
//! Only keywords that annotate or validate are repaired: dropping them changes no Rust
//! type, or only makes a field optional. A keyword that shapes the type (`type`,
//! `properties`, `items`, `enum`, `allOf`...) with the wrong JSON type is still an
//! error that names it (see [`crate::shape`]).

use crate::diagnostics::{pointer, Diagnostic};
use crate::shape::keyword_mismatch;
use crate::structure::{self, Kind};
use serde_json::Value;

/// Schema keywords dropped, with a warning, when their value has the wrong JSON type.
const DROPPABLE: &[&str] = &[
    "format",
    "pattern",
    "title",
    "description",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "uniqueItems",
    "minimum",
    "maximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "required",
];

/// Repairs `document` in place; each repair is a warning at the keyword it changed.
pub fn repair(document: &mut Value, warnings: &mut Vec<Diagnostic>) {
    let mut repairs: Vec<Repair> = Vec::new();
    structure::walk(document, &mut |kind, at, value| {
        let Some(map) = value.as_object().filter(|_| kind == Kind::Schema) else {
            return;
        };
        for (key, value) in map {
            let Some(expected) =
                keyword_mismatch(key, value).filter(|_| DROPPABLE.contains(&key.as_str()))
            else {
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
    fn keywords_that_shape_the_type_are_left_for_the_error() {
        let mut document = json!({"components": {"schemas": {"A": {"type": 5}}}});
        let mut warnings = Vec::new();
        repair(&mut document, &mut warnings);
        assert_eq!(document["components"]["schemas"]["A"]["type"], 5);
        assert!(warnings.is_empty());
    }
}
