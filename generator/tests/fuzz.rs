//! Fuzzing the whole pipeline (hand-written test): whatever spec text it is given,
//! `generator::generate` returns (no panic), returns in time (no hang), and only emits
//! files that parse.
//!
//! Seeds are the real inputs: `spec/imodels.yaml`, every `tests/fixtures/*.yaml` and every
//! broken spec in `tests/errors/`. Two tests mutate them at two levels:
//! - `structural_mutations`: the seed as a JSON value, edited (keys deleted or renamed to
//!   odd strings, values swapped for other JSON types, subtrees copied elsewhere, `$ref`s
//!   to existing, missing, self-referencing and cyclic pointers, deep nesting, odd
//!   `openapi` versions, random `oneOf`/`allOf`/`anyOf`/`enum`/`nullable`/
//!   `additionalProperties`/..., odd parameters and operations), then written back as
//!   YAML, JSON or pretty JSON;
//! - `textual_mutations`: bit flips, cuts, truncation, line moves, re-indentation and
//!   YAML-significant insertions on the seed's text, for the parser and the locator.
//!
//! Each case runs on a thread of its own under `catch_unwind` and must answer within
//! `FUZZ_TIMEOUT_MS`. On `Ok`, every `.rs` file must parse with `syn::parse_file` (which
//! also checks every identifier) and `Cargo.toml` must parse as TOML; on `Err`, there
//! must be an error and no "internal error". Every diagnostic, error or warning, needs
//! a message, a pointer that starts with `#`, and a line (when it has one) inside the
//! source.
//!
//! Cases come from proptest strategies driven by a fixed RNG seed, so every run is the
//! same. A failing case is shrunk with proptest's value tree, then reduced further
//! (parts of the spec deleted, nesting collapsed, strings shortened) while the same
//! failure persists. The run goes on after a failure; every distinct failure is
//! reported at the end, with its reduced input (also written to `target/tmp/fuzz/`),
//! and then the test fails. Proptest's own runner and failure persistence are not used.
//!
//! A stack overflow aborts the whole process, which no `catch_unwind` survives. So each
//! test runs its cases in a child process (this test binary, filtered to that test),
//! which logs every input before running it; when the child dies, the parent reduces
//! the logged input by replaying candidates in more child processes (the `replay`
//! test) and starts a new child at the next case.
//!
//! Environment (all optional):
//! - `FUZZ_CASES`: cases per test (default 150 each; both tests together take about
//!   15 s in a debug build on two cores).
//! - `FUZZ_SEED`: the RNG seed, a u64, for a different but repeatable run.
//! - `FUZZ_TIMEOUT_MS`: the time bound per case (default 5000).
//! - `FUZZ_REPLAY`: a spec file to run once through the same checks, printing the
//!   outcome (with `FUZZ_WORDS='["iModel"]'` for compound words); for a saved failure.
//!
//! A long local run, then a replay:
//! `FUZZ_CASES=20000 cargo test --release -p generator --test fuzz -- --nocapture`
//! `FUZZ_REPLAY=target/tmp/fuzz/structural-failure-12.txt cargo test -p generator --test fuzz replay -- --nocapture`

mod common;

use generator::{Diagnostics, GeneratedFiles, Settings};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Knobs

const DEFAULT_CASES: usize = 150;
const DEFAULT_SEED: u64 = 0x0005_eed0_fa91_c1e7;
const DEFAULT_TIMEOUT_MS: u64 = 5000;
/// Proptest shrink steps per failure, then reduction attempts per failure.
const SHRINK_STEPS: usize = 2000;
const REDUCE_ATTEMPTS: usize = 3000;
const REDUCE_TIME: Duration = Duration::from_secs(90);
/// A hang costs a leaked thread per attempt; shrink those only a little.
const HANG_ATTEMPTS: usize = 6;
/// Reducing a crash starts a process per attempt.
const CRASH_REDUCE_ATTEMPTS: usize = 1500;
const WORKER_STACK: usize = 8 << 20;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {text:?}")),
        Err(_) => default,
    }
}

fn timeout() -> Duration {
    Duration::from_millis(env_number("FUZZ_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    std::fs::create_dir_all(&dir).expect("can create target/tmp/fuzz");
    dir
}

// ---------------------------------------------------------------------------------------
// Seeds

struct Seed {
    name: String,
    /// `spec`, `fixtures` or `errors`.
    dir: String,
    text: String,
    /// The seed as JSON, when it parses to one; only these get structural edits.
    value: Option<Value>,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![common::workspace_root().join("spec/imodels.yaml")];
        for dir in ["tests/fixtures", "tests/errors"] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(manifest.join(dir))
                .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
                .map(|entry| entry.expect("directory entry").path())
                .filter(|path| path.is_file())
                .collect();
            files.sort();
            paths.extend(files);
        }
        for name in common::FIXTURES {
            assert!(
                paths.iter().any(|p| p.ends_with(format!("{name}.yaml"))),
                "fixture {name} is not among the seeds"
            );
        }
        paths
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                // Two error fixtures are not UTF-8 on purpose; as seeds, their text will do.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let dir = path.parent().and_then(|p| p.file_name()).unwrap();
                Seed {
                    name: path.file_name().unwrap().to_string_lossy().into_owned(),
                    dir: dir.to_string_lossy().into_owned(),
                    value: to_json(&text),
                    text,
                }
            })
            .collect()
    })
}

/// YAML or JSON text -> JSON, with scalar keys as strings (`200:` -> `"200"`).
fn to_json(text: &str) -> Option<Value> {
    fn convert(yaml: serde_yaml::Value) -> Option<Value> {
        use serde_yaml::Value as Y;
        Some(match yaml {
            Y::Null => Value::Null,
            Y::Bool(b) => Value::Bool(b),
            Y::Number(n) => serde_json::to_value(&n).ok()?,
            Y::String(s) => Value::String(s),
            Y::Sequence(items) => {
                Value::Array(items.into_iter().map(convert).collect::<Option<Vec<_>>>()?)
            }
            Y::Mapping(map) => {
                let mut out = Map::new();
                for (key, value) in map {
                    let key = match key {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        Y::Null => "null".to_owned(),
                        _ => return None,
                    };
                    out.insert(key, convert(value)?);
                }
                Value::Object(out)
            }
            Y::Tagged(tagged) => convert(tagged.value)?,
        })
    }
    convert(serde_yaml::from_str(text).ok()?)
}

// ---------------------------------------------------------------------------------------
// Vocabulary

/// Keys and strings that have broken generators before: keywords, prelude names, JSON
/// pointer and YAML syntax, identifiers that start with digits, odd unicode, long names.
const ODD: &[&str] = &[
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

const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null", "file", "", "String",
    "any",
];

