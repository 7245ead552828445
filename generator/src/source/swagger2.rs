//! Swagger 2.0 -> OpenAPI 3.0.3, on the untyped tree, before anything else reads it.
//!
//! The rules follow the reference converter (`swagger2openapi`'s list), written anew:
//! - `host`/`basePath`/`schemes` become `servers` (one per scheme, https first; no
//!   `host`: the relative server `basePath`); an operation's own `schemes` its own
//!   `servers`;
//! - `definitions`, `parameters`, `responses` and `securityDefinitions` move under
//!   `components` (`schemas`, `parameters` or — for a body parameter —
//!   `requestBodies`, `responses`, `securitySchemes`), and every `$ref` follows them;
//! - a `body` parameter becomes the `requestBody`, one content entry per media type
//!   the operation `consumes`; `formData` parameters become one object schema of an
//!   `application/x-www-form-urlencoded` or `multipart/form-data` body (multipart
//!   when a field is a `file` or only multipart is consumed), one property per field;
//! - the other parameters get their `type`, `format`, `items`, `enum`, `default` and
//!   limits under `schema`, and `collectionFormat` becomes `style`/`explode`;
//! - a response's `schema` becomes `content`, one entry per media type the
//!   operation `produces`, its `examples` the entries' `example`, its headers'
//!   types a `schema`;
//! - in schemas `x-nullable` becomes `nullable`, `type: file` a binary string and a
//!   `discriminator` property name a Discriminator Object.
//!
//! A step that loses or guesses something is a warning at the place in the 2.0
//! document it is about. The converted document's nodes are mapped back to the 2.0
//! document's ([`SourceMap`]), so what later stages say about converted content is
//! located in the document the user wrote.

use crate::diagnostics::{pointer, Diagnostic};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Where each node of the converted document was in the 2.0 document: moved
/// subtrees, by their converted segments. A pointer not under any moved subtree is
/// where it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SourceMap {
    moved: BTreeMap<Vec<String>, Vec<String>>,
    /// Keys renamed in place (`x-nullable` -> `nullable`), by their new path in the
    /// 2.0 document's coordinates: applied after `moved`.
    renamed: BTreeMap<Vec<String>, Vec<String>>,
}

impl SourceMap {
    fn record(&mut self, converted: &[String], source: &[String]) {
        if converted != source {
            self.moved.insert(converted.to_vec(), source.to_vec());
        }
    }

    /// The 2.0 document's pointer for `converted` (`#/components/schemas/Pet` ->
    /// `#/definitions/Pet`): the source of its deepest moved ancestor, then the rest.
    pub(crate) fn source(&self, converted: &str) -> String {
        let rest = converted.strip_prefix('#').unwrap_or(converted);
        let segments: Vec<String> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.trim_start_matches('/')
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect()
        };
        pointer(Self::follow(
            &self.renamed,
            Self::follow(&self.moved, segments),
        ))
    }

    /// `segments` with their deepest prefix in `map` replaced by its value.
    fn follow(map: &BTreeMap<Vec<String>, Vec<String>>, segments: Vec<String>) -> Vec<String> {
        for depth in (1..=segments.len()).rev() {
            if let Some(source) = map.get(&segments[..depth]) {
                let mut at = source.clone();
                at.extend(segments[depth..].iter().cloned());
                return at;
            }
        }
        segments
    }
}

/// A converted document's warnings (pointers into the 2.0 document) and map.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conversion {
    pub warnings: Vec<Diagnostic>,
    pub map: SourceMap,
}

/// Converts `value` in place if it declares `swagger`; `None` if it does not.
pub(crate) fn convert(value: &mut Value) -> Result<Option<Conversion>, Vec<Diagnostic>> {
    let Some(declared) = value.get("swagger") else {
        return Ok(None);
    };
    if declared.as_str() != Some("2.0") {
        return Err(vec![Diagnostic::error(
            "#/swagger",
            format!("Swagger version {declared} is not supported"),
        )
        .with_hint(
            "this generator reads Swagger 2.0 (`swagger: \"2.0\"`) and OpenAPI 3.0.x and 3.1.x",
        )]);
    }
    let source = std::mem::take(value);
    let mut converter = Converter {
        doc: &source,
        conversion: Conversion::default(),
        guessed_json: None,
    };
    *value = converter.document();
    let mut conversion = converter.conversion;
    if let Some((at, count)) = converter.guessed_json {
        let more = if count > 1 {
            format!(" (and {} more places)", count - 1)
        } else {
            String::new()
        };
        conversion.warnings.push(
            Diagnostic::warning(
                at,
                format!("no `consumes`/`produces` says the media type of this body; `application/json` assumed{more}"),
            )
            .with_hint("add `consumes`/`produces` to the document or the operation"),
        );
    }
    Ok(Some(conversion))
}

