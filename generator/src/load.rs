//! Stage 1: source text -> a typed OpenAPI document.
//!
//! Reads YAML or JSON, applies the overlays ([`crate::overlay`]), checks the `openapi` version (3.0.x and 3.1.x), runs the passes
//! on the untyped tree — 3.1 -> 3.0 normalisation ([`crate::normalize`]), repairs of
//! survivable mistakes ([`crate::lenient`]), JSON References ([`crate::references`]) —
//! so that `openapiv3` can type the document, and turns every failure into a
//! [`Diagnostic`] with a JSON pointer.

// A failed load returns one `Diagnostic`, once per run: not worth boxing.
#![allow(clippy::result_large_err)]

use crate::diagnostics::{pointer, Diagnostic};
use crate::overlay::{OverlaySource, Provenance};
use serde_json::Value;

/// A document that parsed and typed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The version the document declared, e.g. `3.1.0`.
    pub declared_version: String,
    pub document: openapiv3::OpenAPI,
    /// Product words the document spells (see [`crate::words`]).
    pub words: Vec<String>,
    /// The schemas `$ref`s point at outside `#/components/schemas/<name>`.
    pub pointed: crate::references::PointedSchemas,
    /// Problems that had a fallback (e.g. a missing `info.version`).
    pub warnings: Vec<Diagnostic>,
}

/// Which OpenAPI family a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V3_0,
    V3_1,
}

/// Parses `source` and types it. Errors come back as diagnostics with pointers;
/// `locate` on [`crate::Diagnostics`] adds line numbers afterwards.
pub fn load(source: &str) -> Result<Loaded, Vec<Diagnostic>> {
    load_overlaid(source, &[]).0
}

/// Parses `source`, applies `overlays` to it in order ([`crate::overlay`]) and types
/// the result. The provenance says where each node of the overlaid document came
/// from, to locate the diagnostics with ([`crate::overlay::locate`]), whether the
/// load failed or not; errors in an overlay are already located in it.
pub fn load_overlaid(
    source: &str,
    overlays: &[OverlaySource],
) -> (Result<Loaded, Vec<Diagnostic>>, Provenance) {
    let mut value = match parse(source) {
        Ok(value) => value,
        Err(diagnostic) => return (Err(vec![diagnostic]), Provenance::default()),
    };
    // Before anything reads the document: an overlay may change any of it, its
    // version included.
    match crate::overlay::apply_all(&mut value, overlays) {
        Ok(provenance) => (type_document(value), provenance),
        Err(items) => (Err(items), Provenance::default()),
    }
}

/// The passes after parsing (and overlays): version check, normalisation, repairs,
/// references, then typing.
fn type_document(mut value: Value) -> Result<Loaded, Vec<Diagnostic>> {
    let (declared_version, version) = check_version(&value).map_err(|d| vec![d])?;
    if version == Version::V3_1 {
        crate::normalize::normalize_3_1(&mut value);
    }
    if let Value::Object(map) = &mut value {
        if !map.contains_key("paths") {
            if version == Version::V3_0 {
                return Err(vec![Diagnostic::error(
                    "#",
                    "the document has no `paths` object",
                )
                .with_hint(
                    "OpenAPI 3.0 requires `paths`; add `paths: {}` if the API has no operations",
                )]);
            }
            map.insert("paths".into(), Value::Object(Default::default()));
        }
        // openapiv3 types 3.0 documents; the normalised document is one.
        map.insert("openapi".into(), Value::String("3.0.3".into()));
    }
    let words = crate::words::product_words(&value);
    let mut warnings = fill_info(&mut value);
    crate::lenient::repair(&mut value, &mut warnings);
    let pointed = crate::references::normalize(&mut value, &mut warnings).map_err(|d| vec![d])?;
    // Typed straight from the borrowed tree: cloning it first doubled peak memory.
    let typed = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value);
    let document = typed.map_err(|err| {
        // serde's own error loses its place inside openapiv3's types; find it by shape.
        let (at, message) = crate::shape::innermost_error(&value)
            .unwrap_or_else(|| ("#".to_owned(), err.to_string()));
        vec![Diagnostic::error(
            at,
            format!("not a valid OpenAPI document: {message}"),
        )]
    })?;
    Ok(Loaded {
        declared_version,
        document,
        words,
        pointed,
        warnings,
    })
}

