//! Stage 1: source text -> a typed OpenAPI document.
//!
//! Reads YAML or JSON, applies the overlays ([`overlay`]), converts Swagger 2.0 to
//! OpenAPI 3.0 (`swagger2`), checks the `openapi` version (3.0.x and 3.1.x), runs the
//! passes on the untyped tree — 3.1 -> 3.0 normalisation (`normalize`, `oas31`), repairs
//! of survivable mistakes (`lenient`), JSON References and misplaced `$ref`s
//! (`references`, `misplaced`) — so that `openapiv3` can type the document (`shape`
//! names the innermost part that does not), and turns every failure into a
//! [`Diagnostic`] with a JSON pointer. The passes that look for a kind of object
//! (schema, response, media type...) find it with the one document walker,
//! `structure::walk`.

// A failed load returns one `Diagnostic`, once per run: not worth boxing.
#![allow(clippy::result_large_err)]

use crate::diagnostics::{pointer, Diagnostic};
use crate::source::overlay::{OverlaySource, Provenance};
use serde_json::Value;

pub(crate) mod lenient;
/// Which media types are JSON: `runtime/src/media.rs`, included by path so the
/// generator decides with the client's own rule.
#[path = "../../../runtime/src/media.rs"]
pub(crate) mod media;
pub(crate) mod misplaced;
pub(crate) mod normalize;
pub(crate) mod oas31;
pub mod overlay;
pub(crate) mod references;
pub(crate) mod shape;
pub(crate) mod structure;
pub(crate) mod swagger2;
mod tree;

/// A document that parsed and typed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The version the document declared, e.g. `3.1.0`.
    pub declared_version: String,
    pub document: openapiv3::OpenAPI,
    /// Product words the document spells (see `crate::naming::words`).
    pub words: Vec<String>,
    /// The schemas `$ref`s point at outside `#/components/schemas/<name>`.
    pub pointed: crate::source::references::PointedSchemas,
    /// Problems that had a fallback (e.g. a missing `info.version`).
    pub warnings: Vec<Diagnostic>,
}

/// Which OpenAPI family a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V3_0,
    V3_1,
}

/// Parses `source` and types it. Errors come back as diagnostics with pointers;
/// `locate` on [`crate::Diagnostics`] adds line numbers afterwards.
pub fn load(source: &str) -> Result<Loaded, Vec<Diagnostic>> {
    load_overlaid(source, &[]).0
}

/// Parses `source`, applies `overlays` to it in order ([`crate::source::overlay`]) and types
/// the result. The provenance says where each node of the overlaid document came
/// from, to locate the diagnostics with ([`crate::diagnostics::locate::locate_overlaid`]), whether the
/// load failed or not; errors in an overlay are already located in it.
pub(crate) fn load_overlaid(
    source: &str,
    overlays: &[OverlaySource],
) -> (Result<Loaded, Vec<Diagnostic>>, Provenance) {
    let mut value = match parse(source) {
        Ok(value) => value,
        Err(diagnostic) => return (Err(vec![diagnostic]), Provenance::default()),
    };
    // Before anything reads the document: an overlay may change any of it, its
    // version included.
    match crate::source::overlay::apply_all(&mut value, overlays) {
        Ok(provenance) => convert_and_type(value, source, overlays, provenance),
        Err(items) => (Err(items), Provenance::default()),
    }
}

