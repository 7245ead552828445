//! Lenient readings of a `$ref` that points at the wrong kind of object: a schema
//! where a response belongs, a response or a parameter where a schema belongs. Real
//! documents have them (`400: {$ref: '#/components/schemas/BadRequest'}` beside a
//! `#/components/responses/BadRequest`), and each has one obvious reading, taken with a
//! located warning by [`crate::source::references`] instead of refusing the document:
//!
//! 1. The entry of the same name in the section where the object belongs, when there
//!    is one: `#/components/schemas/BadRequest` where a response belongs reads
//!    `#/components/responses/BadRequest`.
//! 2. Otherwise, a schema where a response or request body belongs is the JSON body
//!    of one: `content: {application/json: {schema: {$ref: ...}}}`.
//! 3. Otherwise, a parameter, header, response, request body or media type where a
//!    schema belongs stands for the schema it holds: its `schema` (a parameter's,
//!    header's or media type's), or the schema of its content for the media type the
//!    reference sits in (else the first JSON one, else the first); one that holds no
//!    schema is any value.
//!
//! Any other mismatch (a parameter where a response belongs) has no obvious reading
//! and stays an error.

use crate::diagnostics::pointer;
use crate::source::media::is_json_media;
use crate::source::structure::Kind;
use serde_json::{json, Value};

/// What a misplaced reference is read as: the value that replaces the reference
/// object, and the reading in words for the warning.
pub(crate) struct Reading {
    pub value: Value,
    pub reading: String,
}

/// The reading of a `$ref` at `at`, where an object of kind `want` belongs, whose
/// target (canonical pointer segments) is an object of kind `found`; `None` when the
/// mismatch has no obvious reading.
pub(crate) fn reading(
    document: &Value,
    want: Kind,
    found: Kind,
    at: &[String],
    target: &[String],
) -> Option<Reading> {
    if let Some(reading) = same_name(document, want, target) {
        return Some(reading);
    }
    match (want, found) {
        (Kind::Response | Kind::RequestBody, Kind::Schema) => {
            let schema = document.pointer(&slash(target))?;
            let mut body = json!({
                "content": {"application/json": {"schema": {"$ref": pointer(target)}}}
            });
            if want == Kind::Response {
                let description = schema
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                body["description"] = Value::from(description);
            }
            Some(Reading {
                value: body,
                reading: format!(
                    "{} whose `application/json` body is that schema",
                    article(want)
                ),
            })
        }
        (
            Kind::Schema,
            Kind::Parameter | Kind::Header | Kind::Response | Kind::RequestBody | Kind::MediaType,
        ) => {
            let holder = document.pointer(&slash(target))?;
            let inner = held_schema(holder, media_type_of(at));
            Some(match inner {
                Some(path) => {
                    let mut schema = target.to_vec();
                    schema.extend(path);
                    Reading {
                        value: json!({ "$ref": pointer(&schema) }),
                        reading: format!("the schema it holds, `{}`", pointer(&schema)),
                    }
                }
                None => Reading {
                    value: json!({}),
                    reading: format!("any value, since that {} holds no schema", noun(found)),
                },
            })
        }
        _ => None,
    }
}

/// Rule 1: `#/components/<other section>/<name>` -> `#/components/<section>/<name>`.
fn same_name(document: &Value, want: Kind, target: &[String]) -> Option<Reading> {
    let [components, _, name] = target else {
        return None;
    };
    let section = want.section()?;
    if components != "components" {
        return None;
    }
    document.get("components")?.get(section)?.get(name)?;
    let reference = pointer(["components", section, name.as_str()]);
    Some(Reading {
        value: json!({ "$ref": reference }),
        reading: format!("`{reference}`, the {} of the same name", noun(want)),
    })
}

/// The path, below `holder`, of the schema it holds (see the module docs, rule 3).
fn held_schema(holder: &Value, media_type: Option<&str>) -> Option<Vec<String>> {
    if holder.get("schema").is_some() {
        return Some(vec!["schema".to_owned()]);
    }
    let content = holder.get("content")?.as_object()?;
    let with_schema = |name: &&String| content[name.as_str()].get("schema").is_some();
    let chosen = media_type
        .and_then(|wanted| content.keys().find(|name| *name == wanted))
        .filter(with_schema)
        .or_else(|| {
            content
                .keys()
                .filter(with_schema)
                .find(|name| is_json_media(name))
        })
        .or_else(|| content.keys().find(with_schema))?;
    Some(vec![
        "content".to_owned(),
        chosen.clone(),
        "schema".to_owned(),
    ])
}