/// `info.title` and `info.version` are required, but only label the generated crate: a
/// document without them gets a placeholder and a warning rather than an error.
fn fill_info(value: &mut Value) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let Value::Object(map) = value else {
        return warnings;
    };
    let info = map
        .entry("info")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Value::Object(info) = info {
        for (field, placeholder) in [("title", "API"), ("version", "unversioned")] {
            if !info.get(field).is_some_and(Value::is_string) {
                warnings.push(Diagnostic::warning(
                    format!("#/info/{field}"),
                    format!("`info.{field}` is missing or not a string; using \"{placeholder}\""),
                ));
                info.insert(field.into(), Value::String(placeholder.into()));
            }
        }
    }
    warnings
}

/// YAML or JSON text -> a JSON value. YAML is a superset of JSON, but JSON errors read
/// better from serde_json, so text that starts with `{` is parsed as JSON.
pub fn parse(source: &str) -> Result<Value, Diagnostic> {
    let value = if source.trim_start().starts_with('{') {
        serde_json::from_str::<Value>(source).map_err(|err| {
            Diagnostic::error("#", format!("not valid JSON: {err}")).at(err.line(), err.column())
        })?
    } else {
        check_flow_depth(source)?;
        let yaml = serde_yaml::from_str::<serde_yaml::Value>(source)
            .or_else(|err| match widen_huge_integers(source) {
                // serde_yaml cannot hold integers beyond 64 bits (OpenAI's spec has
                // `minimum: -9223372036854776000`); read those as floats instead.
                Some(widened) if err.to_string().contains("i128") => {
                    serde_yaml::from_str::<serde_yaml::Value>(&widened)
                }
                _ => Err(err),
            })
            .map_err(|err| {
                let diag = Diagnostic::error("#", format!("not valid YAML: {err}"));
                match err.location() {
                    Some(loc) => diag.at(loc.line(), loc.column()),
                    None => diag,
                }
            })?;
        yaml_to_json(yaml, &mut Vec::new())?
    };
    if !value.is_object() {
        return Err(Diagnostic::error(
            "#",
            format!("the document is {}, not an object", describe(&value)),
        )
        .with_hint("an OpenAPI document is a mapping with `openapi`, `info` and `paths`"));
    }
    Ok(value)
}

/// `key: <integer of 19+ digits>` lines rewritten as floats, or `None` if there are none.
fn widen_huge_integers(source: &str) -> Option<String> {
    let mut changed = false;
    let lines: Vec<String> = source
        .lines()
        .map(|line| {
            let Some((key, value)) = line.split_once(": ") else {
                return line.to_owned();
            };
            let number = value.trim();
            let digits = number.strip_prefix('-').unwrap_or(number);
            if digits.len() >= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
                changed = true;
                format!("{key}: {number}.0")
            } else {
                line.to_owned()
            }
        })
        .collect();
    changed.then(|| lines.join("\n"))
}

/// Deepest `[`/`{` nesting allowed in YAML text. serde_yaml stops at 128 levels anyway,
/// but takes seconds to get there on pathological input (100,000 `[`), so reject early.
const MAX_FLOW_DEPTH: usize = 128;