type Path = Vec<String>;

fn at(base: &[String], more: &[&str]) -> Path {
    let mut path = base.to_vec();
    path.extend(more.iter().map(|s| (*s).to_owned()));
    path
}

struct Converter<'d> {
    doc: &'d Value,
    conversion: Conversion,
    /// The first place a media type was guessed, and how many there were.
    guessed_json: Option<(String, usize)>,
}

/// What a parameter becomes.
enum Converted {
    Parameter(Value),
    Body(Value, Path),
    Form(String, Value, bool, Path),
}

const PARAMETER_SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
];

impl<'d> Converter<'d> {
    fn warn(&mut self, at: &[String], message: impl Into<String>) {
        self.conversion
            .warnings
            .push(Diagnostic::warning(pointer(at), message));
    }

    fn moved(&mut self, converted: &[String], source: &[String]) {
        self.conversion.map.record(converted, source);
    }

    fn renamed(&mut self, new: &[String], old: &[String]) {
        self.conversion
            .map
            .renamed
            .insert(new.to_vec(), old.to_vec());
    }

    fn document(&mut self) -> Value {
        let doc = self.doc;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        self.moved(&at(&[], &["openapi"]), &at(&[], &["swagger"]));
        for (key, value) in doc.as_object().into_iter().flatten() {
            match key.as_str() {
                "info" | "tags" | "externalDocs" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        let servers = self.servers(doc.get("schemes"), &at(&[], &["schemes"]));
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
            let from = if doc.get("host").is_some() {
                "host"
            } else {
                "basePath"
            };
            self.moved(&at(&[], &["servers"]), &at(&[], &[from]));
        }
        let mut paths = Map::new();
        for (name, item) in doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let item_at = at(&[], &["paths", name]);
            paths.insert(name.clone(), self.path_item(item, &item_at));
        }
        out.insert("paths".into(), Value::Object(paths));
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
            self.moved(&at(&[], &["components"]), &[]);
        }
        let mut out = Value::Object(out);
        rewrite_refs(&mut out);
        out
    }

    /// Servers for `schemes` (the document's, or an operation's own).
    fn servers(&mut self, schemes: Option<&Value>, schemes_at: &[String]) -> Vec<Value> {
        let doc = self.doc;
        let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
        let base = base.trim_end_matches('/');
        let Some(host) = doc.get("host").and_then(Value::as_str) else {
            return if base.is_empty() {
                Vec::new()
            } else {
                vec![json!({"url": base})]
            };
        };
        let mut listed: Vec<&str> = schemes
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if listed.is_empty() {
            self.warn(
                &at(&[], &["host"]),
                "no `schemes` says how to reach `host`; https assumed",
            );
            listed.push("https");
        }
        let mut kept: Vec<&str> = Vec::new();
        for scheme in listed {
            match scheme {
                "http" | "https" => kept.push(scheme),
                other => self.warn(
                    schemes_at,
                    format!("the scheme `{other}` is not HTTP; no server is made for it"),
                ),
            }
        }
        kept.sort_by_key(|scheme| *scheme != "https");
        kept.dedup();
        kept.iter()
            .map(|scheme| json!({"url": format!("{scheme}://{host}{base}")}))
            .collect()
    }

    fn media_types(&mut self, op: &Value, key: &str, place: &[String]) -> Vec<String> {
        let listed = |value: &Value| -> Option<Vec<String>> {
            let list: Vec<String> = value
                .get(key)?
                .as_array()?
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            (!list.is_empty()).then_some(list)
        };
        if let Some(list) = listed(op).or_else(|| listed(self.doc)) {
            return list;
        }
        match &mut self.guessed_json {
            Some((_, count)) => *count += 1,
            None => self.guessed_json = Some((pointer(place), 1)),
        }
        vec!["application/json".to_owned()]
    }

    fn path_item(&mut self, item: &Value, item_at: &[String]) -> Value {
        let Some(map) = item.as_object() else {
            return item.clone();
        };
        let mut out = Map::new();
        // Body and form parameters of the path item go to each operation.
        let mut shared: Vec<(Value, Path)> = Vec::new();
        let mut kept = Vec::new();
        for (index, parameter) in map
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let p_at = at(item_at, &["parameters", &index.to_string()]);
            let (resolved, _) = self.resolve_parameter(parameter, &p_at);
            match resolved.get("in").and_then(Value::as_str) {
                Some("body" | "formData") => shared.push((parameter.clone(), p_at)),
                _ => {
                    let converted = at(item_at, &["parameters", &kept.len().to_string()]);
                    self.moved(&converted, &p_at);
                    let Converted::Parameter(value) = self.parameter(parameter, &p_at, &converted)
                    else {
                        unreachable!("only body and form parameters become bodies")
                    };
                    kept.push(value);
                }
            }
        }
        if !kept.is_empty() {
            out.insert("parameters".into(), Value::Array(kept));
        }
        for (key, value) in map {
            match key.as_str() {
                "parameters" => {}
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    let op_at = at(item_at, &[key]);
                    out.insert(key.clone(), self.operation(value, &op_at, &shared));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// The parameter a `$ref` names (and its place), or the parameter itself.
    fn resolve_parameter<'v>(&self, parameter: &'v Value, p_at: &[String]) -> (&'v Value, Path)
    where
        'd: 'v,
    {
        let doc: &'v Value = self.doc;
        if let Some(name) = parameter
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/parameters/"))
        {
            let name = name.replace("~1", "/").replace("~0", "~");
            if let Some(target) = doc.get("parameters").and_then(|p| p.get(&name)) {
                return (target, at(&[], &["parameters", &name]));
            }
        }
        (parameter, p_at.to_vec())
    }

    fn operation(&mut self, op: &Value, op_at: &[String], shared: &[(Value, Path)]) -> Value {
        let Some(map) = op.as_object() else {
            return op.clone();
        };
        let mut out = Map::new();
        let mut parameters = Vec::new();
        let mut body: Option<(Value, Path, Path)> = None;
        let mut form: Vec<(String, Value, bool, Path)> = Vec::new();
        let own: Vec<(Value, Path)> = map
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, p)| (p.clone(), at(op_at, &["parameters", &i.to_string()])))
            .collect();
        // The operation's own body and fields override the path item's.
        let own_names: Vec<(String, String)> = own
            .iter()
            .map(|(p, p_at)| {
                let (r, _) = self.resolve_parameter(p, p_at);
                let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                (field("name"), field("in"))
            })
            .collect();
        let own_body = own_names.iter().any(|(_, place)| place == "body");
        let inherited = shared.iter().filter(|(p, p_at)| {
            let (r, _) = self.resolve_parameter(p, p_at);
            let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let place = field("in");
            !(place == "body" && own_body || own_names.contains(&(field("name"), place.clone())))
        });
        let all: Vec<(Value, Path)> = inherited.cloned().chain(own).collect();
        for (parameter, p_at) in &all {
            let converted = at(op_at, &["parameters", &parameters.len().to_string()]);
            match self.parameter(parameter, p_at, &converted) {
                Converted::Parameter(value) => {
                    self.moved(&converted, p_at);
                    parameters.push(value);
                }
                Converted::Body(value, source) => {
                    if let Some((_, first, _)) = &body {
                        let first = pointer(first);
                        self.warn(
                            p_at,
                            format!("a second `in: body` parameter; the one at {first} is the body, this one is dropped"),
                        );
                    } else {
                        body = Some((value, source, p_at.clone()));
                    }
                }
                Converted::Form(name, schema, required, source) => {
                    form.push((name, schema, required, source))
                }
            }
        }
        for (key, value) in map {
            match key.as_str() {
                "parameters" | "consumes" | "produces" => {}
                "responses" => {
                    let responses = self.responses(value, op, &at(op_at, &["responses"]));
                    out.insert(key.clone(), responses);
                }
                "schemes" => {
                    let servers = self.servers(Some(value), &at(op_at, &["schemes"]));
                    if !servers.is_empty() {
                        out.insert("servers".into(), Value::Array(servers));
                        self.moved(&at(op_at, &["servers"]), &at(op_at, &["schemes"]));
                    }
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if !parameters.is_empty() {
            out.insert("parameters".into(), Value::Array(parameters));
        }
        let body_at = at(op_at, &["requestBody"]);
        if let Some((value, source, written)) = body {
            if let Some((_, _, _, first)) = form.first() {
                self.warn(
                    first,
                    "an operation with an `in: body` parameter cannot have `in: formData` ones; the form fields are dropped",
                );
            }
            let body = self.request_body(&value, &source, &written, op, &body_at);
            out.insert("requestBody".into(), body);
        } else if !form.is_empty() {
            let body = self.form_body(form, op, &body_at);
            out.insert("requestBody".into(), body);
        }
        Value::Object(out)
    }

    /// A request body from a body parameter `value` (at `source` in the 2.0
    /// document; written at `written`, a `$ref` to it or itself).
    fn request_body(
        &mut self,
        value: &Value,
        source: &[String],
        written: &[String],
        op: &Value,
        body_at: &[String],
    ) -> Value {
        let types = self.media_types(op, "consumes", written);
        if let Some(reference) = written_ref(self.doc, written) {
            // A shared body parameter: its component when the media types agree.
            let shared = self.media_types(&Value::Null, "consumes", written);
            if shared == types {
                self.moved(body_at, written);
                let name = reference.trim_start_matches("#/parameters/");
                return json!({"$ref": format!("#/components/requestBodies/{name}")});
            }
        }
        self.moved(body_at, source);
        self.body_from_parameter(value, source, &types, body_at)
    }

    fn body_from_parameter(
        &mut self,
        value: &Value,
        source: &[String],
        types: &[String],
        body_at: &[String],
    ) -> Value {
        let mut out = Map::new();
        if let Some(description) = value.get("description") {
            out.insert("description".into(), description.clone());
        }
        let schema_at = at(source, &["schema"]);
        let schema = value
            .get("schema")
            .map(|s| self.schema(s, &schema_at))
            .unwrap_or_else(|| json!({}));
        let mut content = Map::new();
        for media in types {
            let converted = at(body_at, &["content", media, "schema"]);
            self.moved(&converted, &schema_at);
            content.insert(media.clone(), json!({"schema": schema}));
        }
        out.insert("content".into(), Value::Object(content));
        if value.get("required") == Some(&Value::Bool(true)) {
            out.insert("required".into(), Value::Bool(true));
        }
        copy_extensions(value, &mut out);
        Value::Object(out)
    }

    fn form_body(
        &mut self,
        fields: Vec<(String, Value, bool, Path)>,
        op: &Value,
        body_at: &[String],
    ) -> Value {
        let first = fields[0].3.clone();
        let has_file = fields.iter().any(|(_, schema, _, _)| {
            schema.get("format").and_then(Value::as_str) == Some("binary")
                || schema
                    .get("items")
                    .and_then(|i| i.get("format"))
                    .and_then(Value::as_str)
                    == Some("binary")
        });
        let declared: Vec<String> = ["consumes"]
            .iter()
            .filter_map(|key| op.get(key).or_else(|| self.doc.get(key)))
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let form_type = |t: &str| {
            t.starts_with("multipart/form-data")
                || t.starts_with("application/x-www-form-urlencoded")
        };
        let mut types: Vec<String> = declared.iter().filter(|t| form_type(t)).cloned().collect();
        if has_file {
            if types.iter().any(|t| !t.starts_with("multipart/")) {
                self.warn(
                    &first,
                    "a form with a `type: file` field can only be sent as `multipart/form-data`; the other form media types are dropped",
                );
            }
            types.retain(|t| t.starts_with("multipart/"));
            if types.is_empty() {
                types.push("multipart/form-data".to_owned());
            }
        } else if types.is_empty() {
            if !declared.is_empty() {
                self.warn(
                    &first,
                    format!("`in: formData` parameters, but the operation consumes {}; sent as `application/x-www-form-urlencoded`", declared.join(", ")),
                );
            }
            types.push("application/x-www-form-urlencoded".to_owned());
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for (name, mut schema, is_required, source) in fields {
            if is_required {
                required.push(Value::String(name.clone()));
            }
            if let Some(Value::Object(style)) = schema.get_mut("x-encoding").map(Value::take) {
                encoding.insert(name.clone(), Value::Object(style));
            }
            if let Value::Object(map) = &mut schema {
                map.remove("x-encoding");
            }
            for media in &types {
                let converted = at(body_at, &["content", media, "schema", "properties", &name]);
                self.moved(&converted, &source);
            }
            properties.insert(name, schema);
        }
        // A required field makes the form itself required.
        let any_required = !required.is_empty();
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        let mut content = Map::new();
        for media in &types {
            let mut entry = json!({"schema": schema});
            if media.starts_with("application/x-www-form-urlencoded") && !encoding.is_empty() {
                entry["encoding"] = Value::Object(encoding.clone());
            }
            self.moved(&at(body_at, &["content", media]), &first);
            content.insert(media.clone(), entry);
        }
        self.moved(body_at, &first);
        if any_required {
            json!({"content": content, "required": true})
        } else {
            json!({"content": content})
        }
    }

    /// One parameter at `p_at` (converted at `converted`).
    fn parameter(&mut self, parameter: &Value, p_at: &[String], converted: &[String]) -> Converted {
        let (resolved, source) = self.resolve_parameter(parameter, p_at);
        let place = resolved.get("in").and_then(Value::as_str).unwrap_or("");
        match place {
            "body" => return Converted::Body(resolved.clone(), source),
            "formData" => {
                let name = resolved
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let mut schema = self.parameter_schema(resolved, &source);
                if let (Some(description), Value::Object(map)) =
                    (resolved.get("description"), &mut schema)
                {
                    map.insert("description".into(), description.clone());
                }
                if let Some(style) = self.collection_format(resolved, &source, "formData") {
                    schema["x-encoding"] = style;
                }
                let required = resolved.get("required") == Some(&Value::Bool(true));
                return Converted::Form(name, schema, required, source);
            }
            _ => {}
        }
        if parameter.get("$ref").is_some() {
            return Converted::Parameter(parameter.clone());
        }
        Converted::Parameter(self.plain_parameter(parameter, p_at, converted))
    }

    /// A query, path, header parameter: its type under `schema`.
    fn plain_parameter(
        &mut self,
        parameter: &Value,
        p_at: &[String],
        converted: &[String],
    ) -> Value {
        let Some(map) = parameter.as_object() else {
            return parameter.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" => {
                    out.insert(key.clone(), value.clone());
                }
                "x-example" => {
                    out.insert("example".into(), value.clone());
                }
                k if k.starts_with("x-") && k != "x-nullable" => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        let place = map.get("in").and_then(Value::as_str).unwrap_or("");
        if place != "query" {
            out.remove("allowEmptyValue");
        }
        let schema = match parameter.get("schema") {
            // Not 2.0, but written: a schema instead of a type.
            Some(schema) if parameter.get("type").is_none() => {
                let schema_at = at(p_at, &["schema"]);
                self.moved(&at(converted, &["schema"]), &schema_at);
                self.schema(schema, &schema_at)
            }
            _ => {
                self.moved(&at(converted, &["schema"]), p_at);
                self.parameter_schema(parameter, p_at)
            }
        };
        out.insert("schema".into(), schema);
        if let Some(Value::Object(style)) = self.collection_format(parameter, p_at, place) {
            out.extend(style);
        }
        Value::Object(out)
    }

    /// The schema a 2.0 parameter, header or items object spells with its own keys.
    fn parameter_schema(&mut self, parameter: &Value, p_at: &[String]) -> Value {
        let mut schema = Map::new();
        for key in PARAMETER_SCHEMA_KEYS {
            if let Some(value) = parameter.get(*key) {
                let value = if *key == "items" {
                    if value.get("collectionFormat").is_some() {
                        self.warn(
                            &at(p_at, &["items", "collectionFormat"]),
                            "OpenAPI 3 has no `collectionFormat` for nested arrays; the inner array is sent as the outer one's items",
                        );
                    }
                    self.parameter_schema(value, &at(p_at, &["items"]))
                } else {
                    value.clone()
                };
                schema.insert((*key).to_owned(), value);
            }
        }
        if parameter.get("x-nullable") == Some(&Value::Bool(true)) {
            schema.insert("nullable".into(), Value::Bool(true));
        }
        if schema.get("type").and_then(Value::as_str) == Some("file") {
            schema.insert("type".into(), json!("string"));
            schema.insert("format".into(), json!("binary"));
        }
        Value::Object(schema)
    }

    /// `style`/`explode` for an array's `collectionFormat` in `place`, if it has one
    /// that is not the place's default.
    fn collection_format(
        &mut self,
        parameter: &Value,
        p_at: &[String],
        place: &str,
    ) -> Option<Value> {
        if parameter.get("type").and_then(Value::as_str) != Some("array") {
            return None;
        }
        let written = parameter.get("collectionFormat").and_then(Value::as_str);
        let format = written.unwrap_or("csv");
        let format_at = at(p_at, &["collectionFormat"]);
        let query = matches!(place, "query" | "formData");
        let (style, explode) = match (format, query) {
            ("csv", true) => ("form", false),
            ("multi", true) => ("form", true),
            ("ssv", true) => ("spaceDelimited", false),
            ("pipes", true) => ("pipeDelimited", false),
            ("csv", false) => ("simple", false),
            ("tsv", _) => {
                self.warn(
                    &format_at,
                    "OpenAPI 3 has no style for `collectionFormat: tsv`; the values are sent comma-separated",
                );
                if query {
                    ("form", false)
                } else {
                    ("simple", false)
                }
            }
            (other, _) => {
                self.warn(
                    &format_at,
                    format!("`collectionFormat: {other}` has no OpenAPI 3 style for an `in: {place}` parameter; the values are sent comma-separated"),
                );
                if query {
                    ("form", false)
                } else {
                    ("simple", false)
                }
            }
        };
        Some(json!({"style": style, "explode": explode}))
    }

    fn responses(&mut self, responses: &Value, op: &Value, r_at: &[String]) -> Value {
        let Some(map) = responses.as_object() else {
            return responses.clone();
        };
        let mut out = Map::new();
        for (code, response) in map {
            let value = if code.starts_with("x-") || response.get("$ref").is_some() {
                response.clone()
            } else {
                self.response(response, op, &at(r_at, &[code]), &at(r_at, &[code]))
            };
            out.insert(code.clone(), value);
        }
        Value::Object(out)
    }

    /// One response (at `source`, converted at `converted`); `op` says what it produces.
    fn response(
        &mut self,
        response: &Value,
        op: &Value,
        source: &[String],
        converted: &[String],
    ) -> Value {
        let Some(map) = response.as_object() else {
            return response.clone();
        };
        let mut out = Map::new();
        let description = map.get("description").cloned().unwrap_or_else(|| json!(""));
        out.insert("description".into(), description);
        if let Some(headers) = map.get("headers").and_then(Value::as_object) {
            let mut converted_headers = Map::new();
            for (name, header) in headers {
                let h_at = at(source, &["headers", name]);
                let mut entry = Map::new();
                if let Some(description) = header.get("description") {
                    entry.insert("description".into(), description.clone());
                }
                entry.insert("schema".into(), self.parameter_schema(header, &h_at));
                self.moved(&at(converted, &["headers", name, "schema"]), &h_at);
                if let Some(Value::Object(style)) = self.collection_format(header, &h_at, "header")
                {
                    entry.extend(style);
                }
                copy_extensions(header, &mut entry);
                converted_headers.insert(name.clone(), Value::Object(entry));
            }
            out.insert("headers".into(), Value::Object(converted_headers));
        }
        let examples = map.get("examples").and_then(Value::as_object);
        if let Some(schema) = map.get("schema") {
            let schema_at = at(source, &["schema"]);
            let schema = self.schema(schema, &schema_at);
            let mut types = self.media_types(op, "produces", &schema_at);
            for media in examples.into_iter().flatten().map(|(t, _)| t) {
                if !types.contains(media) {
                    types.push(media.clone());
                }
            }
            let mut content = Map::new();
            for media in types {
                let mut entry = json!({"schema": schema});
                self.moved(&at(converted, &["content", &media, "schema"]), &schema_at);
                if let Some(example) = examples.and_then(|e| e.get(&media)) {
                    entry["example"] = example.clone();
                    self.moved(
                        &at(converted, &["content", &media, "example"]),
                        &at(source, &["examples", &media]),
                    );
                }
                content.insert(media, entry);
            }
            out.insert("content".into(), Value::Object(content));
        } else if let Some(examples) = examples {
            let mut content = Map::new();
            for (media, example) in examples {
                self.moved(
                    &at(converted, &["content", media]),
                    &at(source, &["examples", media]),
                );
                content.insert(media.clone(), json!({"example": example}));
            }
            out.insert("content".into(), Value::Object(content));
        }
        copy_extensions(response, &mut out);
        Value::Object(out)
    }

    fn components(&mut self) -> Map<String, Value> {
        let doc = self.doc;
        let mut components = Map::new();
        if let Some(definitions) = doc.get("definitions").and_then(Value::as_object) {
            let mut schemas = Map::new();
            for (name, schema) in definitions {
                schemas.insert(
                    name.clone(),
                    self.schema(schema, &at(&[], &["definitions", name])),
                );
            }
            components.insert("schemas".into(), Value::Object(schemas));
            self.moved(
                &at(&[], &["components", "schemas"]),
                &at(&[], &["definitions"]),
            );
        }
        if let Some(parameters) = doc.get("parameters").and_then(Value::as_object) {
            let mut plain = Map::new();
            let mut bodies = Map::new();
            for (name, parameter) in parameters {
                let source = at(&[], &["parameters", name]);
                match parameter.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        let converted = at(&[], &["components", "requestBodies", name]);
                        self.moved(&converted, &source);
                        let types = self.media_types(&Value::Null, "consumes", &source);
                        let body = self.body_from_parameter(parameter, &source, &types, &converted);
                        bodies.insert(name.clone(), body);
                    }
                    // Inlined into each operation's form body.
                    Some("formData") => {}
                    _ => {
                        let converted = at(&[], &["components", "parameters", name]);
                        self.moved(&converted, &source);
                        let value = self.plain_parameter(parameter, &source, &converted);
                        plain.insert(name.clone(), value);
                    }
                }
            }
            if !plain.is_empty() {
                components.insert("parameters".into(), Value::Object(plain));
            }
            if !bodies.is_empty() {
                components.insert("requestBodies".into(), Value::Object(bodies));
            }
        }
        if let Some(responses) = doc.get("responses").and_then(Value::as_object) {
            let mut out = Map::new();
            for (name, response) in responses {
                let source = at(&[], &["responses", name]);
                let converted = at(&[], &["components", "responses", name]);
                self.moved(&converted, &source);
                out.insert(
                    name.clone(),
                    self.response(response, &Value::Null, &source, &converted),
                );
            }
            components.insert("responses".into(), Value::Object(out));
        }
        if let Some(definitions) = doc.get("securityDefinitions").and_then(Value::as_object) {
            let mut schemes = Map::new();
            for (name, scheme) in definitions {
                let source = at(&[], &["securityDefinitions", name]);
                self.moved(&at(&[], &["components", "securitySchemes", name]), &source);
                if let Some(scheme) = self.security_scheme(scheme, &source) {
                    schemes.insert(name.clone(), scheme);
                }
            }
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }

    fn security_scheme(&mut self, scheme: &Value, source: &[String]) -> Option<Value> {
        let mut out = Map::new();
        let field = |key: &str| scheme.get(key).cloned().unwrap_or(Value::Null);
        match scheme.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            Some("apiKey") => {
                out.insert("type".into(), json!("apiKey"));
                out.insert("name".into(), field("name"));
                out.insert("in".into(), field("in"));
            }
            Some("oauth2") => {
                let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or("");
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    other => {
                        self.warn(
                            &at(source, &["flow"]),
                            format!("`{other}` is not an OAuth 2 flow of Swagger 2.0 (implicit, password, application, accessCode); the scheme is dropped"),
                        );
                        return None;
                    }
                };
                let mut flow_object = Map::new();
                for url in urls {
                    flow_object.insert((*url).to_owned(), field(url));
                }
                let scopes = scheme.get("scopes").cloned().unwrap_or_else(|| json!({}));
                flow_object.insert("scopes".into(), scopes);
                out.insert("type".into(), json!("oauth2"));
                out.insert("flows".into(), json!({ name: flow_object }));
                let converted = at(
                    &[],
                    &[
                        "components",
                        "securitySchemes",
                        source.last().map_or("", String::as_str),
                        "flows",
                        name,
                    ],
                );
                self.moved(&converted, source);
            }
            other => {
                self.warn(
                    &at(source, &["type"]),
                    format!("{} is not a Swagger 2.0 security scheme type (basic, apiKey, oauth2); the scheme is dropped", other.map_or("no type".to_owned(), |t| format!("`{t}`"))),
                );
                return None;
            }
        }
        if let Some(description) = scheme.get("description") {
            out.insert("description".into(), description.clone());
        }
        copy_extensions(scheme, &mut out);
        Some(Value::Object(out))
    }

    /// A 2.0 Schema Object as a 3.0 one: `x-nullable`, `type: file` and a
    /// `discriminator` name converted, recursively.
    fn schema(&mut self, schema: &Value, s_at: &[String]) -> Value {
        let Some(map) = schema.as_object() else {
            return schema.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            let child_at = at(s_at, &[key]);
            let converted = match key.as_str() {
                "x-nullable" => {
                    if value == &Value::Bool(true) {
                        out.insert("nullable".into(), Value::Bool(true));
                        self.renamed(&at(s_at, &["nullable"]), &child_at);
                    }
                    continue;
                }
                "discriminator" => match value.as_str() {
                    Some(name) => {
                        self.renamed(&at(s_at, &["discriminator", "propertyName"]), &child_at);
                        json!({"propertyName": name})
                    }
                    None => value.clone(),
                },
                "properties" | "patternProperties" => match value.as_object() {
                    Some(props) => Value::Object(
                        props
                            .iter()
                            .map(|(name, p)| {
                                (name.clone(), self.schema(p, &at(&child_at, &[name])))
                            })
                            .collect(),
                    ),
                    None => value.clone(),
                },
                "items" | "additionalProperties" | "not" => match value {
                    Value::Array(list) => Value::Array(
                        list.iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &at(&child_at, &[&i.to_string()])))
                            .collect(),
                    ),
                    _ => self.schema(value, &child_at),
                },
                "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                    Some(list) => Value::Array(
                        list.iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &at(&child_at, &[&i.to_string()])))
                            .collect(),
                    ),
                    None => value.clone(),
                },
                _ => value.clone(),
            };
            out.insert(key.clone(), converted);
        }
        if out.get("type").and_then(Value::as_str) == Some("file") {
            out.insert("type".into(), json!("string"));
            out.insert("format".into(), json!("binary"));
        }
        Value::Object(out)
    }
}