const FORMATS: &[&str] = &[
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

const KEYWORDS: &[&str] = &[
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

const VERSIONS: &[&str] = &[
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

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const ODD_METHODS: &[&str] = &["GET", "parameters", "summary", "servers", "x-ext", "$ref"];

const MEDIA_TYPES: &[&str] = &[
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

const STATUSES: &[&str] = &[
    "200", "201", "202", "204", "206", "301", "302", "304", "400", "404", "500", "2XX", "4XX",
    "5XX", "default", "0", "99", "600", "999", "1XX", "abc", "",
];

const LOCATIONS: &[&str] = &["path", "query", "header", "cookie", "body", "", "PATH"];

const PATHS: &[&str] = &[
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
const ODD_REFS: &[&str] = &[
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
const TOKENS: &[&str] = &[
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
const REPEATED: &[&str] = &[
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
const ALIAS_BOMB: &str = "a0: &a0 [x, x, x, x, x, x, x, x, x]\na1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\na2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\na3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\na4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\na5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\na6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]\na7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]\na8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]\n";

fn key() -> BoxedStrategy<String> {
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

fn scalar() -> BoxedStrategy<Value> {
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
fn json_value() -> BoxedStrategy<Value> {
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
const COMPONENT_MARK: char = '\u{1}';

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Something shaped like a schema: mostly valid, sometimes not.
fn schema() -> BoxedStrategy<Value> {
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

fn media() -> BoxedStrategy<Value> {
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

fn parameter() -> BoxedStrategy<Value> {
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

fn operation() -> BoxedStrategy<Value> {
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

// ---------------------------------------------------------------------------------------
// Structural edits

/// Which nodes a pick chooses among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Any,
    Object,
    Schema,
    Operation,
    /// `paths./x`.
    PathItem,
    /// Strings that become names or docs: `name`, `operationId`, `title`, ...
    Name,
}

/// The `index`-th node of a class (modulo how many there are), in document order.
#[derive(Debug, Clone, Copy)]
struct Pick {
    class: Class,
    index: u64,
}

#[derive(Debug, Clone)]
enum RefTarget {
    Node(Pick),
    Itself,
    /// The n-th ancestor of the node (so the reference contains itself).
    Ancestor(u8),
    Fixed(String),
}

#[derive(Debug, Clone, Copy)]
enum Wrap {
    Items,
    AllOf,
    OneOf,
    Property,
    AdditionalProperties,
    Not,
    Array,
    Object,
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(Pick),
    Replace(Pick, Value),
    Duplicate {
        from: Pick,
        to: Pick,
        key: String,
    },
    Rename {
        at: Pick,
        key: String,
    },
    Ref {
        at: Pick,
        target: RefTarget,
        keep_siblings: bool,
    },
    Cycle(Pick, Pick),
    Nest {
        at: Pick,
        depth: usize,
        wrap: Wrap,
    },
    Version(Value),
    Keyword {
        at: Pick,
        keyword: String,
        value: Value,
    },
    Parameter {
        at: Pick,
        parameter: Value,
    },
    Operation {
        path: String,
        method: String,
        operation: Value,
    },
    /// `count` properties whose names differ only in ways naming drops (`x`, `x_`,
    /// `X`, `x-`, ...), for the collision resolver. Counts stay small enough that a
    /// debug build is far from the time bound: resolving n colliding names is O(n^2).
    Crowd {
        at: Pick,
        count: usize,
    },
    /// `count` copies of an operation whose ids collide once converted (`getX`, `get_x`).
    ManyOperations {
        from: Pick,
        count: usize,
    },
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Yaml,
    Json,
    PrettyJson,
}

#[derive(Debug, Clone)]
struct StructuralCase {
    seed: usize,
    edits: Vec<Edit>,
    format: Format,
    words: Vec<String>,
}

fn pick(class: Class) -> BoxedStrategy<Pick> {
    any::<u64>()
        .prop_map(move |index| Pick { class, index })
        .boxed()
}

fn any_pick() -> BoxedStrategy<Pick> {
    prop_oneof![
        6 => pick(Class::Schema),
        2 => pick(Class::Any),
        1 => pick(Class::Object),
        1 => pick(Class::Operation),
        1 => pick(Class::PathItem),
    ]
    .boxed()
}

/// Where a rename does the most: names that become Rust identifiers.
fn name_pick() -> BoxedStrategy<Pick> {
    prop_oneof![
        4 => pick(Class::Schema),
        1 => pick(Class::PathItem),
        1 => pick(Class::Operation),
        1 => pick(Class::Any),
    ]
    .boxed()
}

fn keyword_edit() -> BoxedStrategy<(String, Value)> {
    let members = proptest::collection::vec(schema(), 0..4).prop_map(Value::Array);
    prop_oneof![
        3 => (select(&["allOf", "oneOf", "anyOf"][..]).prop_map(str::to_owned), members),
        2 => (Just("enum".to_owned()), proptest::collection::vec(scalar(), 0..5).prop_map(Value::Array)),
        1 => (Just("enum".to_owned()), json_value()),
        1 => (Just("nullable".to_owned()), prop_oneof![3 => any::<bool>().prop_map(Value::Bool), 1 => scalar()]),
        2 => (Just("additionalProperties".to_owned()), prop_oneof![any::<bool>().prop_map(Value::Bool), schema()]),
        2 => (Just("type".to_owned()), prop_oneof![
            3 => select(TYPES).prop_map(Value::from),
            1 => proptest::collection::vec(select(TYPES), 0..4).prop_map(Value::from),
            1 => scalar(),
        ]),
        1 => (Just("format".to_owned()), select(FORMATS).prop_map(Value::from)),
        1 => (Just("required".to_owned()), proptest::collection::vec(key(), 0..3).prop_map(Value::from)),
        2 => (Just("properties".to_owned()), proptest::collection::vec((key(), schema()), 0..4)
            .prop_map(|p| Value::Object(p.into_iter().collect()))),
        1 => (Just("items".to_owned()), schema()),
        1 => (Just("discriminator".to_owned()), key().prop_map(|p| object(vec![("propertyName", p.into())]))),
        1 => (select(&["const", "default", "example", "description", "title"][..]).prop_map(str::to_owned), scalar()),
        1 => (select(KEYWORDS).prop_map(str::to_owned), json_value()),
        1 => (key(), json_value()),
    ]
    .boxed()
}

fn edit() -> BoxedStrategy<Edit> {
    prop_oneof![
        2 => any_pick().prop_map(Edit::Delete),
        2 => (any_pick(), prop_oneof![1 => json_value(), 3 => schema()])
            .prop_map(|(p, v)| Edit::Replace(p, v)),
        3 => (pick(Class::Name), key()).prop_map(|(p, k)| Edit::Replace(p, Value::String(k))),
        1 => (any_pick(), any_pick(), key())
            .prop_map(|(from, to, key)| Edit::Duplicate { from, to, key }),
        4 => (name_pick(), key()).prop_map(|(at, key)| Edit::Rename { at, key }),
        3 => (
            pick(Class::Schema),
            prop_oneof![
                4 => pick(Class::Schema).prop_map(RefTarget::Node),
                1 => pick(Class::Any).prop_map(RefTarget::Node),
                1 => Just(RefTarget::Itself),
                1 => any::<u8>().prop_map(RefTarget::Ancestor),
                1 => select(ODD_REFS).prop_map(|r| RefTarget::Fixed(r.to_owned())),
                1 => key().prop_map(|k| RefTarget::Fixed(format!("#/components/schemas/{k}"))),
            ],
            any::<bool>(),
        )
            .prop_map(|(at, target, keep_siblings)| Edit::Ref { at, target, keep_siblings }),
        1 => (any_pick(), any_pick(), any::<bool>()).prop_map(|(at, to, keep_siblings)| {
            Edit::Ref { at, target: RefTarget::Node(to), keep_siblings }
        }),
        2 => (pick(Class::Schema), pick(Class::Schema)).prop_map(|(a, b)| Edit::Cycle(a, b)),
        1 => (
            any_pick(),
            prop_oneof![4 => 1usize..8, 1 => 8usize..140],
            select(&[
                Wrap::Items,
                Wrap::AllOf,
                Wrap::OneOf,
                Wrap::Property,
                Wrap::AdditionalProperties,
                Wrap::Not,
                Wrap::Array,
                Wrap::Object,
            ][..]),
        )
            .prop_map(|(at, depth, wrap)| Edit::Nest { at, depth, wrap }),
        1 => prop_oneof![
            6 => select(&["3.0.0", "3.0.3", "3.1.0", "3.1.1"][..]).prop_map(Value::from),
            2 => select(VERSIONS).prop_map(Value::from),
            1 => scalar(),
        ]
            .prop_map(Edit::Version),
        10 => (pick(Class::Schema), keyword_edit())
            .prop_map(|(at, (keyword, value))| Edit::Keyword { at, keyword, value }),
        1 => (any_pick(), keyword_edit())
            .prop_map(|(at, (keyword, value))| Edit::Keyword { at, keyword, value }),
        3 => (pick(Class::Operation), parameter())
            .prop_map(|(at, parameter)| Edit::Parameter { at, parameter }),
        3 => (
            prop_oneof![
                4 => select(PATHS).prop_map(str::to_owned),
                1 => key().prop_map(|k| format!("/{k}")),
                1 => key().prop_map(|k| format!("/a/{{{k}}}")),
            ],
            prop_oneof![12 => select(METHODS), 1 => select(ODD_METHODS)].prop_map(str::to_owned),
            operation(),
        )
            .prop_map(|(path, method, operation)| Edit::Operation { path, method, operation }),
        1 => (pick(Class::Schema), prop_oneof![4 => 2usize..20, 1 => 20usize..400])
            .prop_map(|(at, count)| Edit::Crowd { at, count }),
        1 => (pick(Class::Operation), prop_oneof![4 => 2usize..20, 1 => 20usize..60])
            .prop_map(|(from, count)| Edit::ManyOperations { from, count }),
    ]
    .boxed()
}

fn words() -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        4 => Just(Vec::new()),
        4 => Just(vec!["iModel".to_owned(), "iTwin".to_owned()]),
        1 => proptest::collection::vec(key(), 0..3),
    ]
    .boxed()
}

/// A seed index: the fixtures most often, then the iModels spec, then the broken specs
/// (which mostly stop at the first check). With `structured`, only seeds that parse.
fn seed_index(structured: bool) -> BoxedStrategy<usize> {
    let group = |dir: &str| -> Vec<usize> {
        seeds()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.dir == dir && (!structured || s.value.is_some()))
            .map(|(i, _)| i)
            .collect()
    };
    prop_oneof![
        4 => select(group("fixtures")),
        2 => select(group("spec")),
        1 => select(group("errors")),
    ]
    .boxed()
}

fn structural_case() -> BoxedStrategy<StructuralCase> {
    (
        seed_index(true),
        proptest::collection::vec(edit(), 1..5),
        prop_oneof![3 => Just(Format::Yaml), 1 => Just(Format::Json), 1 => Just(Format::PrettyJson)],
        words(),
    )
        .prop_map(|(seed, edits, format, words)| StructuralCase {
            seed,
            edits,
            format,
            words,
        })
        .boxed()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn pointer_of(path: &[Seg]) -> String {
    let mut out = String::from("#");
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn all_paths(value: &Value) -> Vec<Vec<Seg>> {
    fn walk(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(path.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Seg::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn get<'v>(mut value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Object(map)) => map.get(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

fn get_mut<'v>(mut value: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

fn key_at(path: &[Seg], from_end: usize) -> Option<&str> {
    match path.len().checked_sub(from_end).and_then(|i| path.get(i)) {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

fn is_schema_position(path: &[Seg]) -> bool {
    let last = key_at(path, 1);
    let parent = key_at(path, 2);
    matches!(
        last,
        Some("schema" | "items" | "additionalProperties" | "not")
    ) || matches!(
        parent,
        Some("properties" | "patternProperties" | "$defs" | "schemas")
    ) || (matches!(path.last(), Some(Seg::Index(_)))
        && matches!(parent, Some("allOf" | "oneOf" | "anyOf" | "prefixItems")))
}

fn matches_class(class: Class, path: &[Seg], node: &Value) -> bool {
    match class {
        Class::Any => true,
        Class::Object => node.is_object(),
        Class::Schema => (node.is_object() || node.is_boolean()) && is_schema_position(path),
        Class::Operation => {
            node.is_object()
                && path.len() == 3
                && key_at(path, 3) == Some("paths")
                && key_at(path, 1).is_some_and(|m| METHODS.contains(&m))
        }
        Class::PathItem => path.len() == 2 && key_at(path, 2) == Some("paths"),
        Class::Name => {
            node.is_string()
                && matches!(
                    key_at(path, 1),
                    Some(
                        "name"
                            | "operationId"
                            | "propertyName"
                            | "title"
                            | "version"
                            | "summary"
                            | "description"
                            | "url"
                    )
                )
        }
    }
}

/// The picked node's path; a pick of a class with no members falls back to any node.
fn resolve(doc: &Value, pick: Pick) -> Vec<Seg> {
    let paths = all_paths(doc);
    let of_class: Vec<&Vec<Seg>> = paths
        .iter()
        .filter(|p| get(doc, p).is_some_and(|n| matches_class(pick.class, p, n)))
        .collect();
    let chosen = if of_class.is_empty() {
        &paths[(pick.index % paths.len() as u64) as usize]
    } else {
        of_class[(pick.index % of_class.len() as u64) as usize]
    };
    chosen.clone()
}

fn remove(doc: &mut Value, path: &[Seg]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    match (get_mut(doc, parent)?, last) {
        (Value::Object(map), Seg::Key(k)) => map.shift_remove(k),
        (Value::Array(items), Seg::Index(i)) if *i < items.len() => Some(items.remove(*i)),
        _ => None,
    }
}

/// Makes the node at `path` an object (replacing a non-object) and returns it.
fn as_object<'v>(doc: &'v mut Value, path: &[Seg]) -> Option<&'v mut Map<String, Value>> {
    let node = get_mut(doc, path)?;
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    node.as_object_mut()
}

fn apply(doc: &mut Value, edit: &Edit) {
    match edit {
        Edit::Delete(at) => {
            let path = resolve(doc, *at);
            remove(doc, &path);
        }
        Edit::Replace(at, value) => {
            let path = resolve(doc, *at);
            if let Some(node) = get_mut(doc, &path) {
                *node = value.clone();
            }
        }
        Edit::Duplicate { from, to, key } => {
            let from = resolve(doc, *from);
            let copy = get(doc, &from).cloned().unwrap_or(Value::Null);
            let to = resolve(doc, *to);
            match get_mut(doc, &to) {
                Some(Value::Object(map)) => {
                    map.insert(key.clone(), copy);
                }
                Some(Value::Array(items)) => items.push(copy),
                Some(node) => *node = copy,
                None => {}
            }
        }
        Edit::Rename { at, key } => {
            let path = resolve(doc, *at);
            let Some((Seg::Key(old), parent)) = path.split_last() else {
                return;
            };
            if let Some(Value::Object(map)) = get_mut(doc, parent) {
                if let Some(index) = map.keys().position(|k| k == old) {
                    let value = map.shift_remove(old).unwrap_or(Value::Null);
                    // A key that is already there moves here (shift_insert wants a free key).
                    map.shift_remove(key);
                    let index = index.min(map.len());
                    map.shift_insert(index, key.clone(), value);
                }
            }
        }
        Edit::Ref {
            at,
            target,
            keep_siblings,
        } => {
            let path = resolve(doc, *at);
            let target = match target {
                RefTarget::Node(pick) => pointer_of(&resolve(doc, *pick)),
                RefTarget::Itself => pointer_of(&path),
                RefTarget::Ancestor(n) => {
                    let keep = path
                        .len()
                        .saturating_sub(1 + *n as usize % (path.len() + 1));
                    pointer_of(&path[..keep])
                }
                RefTarget::Fixed(text) => text.clone(),
            };
            if let Some(node) = get_mut(doc, &path) {
                match node {
                    Value::Object(map) if *keep_siblings => {
                        map.insert("$ref".into(), target.into());
                    }
                    _ => *node = object(vec![("$ref", target.into())]),
                }
            }
        }
        Edit::Cycle(a, b) => {
            let a = resolve(doc, *a);
            let b = resolve(doc, *b);
            let (pa, pb) = (pointer_of(&a), pointer_of(&b));
            if let Some(node) = get_mut(doc, &a) {
                *node = object(vec![("$ref", pb.into())]);
            }
            if let Some(node) = get_mut(doc, &b) {
                *node = object(vec![("$ref", pa.into())]);
            }
        }
        Edit::Nest { at, depth, wrap } => {
            let path = resolve(doc, *at);
            if let Some(node) = get_mut(doc, &path) {
                let mut value = node.take();
                for _ in 0..*depth {
                    value = match wrap {
                        Wrap::Items => object(vec![("type", "array".into()), ("items", value)]),
                        Wrap::AllOf => object(vec![("allOf", Value::Array(vec![value]))]),
                        Wrap::OneOf => object(vec![("oneOf", Value::Array(vec![value]))]),
                        Wrap::Property => object(vec![
                            ("type", "object".into()),
                            ("properties", object(vec![("p", value)])),
                        ]),
                        Wrap::AdditionalProperties => object(vec![
                            ("type", "object".into()),
                            ("additionalProperties", value),
                        ]),
                        Wrap::Not => object(vec![("not", value)]),
                        Wrap::Array => Value::Array(vec![value]),
                        Wrap::Object => object(vec![("a", value)]),
                    };
                }
                *node = value;
            }
        }
        Edit::Crowd { at, count } => {
            let path = resolve(doc, *at);
            if let Some(map) = as_object(doc, &path) {
                let properties = map
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if !properties.is_object() {
                    *properties = Value::Object(Map::new());
                }
                if let Value::Object(properties) = properties {
                    for i in 0..*count {
                        properties.insert(
                            colliding_name("name", i),
                            object(vec![("type", "string".into())]),
                        );
                    }
                }
            }
        }
        Edit::ManyOperations { from, count } => {
            let path = resolve(doc, *from);
            let operation = get(doc, &path).cloned().unwrap_or(Value::Null);
            if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
                for i in 0..*count {
                    let mut operation = operation.clone();
                    if let Value::Object(map) = &mut operation {
                        let id = if i % 2 == 0 { "getThing" } else { "get_thing" };
                        map.insert(
                            "operationId".into(),
                            format!("{id}{}", "_".repeat(i / 2)).into(),
                        );
                    }
                    paths.insert(format!("/many{i}"), object(vec![("get", operation)]));
                }
            }
        }
        Edit::Version(version) => {
            if let Value::Object(map) = doc {
                map.insert("openapi".into(), version.clone());
            }
        }
        Edit::Keyword { at, keyword, value } => {
            let path = resolve(doc, *at);
            if let Some(map) = as_object(doc, &path) {
                map.insert(keyword.clone(), value.clone());
            }
        }
        Edit::Parameter { at, parameter } => {
            let path = resolve(doc, *at);
            if let Some(map) = as_object(doc, &path) {
                let list = map
                    .entry("parameters")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !list.is_array() {
                    *list = Value::Array(Vec::new());
                }
                if let Value::Array(items) = list {
                    items.push(parameter.clone());
                }
            }
        }
        Edit::Operation {
            path,
            method,
            operation,
        } => {
            if let Value::Object(root) = doc {
                let paths = root
                    .entry("paths")
                    .or_insert_with(|| Value::Object(Map::new()));
                if !paths.is_object() {
                    *paths = Value::Object(Map::new());
                }
                if let Value::Object(paths) = paths {
                    let item = paths
                        .entry(path.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !item.is_object() {
                        *item = Value::Object(Map::new());
                    }
                    if let Value::Object(item) = item {
                        item.insert(method.clone(), operation.clone());
                    }
                }
            }
        }
    }
}

/// The `i`-th of many spellings that naming turns into the same identifier.
fn colliding_name(base: &str, i: usize) -> String {
    let affixes = ["", "_", "-", " ", "__", "."];
    let prefix = affixes[i % affixes.len()];
    let suffix = affixes[(i / affixes.len()) % affixes.len()].repeat(1 + i / 36);
    let base = if i % 2 == 0 {
        base.to_owned()
    } else {
        base.to_uppercase()
    };
    format!("{prefix}{base}{suffix}")
}

/// Turns the placeholder `$ref`s of generated schemas into refs to component schemas.
fn resolve_component_marks(doc: &mut Value) {
    let names: Vec<String> = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    fn walk(value: &mut Value, names: &[String]) {
        match value {
            Value::String(s) if s.starts_with(COMPONENT_MARK) => {
                let n: usize = s[COMPONENT_MARK.len_utf8()..].parse().unwrap_or(0);
                *s = match names.get(n % names.len().max(1)) {
                    Some(name) => format!(
                        "#/components/schemas/{}",
                        name.replace('~', "~0").replace('/', "~1")
                    ),
                    None => "#/components/schemas/Missing".to_owned(),
                };
            }
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, names)),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, names)),
            _ => {}
        }
    }
    walk(doc, &names);
}

fn serialise(value: &Value, format: Format) -> String {
    match format {
        Format::Yaml => serde_yaml::to_string(value).expect("JSON values serialise as YAML"),
        Format::Json => value.to_string(),
        Format::PrettyJson => serde_json::to_string_pretty(value).expect("JSON serialises"),
    }
}

impl StructuralCase {
    fn document(&self) -> Value {
        let mut doc = seeds()[self.seed].value.clone().expect("structural seed");
        for edit in &self.edits {
            apply(&mut doc, edit);
        }
        resolve_component_marks(&mut doc);
        doc
    }
}

// ---------------------------------------------------------------------------------------
// Textual edits

#[derive(Debug, Clone, Copy)]
enum Pos {
    Byte(u64),
    LineStart(u64),
    LineEnd(u64),
}

#[derive(Debug, Clone)]
enum TextEdit {
    Flip {
        at: u64,
        bit: u8,
    },
    Set {
        at: u64,
        byte: u8,
    },
    Delete {
        at: Pos,
        len: u8,
    },
    Insert {
        at: Pos,
        text: String,
    },
    Truncate {
        at: u64,
    },
    CopyLine {
        from: u64,
        to: u64,
    },
    DeleteLine {
        at: u64,
    },
    Indent {
        line: u64,
        delta: i8,
    },
    /// `text` `times` times over: deep nesting, long lines, alias bombs.
    Repeat {
        at: Pos,
        text: String,
        times: usize,
    },
}

#[derive(Debug, Clone)]
struct TextualCase {
    seed: usize,
    edits: Vec<TextEdit>,
    words: Vec<String>,
}

fn pos() -> BoxedStrategy<Pos> {
    prop_oneof![
        2 => any::<u64>().prop_map(Pos::Byte),
        1 => any::<u64>().prop_map(Pos::LineStart),
        1 => any::<u64>().prop_map(Pos::LineEnd),
    ]
    .boxed()
}

fn text_edit() -> BoxedStrategy<TextEdit> {
    prop_oneof![
        2 => (any::<u64>(), 0u8..8).prop_map(|(at, bit)| TextEdit::Flip { at, bit }),
        1 => (any::<u64>(), any::<u8>()).prop_map(|(at, byte)| TextEdit::Set { at, byte }),
        2 => (pos(), 1u8..40).prop_map(|(at, len)| TextEdit::Delete { at, len }),
        4 => (pos(), prop_oneof![
            12 => select(TOKENS).prop_map(str::to_owned),
            3 => key(),
            1 => Just(ALIAS_BOMB.to_owned()),
        ])
            .prop_map(|(at, text)| TextEdit::Insert { at, text }),
        1 => any::<u64>().prop_map(|at| TextEdit::Truncate { at }),
        2 => (any::<u64>(), any::<u64>()).prop_map(|(from, to)| TextEdit::CopyLine { from, to }),
        2 => any::<u64>().prop_map(|at| TextEdit::DeleteLine { at }),
        2 => (any::<u64>(), -4i8..5).prop_map(|(line, delta)| TextEdit::Indent { line, delta }),
        1 => (
            pos(),
            prop_oneof![
                3 => select(REPEATED).prop_map(str::to_owned),
                1 => select(TOKENS).prop_map(str::to_owned),
            ],
            prop_oneof![3 => 2usize..200, 1 => 200usize..100_000],
        )
            .prop_map(|(at, text, times)| TextEdit::Repeat { at, text, times }),
    ]
    .boxed()
}

fn textual_case() -> BoxedStrategy<TextualCase> {
    (
        seed_index(false),
        prop_oneof![3 => proptest::collection::vec(text_edit(), 1..2), 1 => proptest::collection::vec(text_edit(), 2..5)],
        words(),
    )
        .prop_map(|(seed, edits, words)| TextualCase { seed, edits, words })
        .boxed()
}

/// Byte offsets of line starts (`[0, after each \n]`).
fn line_starts(text: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn line_span(text: &[u8], n: u64) -> (usize, usize) {
    let starts = line_starts(text);
    let i = (n % starts.len() as u64) as usize;
    let start = starts[i];
    let end = starts.get(i + 1).copied().unwrap_or(text.len());
    (start, end)
}

fn offset(text: &[u8], at: Pos) -> usize {
    match at {
        Pos::Byte(n) => (n % (text.len() as u64 + 1)) as usize,
        Pos::LineStart(n) => line_span(text, n).0,
        Pos::LineEnd(n) => {
            let (start, end) = line_span(text, n);
            if end > start && text[end - 1] == b'\n' {
                end - 1
            } else {
                end
            }
        }
    }
}

fn apply_text(text: &mut Vec<u8>, edit: &TextEdit) {
    let byte =
        |text: &Vec<u8>, n: u64| (!text.is_empty()).then(|| (n % text.len() as u64) as usize);
    match edit {
        TextEdit::Flip { at, bit } => {
            if let Some(i) = byte(text, *at) {
                text[i] ^= 1 << bit;
            }
        }
        TextEdit::Set { at, byte: b } => {
            if let Some(i) = byte(text, *at) {
                text[i] = *b;
            }
        }
        TextEdit::Delete { at, len } => {
            let start = offset(text, *at);
            let end = (start + *len as usize).min(text.len());
            text.drain(start..end);
        }
        TextEdit::Insert { at, text: insert } => {
            let at = offset(text, *at);
            text.splice(at..at, insert.bytes());
        }
        TextEdit::Truncate { at } => {
            let at = (at % (text.len() as u64 + 1)) as usize;
            text.truncate(at);
        }
        TextEdit::CopyLine { from, to } => {
            let (start, end) = line_span(text, *from);
            let mut line = text[start..end].to_vec();
            if !line.ends_with(b"\n") {
                line.push(b'\n');
            }
            let at = line_span(text, *to).0;
            text.splice(at..at, line);
        }
        TextEdit::DeleteLine { at } => {
            let (start, end) = line_span(text, *at);
            text.drain(start..end);
        }
        TextEdit::Repeat {
            at,
            text: repeated,
            times,
        } => {
            let at = offset(text, *at);
            let block = repeated.repeat(*times);
            text.splice(at..at, block.into_bytes());
        }
        TextEdit::Indent { line, delta } => {
            let (start, end) = line_span(text, *line);
            if *delta >= 0 {
                text.splice(start..start, std::iter::repeat_n(b' ', *delta as usize));
            } else {
                let spaces = text[start..end].iter().take_while(|b| **b == b' ').count();
                let remove = spaces.min(delta.unsigned_abs() as usize);
                text.drain(start..start + remove);
            }
        }
    }
}

impl TextualCase {
    fn source(&self) -> String {
        let mut text = seeds()[self.seed].text.clone().into_bytes();
        for edit in &self.edits {
            apply_text(&mut text, edit);
        }
        String::from_utf8_lossy(&text).into_owned()
    }
}

// ---------------------------------------------------------------------------------------
// Running one input

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Generated,
    /// With the first error, normalised, for the statistics.
    Rejected(String),
}

#[derive(Debug, Clone)]
struct Failure {
    /// What went wrong and where, without input-specific text: failures with the same
    /// signature are one bug.
    signature: String,
    /// The message, backtrace or offending output.
    detail: String,
}

impl Failure {
    fn new(signature: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            signature: signature.into(),
            detail: detail.into(),
        }
    }
}

const WORKER_NAME: &str = "fuzz-case";

/// The first panic of the running case, on whichever thread: `generate` runs the
/// pipeline on a thread of its own and resumes its panic on the caller's.
static LAST_PANIC: Mutex<Option<Failure>> = Mutex::new(None);
/// Set while a case runs; panics then are recorded, not printed.
static CASE_RUNNING: AtomicBool = AtomicBool::new(false);

/// While a case runs, panics are recorded (location, message, the generator's frames)
/// instead of printed; otherwise the default hook runs.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CASE_RUNNING.load(Ordering::SeqCst) {
                return previous(info);
            }
            let thread = std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_owned();
            let location = info.location().map_or_else(
                || "unknown".to_owned(),
                |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
            );
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string panic payload>".to_owned());
            let backtrace = std::backtrace::Backtrace::force_capture().to_string();
            let frames = generator_frames(&backtrace);
            // A panic inside a dependency (`Ident::new`) is told apart by its caller.
            let caller = frames
                .iter()
                .find(|f| !f.contains("fuzz::"))
                .map(|f| f.lines().next().unwrap_or("").trim().to_owned())
                .unwrap_or_default();
            let signature = if location.contains("generator/src") || location.starts_with("src/") {
                format!("panic at {location}")
            } else {
                format!("panic at {location} (from {caller})")
            };
            let detail = format!(
                "thread '{thread}' panicked at {location}:\n{message}\n\ngenerator frames:\n{}",
                frames.join("\n")
            );
            let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_none() {
                *last = Some(Failure::new(signature, detail));
            }
        }));
    });
}

/// The frames of `generator::` functions, each with its `at file:line` line.
fn generator_frames(backtrace: &str) -> Vec<String> {
    let lines: Vec<&str> = backtrace.lines().collect();
    let mut frames = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let name = line.trim_start().split_once(": ").map_or("", |(_, n)| n);
        if name.starts_with("generator::")
            || name.starts_with("<generator::")
            || name.starts_with("fuzz::")
        {
            let mut frame = format!("  {name}");
            if let Some(at) = lines
                .get(i + 1)
                .filter(|l| l.trim_start().starts_with("at "))
            {
                frame.push_str(&format!("\n      {}", at.trim()));
            }
            frames.push(frame);
        }
    }
    frames.truncate(16);
    frames
}

fn settings(words: &[String]) -> Settings {
    Settings {
        crate_name: "fuzzed".to_owned(),
        crate_version: "0.1.0".to_owned(),
        spec_path: "fuzz.yaml".to_owned(),
        command: "cargo test -p generator --test fuzz".to_owned(),
        words: words.to_vec(),
        split_words: Vec::new(),
        renames: Vec::new(),
        standalone: false,
        runtime: generator::RuntimeDependency::Vendored,
        gate_unused_schemas: false,
        overlays: Vec::new(),
    }
}

/// Runs `source` through `generate` on a worker thread, under a time bound.
fn run(source: &str, words: &[String]) -> Result<Outcome, Failure> {
    install_panic_hook();
    log_input(source, words);
    *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    CASE_RUNNING.store(true, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel();
    let (source, words) = (source.to_owned(), words.to_vec());
    let worker = std::thread::Builder::new()
        .name(WORKER_NAME.to_owned())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| inspect(&source, &words)));
            let result = result.unwrap_or_else(|_| {
                Err(LAST_PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_else(|| Failure::new("panic", "panicked (no details)")))
            });
            let _ = tx.send(result);
        })
        .expect("can spawn a worker thread");
    let limit = timeout();
    let answer = rx.recv_timeout(limit);
    CASE_RUNNING.store(false, Ordering::SeqCst);
    match answer {
        Ok(result) => {
            let _ = worker.join();
            result
        }
        // The worker cannot be stopped; it is left to finish on its own.
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Failure::new(
            "hang",
            format!("generate did not return within {} ms", limit.as_millis()),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Failure::new(
            "worker died",
            "the worker thread ended without an answer",
        )),
    }
}