/// Fails fast on YAML whose flow collections nest deeper than [`MAX_FLOW_DEPTH`];
/// brackets inside quoted scalars and comments do not count.
fn check_flow_depth(source: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    for (number, line) in source.lines().enumerate() {
        let mut quote: Option<char> = None;
        for (column, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if line[..column].ends_with(char::is_whitespace) || column == 0 => {
                    break
                }
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(Diagnostic::error(
                            "#",
                            format!(
                                "not valid YAML: nested more than {MAX_FLOW_DEPTH} levels deep"
                            ),
                        )
                        .at(number + 1, column + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// YAML allows keys that are numbers or booleans (`200:` for a response); JSON
/// pointers and OpenAPI treat every key as a string.
fn yaml_to_json(value: serde_yaml::Value, at: &mut Vec<String>) -> Result<Value, Diagnostic> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Diagnostic::error(
                            pointer(at.iter()),
                            "a number that JSON cannot hold (NaN or infinity)",
                        )
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                at.push(i.to_string());
                out.push(yaml_to_json(item, at)?);
                at.pop();
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        return Err(Diagnostic::error(
                            pointer(at.iter()),
                            "a mapping key that is not a scalar",
                        ))
                    }
                };
                at.push(key.clone());
                let item = yaml_to_json(item, at)?;
                at.pop();
                out.insert(key, item);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "an object",
    }
}

fn check_version(value: &Value) -> Result<(String, Version), Diagnostic> {
    if value.get("swagger").is_some() {
        return Err(Diagnostic::error(
            "#/swagger",
            "Swagger 2.0 documents are not supported",
        )
        .with_hint("convert it to OpenAPI 3 first, for example with the `swagger2openapi` npm package (`npx swagger2openapi spec.yaml -o openapi.yaml`), which converted the APIs.guru directory"));
    }
    let declared = match value.get("openapi") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(Diagnostic::error(
                "#/openapi",
                format!(
                    "`openapi` must be a string such as \"3.1.0\", found {}",
                    describe(other)
                ),
            )
            .with_hint("quote the version: openapi: \"3.0.3\""))
        }
        None => {
            return Err(
                Diagnostic::error("#", "the document has no `openapi` version field")
                    .with_hint("add `openapi: 3.1.0` (or 3.0.x) at the top"),
            )
        }
    };
    let version = if declared.starts_with("3.0.") || declared == "3.0" {
        Version::V3_0
    } else if declared.starts_with("3.1.") || declared == "3.1" {
        Version::V3_1
    } else {
        return Err(Diagnostic::error(
            "#/openapi",
            format!("OpenAPI version {declared} is not supported"),
        )
        .with_hint("this generator reads OpenAPI 3.0.x and 3.1.x"));
    };
    Ok((declared, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(source: &str) -> Diagnostic {
        load(source).expect_err("should fail").remove(0)
    }

    #[test]
    fn reads_yaml_with_numeric_response_keys() {
        let loaded = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n").unwrap();
        assert_eq!(loaded.declared_version, "3.0.3");
        let op = loaded.document.paths.paths["/a"]
            .as_item()
            .unwrap()
            .get
            .as_ref()
            .unwrap();
        assert!(op
            .responses
            .responses
            .contains_key(&openapiv3::StatusCode::Code(200)));
    }

    #[test]
    fn reads_json() {
        let loaded =
            load(r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#).unwrap();
        assert_eq!(loaded.declared_version, "3.1.0");
    }

    #[test]
    fn rejects_swagger_2() {
        let d = first_error("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert_eq!(d.pointer, "#/swagger");
        assert!(d.message.contains("Swagger 2.0"));
    }

    #[test]
    fn rejects_unknown_versions_and_missing_fields() {
        assert!(first_error("openapi: 4.0.0\npaths: {}\n")
            .message
            .contains("4.0.0 is not supported"));
        assert!(first_error("info: {}\npaths: {}\n")
            .message
            .contains("no `openapi`"));
        assert!(
            first_error("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n")
                .message
                .contains("no `paths`")
        );
    }

    #[test]
    fn rejects_non_documents() {
        assert!(first_error("- a\n- b\n")
            .message
            .contains("a sequence, not an object"));
        let d = first_error("openapi: [\n");
        assert!(d.message.starts_with("not valid YAML"), "{}", d.message);
        assert!(d.line.is_some());
        let d = first_error("{\"openapi\": }");
        assert!(d.message.starts_with("not valid JSON"), "{}", d.message);
    }

    #[test]
    fn type_errors_name_the_pointer() {
        let d = first_error("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 5\n");
        assert_eq!(d.pointer, "#/paths/~1a/get/responses");
    }
}