/// The `$ref` written at `written`, if it names a shared parameter.
fn written_ref(doc: &Value, written: &[String]) -> Option<String> {
    let mut node = doc;
    for segment in written {
        node = match node {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            other => other.get(segment)?,
        };
    }
    node.get("$ref")
        .and_then(Value::as_str)
        .filter(|r| r.starts_with("#/parameters/"))
        .map(str::to_owned)
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    for (key, value) in from.as_object().into_iter().flatten() {
        if key.starts_with("x-") && key != "x-nullable" && !to.contains_key(key) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// Every local `$ref` to where its target moved (external ones keep their
/// fragment rewritten too: a 2.0 file they point into is converted the same way).
/// Examples are data, not schemas, unless `names` says the keys are names (of
/// properties, say) rather than keywords.
fn rewrite_refs(value: &mut Value) {
    rewrite_refs_in(value, false)
}

fn rewrite_refs_in(value: &mut Value, names: bool) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref").filter(|_| !names) {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(at) = reference.find(from) {
                        reference.replace_range(at..at + from.len(), to);
                        break;
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                let data = matches!(
                    key.as_str(),
                    "example" | "examples" | "x-example" | "default" | "enum"
                );
                if names || !data {
                    let keyed = !names
                        && matches!(
                            key.as_str(),
                            "properties"
                                | "patternProperties"
                                | "definitions"
                                | "paths"
                                | "responses"
                                | "parameters"
                                | "securityDefinitions"
                                | "headers"
                                | "content"
                                | "schemas"
                                | "requestBodies"
                                | "securitySchemes"
                        );
                    rewrite_refs_in(child, keyed);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_refs_in(item, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