/// Generates and checks everything the result promises.
fn inspect(source: &str, words: &[String]) -> Result<Outcome, Failure> {
    match generator::generate(source, &settings(words)) {
        Ok(files) => {
            check_files(&files)?;
            check_diagnostics(&files.warnings, source, false)?;
            let _ = files.warnings.to_string();
            Ok(Outcome::Generated)
        }
        Err(diagnostics) => {
            check_diagnostics(&diagnostics, source, true)?;
            let _ = diagnostics.to_string();
            let reason = diagnostics.errors().next().map_or_else(String::new, |d| {
                normalise(&d.message).chars().take(70).collect()
            });
            Ok(Outcome::Rejected(reason))
        }
    }
}

/// `text` with everything between backticks or quotes, and every number, blanked, so
/// messages that differ only in names compare equal.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut previous_digit = false;
    for c in text.chars().take(200) {
        match quote {
            Some(q) if c == q => {
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                out.push('…');
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !previous_digit {
                    out.push('N');
                }
            }
            None => out.push(c),
        }
        previous_digit = c.is_ascii_digit();
    }
    out
}

fn check_files(files: &GeneratedFiles) -> Result<(), Failure> {
    // The runtime files are copied verbatim; parsing them once is enough.
    static CHECKED_RUNTIME: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    for (path, text) in &files.files {
        if path.ends_with(".rs") {
            if path.starts_with("src/runtime/") {
                let mut checked = CHECKED_RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
                if !checked
                    .get_or_insert_with(HashSet::new)
                    .insert(path.clone())
                {
                    continue;
                }
            }
            if let Err(err) = syn::parse_file(text) {
                return Err(Failure::new(
                    format!("{path} does not parse: {}", normalise(&err.to_string())),
                    format!("syn: {err}\n--- {path} ---\n{text}"),
                ));
            }
        } else if path.ends_with(".toml") {
            if let Err(err) = toml::from_str::<toml::Table>(text) {
                let message = err.message().to_owned();
                return Err(Failure::new(
                    format!("{path} does not parse as TOML: {}", normalise(&message)),
                    format!("toml: {err}\n--- {path} ---\n{text}"),
                ));
            }
        }
    }
    for expected in [
        "Cargo.toml",
        "src/lib.rs",
        "src/models.rs",
        "src/operations.rs",
    ] {
        if !files.files.contains_key(expected) {
            return Err(Failure::new(format!("{expected} is missing"), ""));
        }
    }
    Ok(())
}

