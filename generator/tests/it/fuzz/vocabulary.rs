//! Vocabulary: the odd keys, strings, types, keywords and paths mutations draw from,
//! and the strategies of the building blocks (keys, scalars, schemas, parameters, operations).

use super::*;

/// Keys and strings that have broken generators before: keywords, prelude names, JSON
/// pointer and YAML syntax, identifiers that start with digits, odd unicode, long names.
pub(super) const ODD: &[&str] = &[
    "",
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "1st",
    "$ref",
    "a/b",
    "~",
    "~0",
    "~1",
    "/",
    "#",
    "_",
    "__",
    "-",
    "+",
    "+1",
    "-1",
    "a b",
    "a-b",
    "a.b",
    "A_b",
    "r#type",
    "r#",
    "fn",
    "async",
    "match",
    "mod",
    "union",
    "dyn",
    "try",
    "gen",
    "abstract",
    "macro_rules",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Some",
    "Error",
    "Client",
    "Empty",
    "V1",
    "_1",
    "0",
    "200",
    "2XX",
    "default",
    "null",
    "true",
    "1e3",
    "x-foo",
    "ü",
    "ñame",
    "名前",
    "Ⅷ",
    "²",
    "ǅ",
    "ß",
    "İ",
    "ﬁ",
    "🦀",
    "\u{200b}",
    "\u{0}",
    "\u{feff}",
    "\n",
    "\r\n",
    "\r",
    "\u{85}",
    "\u{2028}",
    "\u{7f}",
    "\u{1b}[31m",
    "```",
    "```rust\nfn x() {}",
    "[a](b)",
    "<http://x>",
    "http://x/(a)_b",
    "\t",
    "\"",
    "'",
    "\\",
    "{",
    "}",
    "{id}",
    "${x}",
    "%20",
    "*/",
    "/*",
    "//",
    "#[",
    "\"#",
    "r#\"",
    "<b>",
    "`",
    "http://example.com/a",
    "iModel",
    "iTwin",
    "IModels",
    "iModelId",
];

pub(super) const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null", "file", "", "String",
    "any",
];

pub(super) const FORMATS: &[&str] = &[
    "int32",
    "int64",
    "float",
    "double",
    "byte",
    "binary",
    "date",
    "date-time",
    "uuid",
    "uri",
    "email",
    "password",
    "",
    "uint8",
    "decimal",
    "duration",
    "time",
];

pub(super) const KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "const",
    "nullable",
    "additionalProperties",
    "properties",
    "required",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "discriminator",
    "default",
    "example",
    "examples",
    "description",
    "title",
    "readOnly",
    "writeOnly",
    "deprecated",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "pattern",
    "$ref",
    "x-extension",
    "prefixItems",
    "$defs",
    "content",
    "schema",
    "operationId",
    "parameters",
    "responses",
    "requestBody",
    "in",
    "name",
];

pub(super) const VERSIONS: &[&str] = &[
    "3.0.0",
    "3.0.3",
    "3.0.4",
    "3.1.0",
    "3.1.1",
    "3.0",
    "3.1",
    "3.2.0",
    "3.1.0-rc0",
    "3.0.",
    "3.1.",
    "3.0.x",
    "2.0",
    "4.0.0",
    "3",
    "",
    " 3.1.0",
    "3.1.0\n",
];

pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) const ODD_METHODS: &[&str] =
    &["GET", "parameters", "summary", "servers", "x-ext", "$ref"];

pub(super) const MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/problem+json",
    "application/vnd.bentley.itwin-platform.v2+json",
    "text/plain",
    "text/html",
    "*/*",
    "application/*",
    "application/octet-stream",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/xml",
    "",
    "json",
];

pub(super) const STATUSES: &[&str] = &[
    "200", "201", "202", "204", "206", "301", "302", "304", "400", "404", "500", "2XX", "4XX",
    "5XX", "default", "0", "99", "600", "999", "1XX", "abc", "",
];

pub(super) const LOCATIONS: &[&str] = &["path", "query", "header", "cookie", "body", "", "PATH"];

pub(super) const PATHS: &[&str] = &[
    "/",
    "",
    "/a",
    "/{id}",
    "/{id}/{id}",
    "/{}",
    "/{a}{b}",
    "/{a b}",
    "/{ü}",
    "/{type}",
    "/{self}",
    "/a/{id}/b/{Id}",
    "/{id",
    "/id}",
    "no-slash",
    "/a//b",
    "/{1}",
    "/%7Bid%7D",
    "/a?b=c",
    "/a#frag",
    "/{$ref}",
    "/x-y/{x-y}",
    "/🦀/{🦀}",
    "/{{id}}",
    "/imodels",
    "/imodels/{id}",
];