/// The media type whose `schema` the pointer `at` is in, if any
/// (`.../content/text~1vtt/schema/...` -> `text/vtt`).
fn media_type_of(at: &[String]) -> Option<&str> {
    at.windows(3)
        .rev()
        .find(|w| w[0] == "content" && w[2] == "schema")
        .map(|w| w[1].as_str())
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::PathItem => "path item",
        Kind::Operation => "operation",
        Kind::Parameter => "parameter",
        Kind::RequestBody => "request body",
        Kind::MediaType => "media type",
        Kind::Response => "response",
        Kind::Header => "header",
        Kind::Schema => "schema",
        Kind::Example => "example",
        Kind::Link => "link",
        Kind::Callback => "callback",
        Kind::SecurityScheme => "security scheme",
    }
}

fn article(kind: Kind) -> String {
    let noun = noun(kind);
    let an = matches!(
        noun.as_bytes().first(),
        Some(b'a' | b'e' | b'i' | b'o' | b'u')
    );
    format!("{} {noun}", if an { "an" } else { "a" })
}

/// serde_json's pointer syntax: RFC 6901 without the URI fragment's `#`.
fn slash(segments: &[String]) -> String {
    pointer(segments).trim_start_matches('#').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(pointer: &str) -> Vec<String> {
        crate::diagnostics::pointer::decode(pointer).expect("a pointer")
    }

    #[test]
    fn each_mismatch_has_its_reading() {
        let document = json!({"components": {
            "schemas": {
                "Twin": {"type": "object"},
                "Lonely": {"type": "object", "description": "Only a schema."}
            },
            "responses": {
                "Twin": {"description": "the response"},
                "Text": {"description": "t", "content": {
                    "application/x-subrip": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}}
                }},
                "Bare": {"description": "no content"}
            },
            "parameters": {"Fields": {"name": "f", "in": "query", "schema": {"type": "array"}}},
            "headers": {"Limit": {"content": {"text/plain": {"schema": {"type": "integer"}}}}}
        }});
        let subrip = segments("#/paths/~1a/get/responses/200/content/application~1x-subrip/schema");
        // (want, found, at, target, the value it is read as)
        let cases = [
            (
                Kind::Response,
                Kind::Schema,
                vec![],
                "#/components/schemas/Twin",
                json!({"$ref": "#/components/responses/Twin"}),
            ),
            (
                Kind::Schema,
                Kind::Response,
                vec![],
                "#/components/responses/Twin",
                json!({"$ref": "#/components/schemas/Twin"}),
            ),
            (
                Kind::Response,
                Kind::Schema,
                vec![],
                "#/components/schemas/Lonely",
                json!({"description": "Only a schema.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lonely"}}}}),
            ),
            (
                Kind::RequestBody,
                Kind::Schema,
                vec![],
                "#/components/schemas/Lonely",
                json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lonely"}}}}),
            ),
            (
                Kind::Schema,
                Kind::Response,
                subrip.clone(),
                "#/components/responses/Text",
                json!({"$ref": "#/components/responses/Text/content/application~1x-subrip/schema"}),
            ),
            (
                Kind::Schema,
                Kind::Response,
                vec![],
                "#/components/responses/Text",
                json!({"$ref": "#/components/responses/Text/content/application~1json/schema"}),
            ),
            (
                Kind::Schema,
                Kind::Response,
                subrip,
                "#/components/responses/Bare",
                json!({}),
            ),
            (
                Kind::Schema,
                Kind::Parameter,
                vec![],
                "#/components/parameters/Fields",
                json!({"$ref": "#/components/parameters/Fields/schema"}),
            ),
            (
                Kind::Schema,
                Kind::Header,
                vec![],
                "#/components/headers/Limit",
                json!({"$ref": "#/components/headers/Limit/content/text~1plain/schema"}),
            ),
        ];
        for (want, found, at, target, expected) in cases {
            let read = reading(&document, want, found, &at, &segments(target))
                .unwrap_or_else(|| panic!("{target} has a reading"));
            assert_eq!(read.value, expected, "{target} where {want:?} belongs");
        }
        // No obvious reading: a parameter where a response belongs.
        assert!(reading(
            &document,
            Kind::Response,
            Kind::Parameter,
            &[],
            &segments("#/components/parameters/Fields")
        )
        .is_none());
    }
}