fn check_diagnostics(diagnostics: &Diagnostics, source: &str, failed: bool) -> Result<(), Failure> {
    if failed && !diagnostics.has_errors() {
        return Err(Failure::new(
            "Err without an error diagnostic",
            format!("{diagnostics:#?}"),
        ));
    }
    let lines = source.lines().count().max(1);
    for item in &diagnostics.items {
        let what = format!("{:?} {:?}", item.severity, normalise(&item.message));
        if item.message.starts_with("internal error") {
            // "internal error in src/x.rs: generated code does not parse (why): tokens"
            let head = item.message.split("): ").next().unwrap_or(&item.message);
            return Err(Failure::new(normalise(head), format!("{item:#?}")));
        }
        if item.message.trim().is_empty() {
            return Err(Failure::new(
                format!(
                    "diagnostic without a message at {}",
                    normalise(&item.pointer)
                ),
                format!("{item:#?}"),
            ));
        }
        if !item.pointer.starts_with('#') {
            return Err(Failure::new(
                format!(
                    "diagnostic pointer {:?} does not start with #: {what}",
                    normalise(&item.pointer)
                ),
                format!("{item:#?}"),
            ));
        }
        if item.line.is_some_and(|l| l == 0 || l > lines + 1) {
            // One bug per stage: the message up to its first colon (`not valid YAML`).
            let stage = item.message.split(':').next().unwrap_or("");
            return Err(Failure::new(
                format!(
                    "diagnostic line outside the source: {:?} {}",
                    item.severity,
                    normalise(stage)
                ),
                format!("source has {lines} lines\n{item:#?}"),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Shrinking and reduction

/// An input that can be run and made smaller.
trait Input: Clone + std::fmt::Debug {
    fn source(&self) -> String;
    fn words(&self) -> &[String];
    /// The index of the seed it was made from.
    fn seed(&self) -> usize;
    /// The document before it became text, for structural reduction.
    fn document(&self) -> Option<(Value, Format)>;
}

impl Input for StructuralCase {
    fn source(&self) -> String {
        serialise(&StructuralCase::document(self), self.format)
    }
    fn words(&self) -> &[String] {
        &self.words
    }
    fn seed(&self) -> usize {
        self.seed
    }
    fn document(&self) -> Option<(Value, Format)> {
        Some((StructuralCase::document(self), self.format))
    }
}

impl Input for TextualCase {
    fn source(&self) -> String {
        TextualCase::source(self)
    }
    fn words(&self) -> &[String] {
        &self.words
    }
    fn seed(&self) -> usize {
        self.seed
    }
    fn document(&self) -> Option<(Value, Format)> {
        None
    }
}

struct Budget {
    attempts: usize,
    deadline: Instant,
}

impl Budget {
    fn new(signature: &str, attempts: usize) -> Self {
        let attempts = if signature == "hang" {
            HANG_ATTEMPTS
        } else {
            attempts
        };
        Self {
            attempts,
            deadline: Instant::now() + REDUCE_TIME,
        }
    }

    fn spend(&mut self) -> bool {
        if self.attempts == 0 || Instant::now() > self.deadline {
            return false;
        }
        self.attempts -= 1;
        true
    }
}

/// Runs a candidate: the failure, when it is the one being reduced.
type Check<'a> = dyn FnMut(&str, &[String]) -> Option<Failure> + 'a;

fn same_failure(signature: String) -> impl FnMut(&str, &[String]) -> Option<Failure> {
    move |source, words| {
        run(source, words)
            .err()
            .filter(|f| f.signature == signature)
    }
}

/// Shrinks a document while the failure stays the same: deletes nodes (parents first),
/// puts nodes in their grandparent's place (`a: {properties: {b: X}}` -> `a: X`, which
/// collapses nesting), and shortens strings, until nothing more helps.
fn reduce_document(
    mut doc: Value,
    format: Format,
    words: &[String],
    check: &mut Check,
    failure: &mut Failure,
    budget: &mut Budget,
) -> Value {
    // Edits of the node at `path`: deleting it, or else (`deleting` false) putting a
    // child or grandchild object in its place, or shortening it if it is a string.
    fn candidates(doc: &Value, path: &[Seg], deleting: bool) -> Vec<Value> {
        let mut out = Vec::new();
        if deleting {
            let mut deleted = doc.clone();
            if remove(&mut deleted, path).is_some() {
                out.push(deleted);
            }
            return out;
        }
        let node = get(doc, path).expect("path exists");
        let mut replace = |with: Value| {
            let mut edited = doc.clone();
            if let Some(slot) = get_mut(&mut edited, path) {
                *slot = with;
            }
            out.push(edited);
        };
        if matches!(node, Value::String(s) if s.chars().count() > 1) {
            replace(Value::String("x".to_owned()));
        }
        let children = |value: &Value| -> Vec<Value> {
            match value {
                Value::Object(map) => map.values().cloned().collect(),
                Value::Array(items) => items.clone(),
                _ => Vec::new(),
            }
        };
        for child in children(node) {
            let grandchildren = children(&child);
            if child.is_object() {
                replace(child);
            }
            for grandchild in grandchildren.into_iter().filter(Value::is_object) {
                replace(grandchild);
            }
        }
        out
    }
    let mut pass = |doc: &mut Value, deleting: bool, budget: &mut Budget| -> Option<bool> {
        let mut changed = false;
        let mut index = 1; // 0 is the root
        'nodes: loop {
            let paths = all_paths(doc);
            let Some(path) = paths.get(index) else {
                return Some(changed);
            };
            for candidate in candidates(doc, path, deleting) {
                if !budget.spend() {
                    return None;
                }
                if let Some(found) = check(&serialise(&candidate, format), words) {
                    *doc = candidate;
                    *failure = found;
                    changed = true;
                    continue 'nodes;
                }
            }
            index += 1;
        }
    };
    loop {
        // Deleting until nothing more goes, then one pass of the rest, until neither helps.
        loop {
            match pass(&mut doc, true, budget) {
                Some(true) => continue,
                Some(false) => break,
                None => return doc,
            }
        }
        match pass(&mut doc, false, budget) {
            Some(true) => continue,
            _ => return doc,
        }
    }
}

/// Deletes lines, then single characters, while the failure stays the same.
fn reduce_text(
    text: &str,
    words: &[String],
    check: &mut Check,
    failure: &mut Failure,
    budget: &mut Budget,
) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let mut index = 0;
    while index < lines.len() && budget.spend() {
        let mut candidate = lines.clone();
        candidate.remove(index);
        match check(&candidate.concat(), words) {
            Some(found) => {
                lines = candidate;
                *failure = found;
            }
            None => index += 1,
        }
    }
    let mut chars: Vec<char> = lines.concat().chars().collect();
    if chars.len() <= 2000 {
        let mut index = 0;
        while index < chars.len() && budget.spend() {
            let mut candidate = chars.clone();
            candidate.remove(index);
            let text: String = candidate.iter().collect();
            match check(&text, words) {
                Some(found) => {
                    chars = candidate;
                    *failure = found;
                }
                None => index += 1,
            }
        }
    }
    chars.into_iter().collect()
}

/// The smallest input found that fails the same way, as spec text.
fn reduce(
    source: &str,
    document: Option<(Value, Format)>,
    words: &[String],
    check: &mut Check,
    failure: &mut Failure,
    budget: &mut Budget,
) -> (String, Vec<String>) {
    let reduced = match document {
        Some((doc, format)) => {
            let doc = reduce_document(doc, format, words, check, failure, budget);
            // YAML reads best; keep it when the failure survives the change of format.
            let yaml = serialise(&doc, Format::Yaml);
            match format {
                Format::Yaml => yaml,
                _ if check(&yaml, words).is_some() => yaml,
                _ => serialise(&doc, format),
            }
        }
        None => reduce_text(source, words, check, failure, budget),
    };
    if !words.is_empty() && check(&reduced, &[]).is_some() {
        return (reduced, Vec::new());
    }
    (reduced, words.to_vec())
}

/// Shrinks with proptest's value tree while the failure keeps its signature.
fn shrink<T: ValueTree>(tree: &mut T, mut failure: Failure) -> (T::Value, Failure)
where
    T::Value: Input,
{
    let mut best = tree.current();
    let limit = if failure.signature == "hang" {
        HANG_ATTEMPTS
    } else {
        SHRINK_STEPS
    };
    if !tree.simplify() {
        return (best, failure);
    }
    let mut check = same_failure(failure.signature.clone());
    for _ in 0..limit {
        let candidate = tree.current();
        match check(&candidate.source(), candidate.words()) {
            Some(found) => {
                best = candidate;
                failure = found;
                if !tree.simplify() {
                    break;
                }
            }
            None => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    (best, failure)
}

// ---------------------------------------------------------------------------------------
// Crashes
//
// A stack overflow aborts the process; no thread or `catch_unwind` survives it. So each
// campaign runs in a child process (this test binary, filtered to the one test), which
// logs every input before running it. When the child dies, the parent reads the log,
// reduces the input by replaying candidates in more child processes (the `replay`
// test), and starts a new child at the next case.

/// Where `run` logs each input before running it, and the case it belongs to.
static CRASH_LOG: Mutex<Option<(PathBuf, usize)>> = Mutex::new(None);

fn log_input(source: &str, words: &[String]) {
    let log = CRASH_LOG.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((path, case)) = log.as_ref() {
        let words = serde_json::to_string(words).unwrap_or_default();
        let _ = std::fs::write(path, format!("{case}\n{words}\n{source}"));
    }
}

/// Case, words and source from a crash log.
fn read_crash_log(path: &PathBuf) -> Option<(usize, Vec<String>, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (case, rest) = text.split_once('\n')?;
    let (words, source) = rest.split_once('\n')?;
    Some((
        case.parse().ok()?,
        serde_json::from_str(words).ok()?,
        source.to_owned(),
    ))
}

fn crash_signature(stderr: &str, status: std::process::ExitStatus) -> String {
    if stderr.contains("has overflowed its stack") {
        "stack overflow (the process aborts)".to_owned()
    } else {
        format!("crash ({status})")
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs one input in a child process; the crash, if it crashes.
fn replay_in_child(name: &str, source: &str, words: &[String]) -> Option<Failure> {
    let file = out_dir().join(format!("replay-{name}.txt"));
    std::fs::write(&file, source).expect("can write the replay input");
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["replay", "--exact", "--nocapture", "--test-threads=1"])
        .env("FUZZ_REPLAY", &file)
        .env(
            "FUZZ_WORDS",
            serde_json::to_string(words).unwrap_or_default(),
        )
        .env_remove("FUZZ_CHILD")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("can run the test binary");
    if output.status.code().is_some() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Some(Failure::new(
        crash_signature(&stderr, output.status),
        format!("{}\n{}", output.status, tail(&stderr, 5)),
    ))
}

// ---------------------------------------------------------------------------------------
// The campaign

/// One distinct failure, as the child reports it to the parent.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Found {
    signature: String,
    detail: String,
    occurrences: usize,
    first_case: usize,
    seed: String,
    input: String,
    words: Vec<String>,
    file: PathBuf,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Report {
    /// Cases run, from the child's first case up to `next_case`.
    cases: usize,
    next_case: usize,
    generated: usize,
    rejected: usize,
    /// First error of rejected cases, normalised -> count.
    reasons: BTreeMap<String, usize>,
    found: BTreeMap<String, Found>,
}

impl Report {
    fn merge(&mut self, other: Report) {
        self.cases += other.cases;
        self.generated += other.generated;
        self.rejected += other.rejected;
        for (reason, count) in other.reasons {
            *self.reasons.entry(reason).or_default() += count;
        }
        for (signature, found) in other.found {
            self.add(found, &signature);
        }
    }

    fn add(&mut self, found: Found, signature: &str) {
        match self.found.get_mut(signature) {
            Some(known) => known.occurrences += found.occurrences,
            None => {
                self.found.insert(signature.to_owned(), found);
            }
        }
    }
}

fn save_failure(name: &str, number: usize, input: &str) -> PathBuf {
    let file = out_dir().join(format!("{name}-failure-{number}.txt"));
    let _ = std::fs::write(&file, input);
    file
}

/// The child's side: runs cases `FUZZ_START..FUZZ_CASES` and writes a report.
fn run_cases<S>(name: &str, strategy: S)
where
    S: Strategy,
    S::Value: Input,
{
    let cases = env_number("FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let start = env_number("FUZZ_START", 0) as usize;
    let report_path = PathBuf::from(std::env::var("FUZZ_REPORT").expect("FUZZ_REPORT is set"));
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&rng_seed().to_le_bytes());
    let tag = &name.as_bytes()[..name.len().min(24)];
    seed_bytes[8..8 + tag.len()].copy_from_slice(tag);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let log = out_dir().join(format!("last-{name}.txt"));
    // Failures an earlier child already shrank: only counted here.
    let known: HashSet<String> = std::env::var("FUZZ_KNOWN")
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut report = Report::default();
    let write = |report: &Report| {
        let text = serde_json::to_string(report).expect("reports serialise");
        std::fs::write(&report_path, text).expect("can write the report");
    };
    for case in 0..cases {
        // Every case is drawn, so case n is the same whichever case the child starts at.
        let mut tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{name}: cannot make a case: {e}"));
        if case < start {
            continue;
        }
        *CRASH_LOG.lock().unwrap_or_else(|e| e.into_inner()) = Some((log.clone(), case));
        let input = tree.current();
        let source = input.source();
        report.cases += 1;
        report.next_case = case + 1;
        match run(&source, input.words()) {
            Ok(Outcome::Generated) => report.generated += 1,
            Ok(Outcome::Rejected(reason)) => {
                report.rejected += 1;
                *report.reasons.entry(reason).or_default() += 1;
            }
            Err(failure) => {
                if let Some(found) = report.found.get_mut(&failure.signature) {
                    found.occurrences += 1;
                    continue;
                }
                if known.contains(&failure.signature) {
                    let found = Found {
                        signature: failure.signature.clone(),
                        detail: String::new(),
                        occurrences: 1,
                        first_case: case,
                        seed: String::new(),
                        input: String::new(),
                        words: Vec::new(),
                        file: PathBuf::new(),
                    };
                    report.found.insert(failure.signature, found);
                    continue;
                }
                eprintln!("{name}: case {case}: {} (shrinking)", failure.signature);
                let (small, mut failure) = shrink(&mut tree, failure);
                let mut budget = Budget::new(&failure.signature, REDUCE_ATTEMPTS);
                let mut check = same_failure(failure.signature.clone());
                let (input, words) = reduce(
                    &small.source(),
                    small.document(),
                    small.words(),
                    &mut check,
                    &mut failure,
                    &mut budget,
                );
                let file = save_failure(name, case, &input);
                let found = Found {
                    signature: failure.signature.clone(),
                    detail: failure.detail,
                    occurrences: 1,
                    first_case: case,
                    seed: seeds()[small.seed()].name.clone(),
                    input,
                    words,
                    file,
                };
                report.found.insert(failure.signature, found);
                write(&report);
            }
        }
        if case % 20 == 0 {
            write(&report);
        }
    }
    write(&report);
}

fn rng_seed() -> u64 {
    env_number("FUZZ_SEED", DEFAULT_SEED)
}

/// The parent's side: runs the child until it has run every case, then reports.
fn campaign<S>(name: &str, test: &str, strategy: S)
where
    S: Strategy,
    S::Value: Input,
{
    if std::env::var_os("FUZZ_CHILD").is_some() {
        return run_cases(name, strategy);
    }
    let cases = env_number("FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let started = Instant::now();
    let report_path = out_dir().join(format!("{name}-report.json"));
    let log = out_dir().join(format!("last-{name}.txt"));
    let mut total = Report::default();
    let mut crashes = 0;
    let mut reached = 0;
    let mut start = 0;
    while start < cases {
        let _ = std::fs::remove_file(&report_path);
        let _ = std::fs::remove_file(&log);
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env("FUZZ_CHILD", "1")
            .env("FUZZ_START", start.to_string())
            .env(
                "FUZZ_KNOWN",
                serde_json::to_string(&total.found.keys().collect::<Vec<_>>()).unwrap_or_default(),
            )
            .env("FUZZ_REPORT", &report_path)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("can run the test binary");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        for line in stderr.lines().filter(|l| l.starts_with(name)) {
            println!("{line}");
        }
        let report: Option<Report> = std::fs::read_to_string(&report_path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        if let Some(report) = report {
            total.merge(report);
        }
        if output.status.success() {
            reached = cases;
            break;
        }
        if output.status.code().is_some() {
            panic!(
                "the {name} child failed ({}):\n{}\n{stderr}",
                output.status,
                String::from_utf8_lossy(&output.stdout)
            );
        }
        // Killed by a signal: the log holds the input it was running.
        let (case, words, source) = read_crash_log(&log)
            .unwrap_or_else(|| panic!("the {name} child crashed without a log:\n{stderr}"));
        crashes += 1;
        reached = case + 1;
        // Every crash's input as it ran, since crashes share one signature.
        let _ = std::fs::write(out_dir().join(format!("{name}-crash-{case}.txt")), &source);
        let mut failure = Failure::new(
            crash_signature(&stderr, output.status),
            format!("{}\n{}", output.status, tail(&stderr, 5)),
        );
        println!("{name}: case {case}: {} (reducing)", failure.signature);
        let known = total.found.contains_key(&failure.signature);
        let (input, words) = if known {
            (source, words)
        } else {
            let signature = failure.signature.clone();
            let mut check = |source: &str, words: &[String]| {
                replay_in_child(name, source, words).filter(|f| f.signature == signature)
            };
            let document = to_json(&source).map(|doc| {
                let format = match source.trim_start().strip_prefix('{') {
                    Some(rest) if rest.starts_with('\n') => Format::PrettyJson,
                    Some(_) => Format::Json,
                    None => Format::Yaml,
                };
                (doc, format)
            });
            let mut budget = Budget::new(&failure.signature, CRASH_REDUCE_ATTEMPTS);
            reduce(
                &source,
                document,
                &words,
                &mut check,
                &mut failure,
                &mut budget,
            )
        };
        let file = save_failure(name, case, &input);
        let found = Found {
            signature: failure.signature.clone(),
            detail: failure.detail,
            occurrences: 1,
            first_case: case,
            seed: String::from("(see the input)"),
            input,
            words,
            file,
        };
        total.cases += 1;
        total.add(found, &failure.signature);
        start = case + 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let failed: usize = total.found.values().map(|f| f.occurrences).sum();
    println!(
        "{name}: {} cases executed in {elapsed:.1} s ({:.0}/s), seed {}: {} generated, {} rejected, {failed} failed ({} distinct), {crashes} crashed",
        total.cases,
        total.cases as f64 / elapsed.max(1e-9),
        rng_seed(),
        total.generated,
        total.rejected,
        total.found.len(),
    );
    let lost = reached.saturating_sub(total.cases);
    if lost > 0 {
        println!("  ({lost} cases ran in children that crashed before reporting them)");
    }
    let mut reasons: Vec<_> = total.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1));
    for (reason, count) in reasons.iter().take(10) {
        println!("  rejected {count:>6}x: {reason}");
    }
    if total.found.is_empty() {
        return;
    }
    let mut report = format!("{name}: {} distinct failure(s)\n", total.found.len());
    for (signature, f) in &total.found {
        report.push_str(&format!(
            "\n=== {signature}\n{} occurrence(s), first in case {} (seed {}); reduced input in {}{}\n{}\n--- input ---\n{}\n",
            f.occurrences,
            f.first_case,
            f.seed,
            f.file.display(),
            if f.words.is_empty() {
                String::new()
            } else {
                format!(" (words {:?})", f.words)
            },
            f.detail.chars().take(3000).collect::<String>(),
            f.input.chars().take(4000).collect::<String>(),
        ));
    }
    panic!("{report}");
}

#[test]
fn structural_mutations() {
    campaign("structural", "structural_mutations", structural_case());
}

#[test]
fn textual_mutations() {
    campaign("textual", "textual_mutations", textual_case());
}

/// `FUZZ_REPLAY=path cargo test -p generator --test fuzz replay -- --nocapture` runs one
/// saved input (with `FUZZ_WORDS='["iModel"]'` for compound words) and prints what
/// happened; without `FUZZ_REPLAY` it does nothing.
#[test]
fn replay() {
    let Ok(path) = std::env::var("FUZZ_REPLAY") else {
        return;
    };
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let words: Vec<String> = std::env::var("FUZZ_WORDS")
        .ok()
        .and_then(|w| serde_json::from_str(&w).ok())
        .unwrap_or_default();
    match run(&source, &words) {
        Ok(outcome) => println!("{path}: {outcome:?}"),
        Err(failure) => panic!("{path}: {}\n{}", failure.signature, failure.detail),
    }
}

/// Every input the fuzzer once broke the generator with (`tests/fuzz-regressions/`)
/// now passes the same checks as a fresh case.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("regression folder exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "regression inputs are missing from {}",
        dir.display()
    );
    for path in files {
        let source = std::fs::read_to_string(&path).expect("readable regression input");
        if let Err(failure) = run(&source, &[]) {
            panic!(
                "{}: {}\n{}",
                path.display(),
                failure.signature,
                failure.detail
            );
        }
    }
}