/// `$ref`s that do not point at anything useful, or in an odd way.
pub(super) const ODD_REFS: &[&str] = &[
    "",
    "#",
    "#/",
    "#//",
    "#/components",
    "#/components/schemas",
    "#/components/schemas/",
    "#/components/schemas//",
    "#/components/schemas/Nope",
    "#/components/schemas/~1",
    "#/components/schemas/~",
    "#/components/schemas/a~2b",
    "#/components/schemas/%7B",
    "#/components/schemas/Error/properties/code",
    "#/components/schemas/IModel/properties/id",
    "#/components/parameters/Nope",
    "#/components/responses/Nope",
    "#/components/requestBodies/Nope",
    "#/components/headers/Nope",
    "#/definitions/A",
    "#/paths/~1imodels",
    "other.yaml#/components/schemas/A",
    "http://example.com/x.json",
    "components/schemas/A",
];

/// Text that means something to YAML (or to the locator), for textual insertions.
pub(super) const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "-",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!str ",
    "!!binary ",
    "!!int ",
    "!!map ",
    "!custom ",
    "<<: *a\n",
    "? ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{feff}",
    "#",
    ",",
    "~",
    "null",
    ".nan",
    ".inf",
    "-.inf",
    "0x1F",
    "1e400",
    "99999999999999999999999",
    "é",
    "🦀",
    "\\",
    "$ref: '#/components/schemas/Nope'",
    "$ref: '#'",
    "\n  - ",
    "  ",
    "\u{85}",
    "\u{2028}",
    "y",
    "no",
    "openapi: 3.1.0\n",
    "type: [string, 'null']",
    "nullable: true",
];

/// Text to repeat many times: nesting, long runs, and anchors that alias each other.
pub(super) const REPEATED: &[&str] = &[
    "[",
    "{",
    "{a: ",
    "- ",
    "  ",
    "a",
    "\n",
    "x: 1\n",
    "- x\n",
    "&a [*a, *a] ",
    "<<: *a\n",
    "'",
    "\\",
    "#/",
];

/// A YAML alias bomb: nine levels of nine aliases each.
pub(super) const ALIAS_BOMB: &str = "a0: &a0 [x, x, x, x, x, x, x, x, x]\na1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\na2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\na3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\na4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\na5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\na6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]\na7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]\na8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]\n";

pub(super) fn key() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(ODD).prop_map(str::to_owned),
        2 => "[a-zA-Z_][a-zA-Z0-9_]{0,10}",
        1 => ".{0,6}",
        1 => (select(ODD), select(ODD)).prop_map(|(a, b)| format!("{a}{b}")),
        1 => (1usize..400, select(&["a", "ü", "A", "_", "9", "Ab"][..]))
            .prop_map(|(n, s)| s.repeat(n)),
    ]
    .boxed()
}

pub(super) fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => select(&[0i64, 1, -1, 2, 200, 404, 255, 256, i64::MAX, i64::MIN][..]).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::from(u64::MAX)),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => select(&[0.5f64, -0.0, 1e300, 1.5, 3.1][..]).prop_map(Value::from),
        3 => key().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, biased towards small ones.