/// Converts a Swagger 2.0 document to OpenAPI 3.0 (`swagger2`), then types it. The
/// conversion's own warnings point into the 2.0 document and are located here; the
/// provenance maps what later stages say about converted content back to it.
fn convert_and_type(
    mut value: Value,
    source: &str,
    overlays: &[OverlaySource],
    mut provenance: Provenance,
) -> (Result<Loaded, Vec<Diagnostic>>, Provenance) {
    let conversion = match swagger2::convert(&mut value) {
        Ok(Some(conversion)) => conversion,
        Ok(None) => return (type_document(value), provenance),
        Err(items) => return (Err(items), provenance),
    };
    let mut own = crate::diagnostics::Diagnostics::new("");
    own.items = conversion.warnings;
    crate::diagnostics::locate::locate_overlaid(&mut own, source, &provenance, overlays);
    provenance.converted = Some(conversion.map);
    let result = match type_document(value) {
        Ok(mut loaded) => {
            loaded.declared_version = "2.0".to_owned();
            own.items.append(&mut loaded.warnings);
            loaded.warnings = own.items;
            Ok(loaded)
        }
        Err(mut items) => {
            items.append(&mut own.items);
            Err(items)
        }
    };
    (result, provenance)
}

/// The passes after parsing (and overlays): version check, normalisation, repairs,
/// references, then typing.
fn type_document(mut value: Value) -> Result<Loaded, Vec<Diagnostic>> {
    let (declared_version, version) = check_version(&value).map_err(|d| vec![d])?;
    if version == Version::V3_1 {
        crate::source::normalize::normalize_3_1(&mut value);
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
    let words = crate::naming::words::product_words(&value);
    let mut warnings = fill_info(&mut value);
    warnings.extend(crate::source::normalize::unsupported_keywords(&value));
    if version == Version::V3_1 {
        warnings.extend(crate::source::oas31::dialect(&value));
    }
    crate::source::lenient::repair(&mut value, &mut warnings);
    crate::source::lenient::server_variable_defaults(&mut value, &mut warnings);
    crate::source::lenient::inexact_integers(&value, &mut warnings);
    encoding_explode_defaults(&mut value);
    let pointed =
        crate::source::references::normalize(&mut value, &mut warnings).map_err(|d| vec![d])?;
    if version == Version::V3_1 {
        crate::source::oas31::keep_webhooks(&mut value);
    }
    // Typed straight from the borrowed tree: cloning it first doubled peak memory.
    let typed = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value);
    let document = typed.map_err(|err| {
        // serde's own error loses its place inside openapiv3's types; find it by shape.
        let (at, message) = crate::source::shape::innermost_error(&value)
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

/// Writes out OpenAPI's default `explode: true` on every Encoding Object with
/// `style: form` and no `explode`. The `openapiv3` reader types an Encoding
/// Object's `explode` as a `bool` that defaults to `false`, so without this a
/// form body's `style: form` array would be read as `tags=a,b` instead of the
/// spec's `tags=a&tags=b`. Other styles default to `false`, as the reader has it;
/// an Encoding Object without a `style` is `form` with `explode: true` in lowering
/// (`lower::params`), whatever the reader says.
fn encoding_explode_defaults(value: &mut Value) {
    let mut defaults = Vec::new();
    crate::source::structure::walk(value, &mut |kind, at, media| {
        if kind != crate::source::structure::Kind::MediaType {
            return;
        }
        let Some(encoding) = media.get("encoding").and_then(Value::as_object) else {
            return;
        };
        for (name, entry) in encoding {
            let form = entry.get("style").and_then(Value::as_str) == Some("form");
            if form && entry.get("explode").is_none() {
                let mut path = at.to_vec();
                path.extend(["encoding".to_owned(), name.clone()]);
                defaults.push(pointer(path.iter().map(String::as_str)));
            }
        }
    });
    for at in defaults {
        if let Some(Value::Object(entry)) = value.pointer_mut(at.trim_start_matches('#')) {
            entry.insert("explode".to_owned(), Value::Bool(true));
        }
    }
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
/// better from serde_json, so text that starts with `{` is parsed as JSON. Both go
/// through one visitor (`tree`): duplicate keys are errors in either, YAML merge keys
/// are resolved, integers beyond 64 bits become floats. A UTF-8 byte-order mark is
/// skipped.
pub fn parse(source: &str) -> Result<Value, Diagnostic> {
    let source = crate::diagnostics::locate::without_bom(source);
    let value = if source.trim_start().starts_with('{') {
        tree::parse(tree::Syntax::Json, |seed| {
            let mut deserializer = serde_json::Deserializer::from_str(source);
            let value = serde::de::DeserializeSeed::deserialize(seed, &mut deserializer)?;
            deserializer.end()?;
            Ok(value)
        })
        .map_err(|(err, refusal): (serde_json::Error, _)| match refusal {
            Some(refusal) => {
                let line = source.lines().nth(err.line().saturating_sub(1));
                let column = line
                    .zip(refusal.segments.last())
                    .and_then(|(line, key)| key_column(line, err.column(), key))
                    .unwrap_or(err.column());
                refused(refusal).at(err.line(), column)
            }
            None => Diagnostic::error("#", format!("not valid JSON: {err}"))
                .at(err.line(), err.column()),
        })?
    } else {
        check_characters(source)?;
        check_flow_depth(source)?;
        tree::parse(tree::Syntax::Yaml, |seed| {
            serde::de::DeserializeSeed::deserialize(
                seed,
                serde_yaml::Deserializer::from_str(source),
            )
        })
        .map_err(|(err, refusal): (serde_yaml::Error, _)| {
            let diag = match refusal {
                Some(refusal) => refused(refusal),
                None => Diagnostic::error("#", format!("not valid YAML: {err}")),
            };
            match err.location() {
                Some(loc) => diag.at(loc.line(), loc.column()),
                None => diag,
            }
        })?
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

/// The diagnostic for what the tree visitor refused, at its pointer.
fn refused(refusal: tree::Refusal) -> Diagnostic {
    let diagnostic = Diagnostic::error(pointer(&refusal.segments), refusal.message);
    match refusal.hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// serde_json places an error raised at a key just after the key: the 1-based column
/// of the key's opening quote instead, when the key is spelled without escapes before
/// `column` on `line`.
fn key_column(line: &str, column: usize, key: &str) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let before: String = line.chars().take(column).collect();
    let at = before.rfind(&quoted)?;
    Some(before[..at].chars().count() + 1)
}

/// The text as bytes -> the text, or an error at the line and column of the first byte
/// that is not UTF-8 (a file in Latin-1 or UTF-16 is the usual cause).
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::error("#", "the file is UTF-16 text, not UTF-8")
            .at(1, 1)
            .with_hint("save it as UTF-8"));
    }
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = &bytes[..err.valid_up_to()];
        // Everything before the bad byte is valid UTF-8, so lines and characters count.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[start..].chars().count() + 1;
        let byte = bytes[err.valid_up_to()];
        Diagnostic::error(
            "#",
            format!("the file is not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} does not start a valid character"),
        )
        .at(line, column)
        .with_hint("save the file as UTF-8 (a Latin-1 `é`, for example, is the one byte 0xE9)")
    })
}

/// Fails on a character YAML does not allow in its text (control characters other
/// than tab and line breaks; YAML 1.2 section 5.1), at its exact line and column:
/// libyaml reports it, but on the wrong line.
fn check_characters(source: &str) -> Result<(), Diagnostic> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    let Some((at, c)) = source.char_indices().find(|&(_, c)| !allowed(c)) else {
        return Ok(());
    };
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[start..].chars().count() + 1;
    Err(Diagnostic::error(
        "#",
        format!(
            "not valid YAML: the control character U+{:04X} is not allowed in YAML text",
            u32::from(c)
        ),
    )
    .at(line, column)
    .with_hint(
        "remove it, or write it as an escape (`\\0`, `\\x1B`) inside a double-quoted string",
    ))
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
    fn an_encoding_with_style_form_and_no_explode_explodes() {
        let source = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      requestBody:\n        content:\n          application/x-www-form-urlencoded:\n            schema: {type: object}\n            encoding:\n              form: {style: form}\n              kept: {style: form, explode: false}\n              piped: {style: pipeDelimited}\n              typed: {contentType: text/plain}\n      responses:\n        '204': {description: ok}\n";
        let loaded = load(source).expect("loads");
        let op = loaded.document.paths.paths["/a"]
            .as_item()
            .and_then(|item| item.post.as_ref())
            .expect("the operation");
        let body = op
            .request_body
            .as_ref()
            .and_then(|body| body.as_item())
            .expect("the body");
        let encoding = &body.content["application/x-www-form-urlencoded"].encoding;
        // (property, explode as read): only `style: form` without `explode` changes.
        let cases = [
            ("form", true),
            ("kept", false),
            ("piped", false),
            ("typed", false),
        ];
        for (name, explode) in cases {
            assert_eq!(encoding[name].explode, explode, "{name}");
        }
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
    fn converts_swagger_2_and_refuses_other_swagger_versions() {
        let loaded = load("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap();
        assert_eq!(loaded.declared_version, "2.0");
        let d = first_error("swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert_eq!(d.pointer, "#/swagger");
        assert!(d.message.contains("Swagger version"), "{}", d.message);
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

    /// (text, pointer, line, column, start of the message) of what parsing refuses.
    const REFUSED: &[(&str, &str, usize, usize, &str)] = &[
        (
            "{\"a\": {\"b\": 1,\n  \"b\": 2}}",
            "#/a/b",
            2,
            3,
            "duplicate key `b`",
        ),
        ("a:\n  b: 1\n  b: 2\n", "#/a/b", 3, 3, "duplicate key `b`"),
        (
            "a:\n  200: x\n  '200': y\n",
            "#/a/200",
            3,
            3,
            "duplicate key `200`",
        ),
        (
            "a:\n  - x\n  - <<: 1\n",
            "#/a/1/<<",
            3,
            5,
            "a merge key `<<`",
        ),
        (
            "a: 1\nb: \"x\u{0}\"\n",
            "#",
            2,
            6,
            "not valid YAML: the control character U+0000",
        ),
        ("a: .nan\n", "#/a", 1, 4, "a number that JSON cannot hold"),
    ];

    #[test]
    fn refusals_name_pointer_line_and_column() {
        for &(text, at, line, column, message) in REFUSED {
            let d = parse(text).expect_err(text);
            assert_eq!(
                (d.pointer.as_str(), d.line, d.column),
                (at, Some(line), Some(column)),
                "{text:?}: {}",
                d.message
            );
            assert!(d.message.starts_with(message), "{text:?}: {}", d.message);
        }
    }

    #[test]
    fn merge_keys_huge_integers_and_byte_order_marks_are_read() {
        let yaml = "\u{feff}base: &b {x: 1, y: 2}\nc:\n  <<: [*b, {z: 3}]\n  x: 0\nbig: 99999999999999999999999\nneg: -99999999999999999999999\n";
        let value = parse(yaml).unwrap();
        assert_eq!(value["c"], serde_json::json!({"x": 0, "y": 2, "z": 3}));
        assert_eq!(value["big"].as_f64(), Some(1e23));
        assert_eq!(value["neg"].as_f64(), Some(-1e23));
        let json = "\u{feff}{\"big\": 99999999999999999999999, \"<<\": 1}";
        let value = parse(json).unwrap();
        assert_eq!(value["big"].as_f64(), Some(1e23));
        // Only YAML has merge keys.
        assert_eq!(value["<<"], 1);
    }

    #[test]
    fn text_that_is_not_utf8_is_located() {
        let d = decode(b"a: 1\nb: caf\xe9\n").unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(7)));
        assert!(d.message.contains("byte 0xE9"), "{}", d.message);
        assert!(decode(b"\xff\xfea\x00")
            .unwrap_err()
            .message
            .contains("UTF-16"));
        assert_eq!(decode("é".as_bytes()).unwrap(), "é");
    }

    #[test]
    fn type_errors_name_the_pointer() {
        let d = first_error("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 5\n");
        assert_eq!(d.pointer, "#/paths/~1a/get/responses");
    }
}