pub(super) fn json_value() -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((key(), inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
        .boxed()
}

/// Marks a `$ref` to the n-th component schema, resolved once the edits are applied.
pub(super) const COMPONENT_MARK: char = '\u{1}';

pub(super) fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Something shaped like a schema: mostly valid, sometimes not.
pub(super) fn schema() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        3 => select(TYPES).prop_map(|t| object(vec![("type", t.into())])),
        2 => (select(TYPES), select(FORMATS))
            .prop_map(|(t, f)| object(vec![("type", t.into()), ("format", f.into())])),
        3 => any::<u8>().prop_map(|n| object(vec![("$ref", format!("{COMPONENT_MARK}{n}").into())])),
        1 => key().prop_map(|k| object(vec![("$ref", format!("#/components/schemas/{k}").into())])),
        1 => select(ODD_REFS).prop_map(|r| object(vec![("$ref", r.into())])),
        1 => Just(object(vec![])),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        2 => (select(TYPES), proptest::collection::vec(scalar(), 0..5))
            .prop_map(|(t, e)| object(vec![("type", t.into()), ("enum", Value::Array(e))])),
        1 => proptest::collection::vec(scalar(), 0..5)
            .prop_map(|e| object(vec![("enum", Value::Array(e))])),
        1 => scalar().prop_map(|c| object(vec![("const", c)])),
        1 => Just(object(vec![("nullable", true.into())])),
        1 => select(TYPES).prop_map(|t| object(vec![("type", Value::from(vec![t, "null"]))])),
        1 => proptest::collection::vec(select(TYPES), 0..4)
            .prop_map(|t| object(vec![("type", Value::from(t))])),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            3 => (
                proptest::collection::vec((key(), inner.clone()), 0..4),
                proptest::collection::vec(key(), 0..3),
            )
                .prop_map(|(properties, required)| object(vec![
                    ("type", "object".into()),
                    ("properties", Value::Object(properties.into_iter().collect())),
                    ("required", Value::from(required)),
                ])),
            2 => inner.clone().prop_map(|items| object(vec![("type", "array".into()), ("items", items)])),
            3 => (select(&["allOf", "oneOf", "anyOf"][..]), proptest::collection::vec(inner.clone(), 0..4))
                .prop_map(|(k, members)| object(vec![(k, Value::Array(members))])),
            1 => inner.clone().prop_map(|extra| object(vec![("type", "object".into()), ("additionalProperties", extra)])),
            1 => any::<bool>().prop_map(|b| object(vec![("type", "object".into()), ("additionalProperties", b.into())])),
            1 => inner.clone().prop_map(|not| object(vec![("not", not)])),
            2 => (proptest::collection::vec(inner.clone(), 1..4), key(), proptest::collection::vec((key(), any::<u8>()), 0..3))
                .prop_map(|(members, property, mapping)| object(vec![
                    ("oneOf", Value::Array(members)),
                    ("discriminator", object(vec![
                        ("propertyName", property.into()),
                        ("mapping", Value::Object(mapping.into_iter().map(|(k, n)| (k, format!("{COMPONENT_MARK}{n}").into())).collect())),
                    ])),
                ])),
            2 => (inner, select(&["nullable", "description", "readOnly", "default", "title", "deprecated", "example"][..]), scalar())
                .prop_map(|(mut schema, k, v)| {
                    if let Value::Object(map) = &mut schema {
                        map.insert(k.to_owned(), v);
                    }
                    schema
                }),
        ]
    })
    .boxed()
}

pub(super) fn media() -> BoxedStrategy<Value> {
    proptest::collection::vec((select(MEDIA_TYPES), proptest::option::of(schema())), 0..3)
        .prop_map(|entries| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(media, schema)| {
                        let body = match schema {
                            Some(s) => object(vec![("schema", s)]),
                            None => object(vec![]),
                        };
                        (media.to_owned(), body)
                    })
                    .collect(),
            )
        })
        .boxed()
}

pub(super) fn parameter() -> BoxedStrategy<Value> {
    (
        key(),
        prop_oneof![
            6 => select(&LOCATIONS[..4]),
            1 => select(LOCATIONS),
        ],
        proptest::option::of(any::<bool>()),
        prop_oneof![
            4 => schema().prop_map(Some),
            1 => Just(None),
        ],
        proptest::option::of(media()),
        proptest::option::of(select(&["form", "simple", "deepObject", "matrix", "x"][..])),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(name, location, required, schema, content, style, explode)| {
                let mut map = Map::new();
                map.insert("name".into(), name.into());
                map.insert("in".into(), location.into());
                if let Some(required) = required {
                    map.insert("required".into(), required.into());
                }
                if let Some(schema) = schema {
                    map.insert("schema".into(), schema);
                }
                if let Some(content) = content {
                    map.insert("content".into(), content);
                }
                if let Some(style) = style {
                    map.insert("style".into(), style.into());
                }
                if let Some(explode) = explode {
                    map.insert("explode".into(), explode.into());
                }
                Value::Object(map)
            },
        )
        .boxed()
}

pub(super) fn operation() -> BoxedStrategy<Value> {
    (
        proptest::option::of(key()),
        proptest::collection::vec(parameter(), 0..3),
        proptest::option::of((media(), any::<bool>())),
        proptest::collection::vec((select(STATUSES), proptest::option::of(media())), 0..4),
        proptest::option::of(key()),
    )
        .prop_map(|(id, parameters, body, responses, summary)| {
            let mut map = Map::new();
            if let Some(id) = id {
                map.insert("operationId".into(), id.into());
            }
            if let Some(summary) = summary {
                map.insert("summary".into(), summary.into());
            }
            if !parameters.is_empty() {
                map.insert("parameters".into(), Value::Array(parameters));
            }
            if let Some((content, required)) = body {
                map.insert(
                    "requestBody".into(),
                    object(vec![("content", content), ("required", required.into())]),
                );
            }
            let responses = responses
                .into_iter()
                .map(|(status, content)| {
                    let mut response = object(vec![("description", "d".into())]);
                    if let (Some(content), Value::Object(map)) = (content, &mut response) {
                        map.insert("content".into(), content);
                    }
                    (status.to_owned(), response)
                })
                .collect();
            map.insert("responses".into(), Value::Object(responses));
            Value::Object(map)
        })
        .boxed()
}
