//! Where each kind of OpenAPI object sits in a document, for passes that work on the
//! untyped JSON tree before `openapiv3` types it ([`crate::source::references`],
//! [`crate::source::lenient`]).
//!
//! The walk knows the 3.0/3.1 object graph (paths -> operations -> responses -> media
//! types -> schemas ...), so a pass can tell a schema from a response with the same
//! keys, and a property *named* `schema` from a `schema` member.

use serde_json::Value;

/// The kinds of object a pass can be interested in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    MediaType,
    Response,
    Header,
    Schema,
    Example,
    Link,
    Callback,
    SecurityScheme,
}

impl Kind {
    /// The `components` section that holds reusable objects of this kind.
    pub(crate) fn section(self) -> Option<&'static str> {
        Some(match self {
            Self::Schema => "schemas",
            Self::Response => "responses",
            Self::Parameter => "parameters",
            Self::RequestBody => "requestBodies",
            Self::Header => "headers",
            Self::Example => "examples",
            Self::Link => "links",
            Self::Callback => "callbacks",
            Self::SecurityScheme => "securitySchemes",
            Self::PathItem => "pathItems",
            Self::Operation | Self::MediaType => return None,
        })
    }
}

/// Objects nested deeper than this are not visited; the parsers stop at 128 levels.
const MAX_DEPTH: usize = 256;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `visit` with the kind, pointer segments and value of every object of a known
/// kind, parents before children, in document order.
pub(crate) fn walk(document: &Value, visit: &mut dyn FnMut(Kind, &[String], &Value)) {
    let mut walker = Walker {
        at: Vec::new(),
        visit,
    };
    walker.document(document);
}

/// Keys whose values are data (examples, defaults, enum values), not document
/// structure.
pub(crate) const DATA_KEYS: &[&str] = &[
    "example",
    "examples",
    "default",
    "enum",
    "const",
    "x-examples",
];

/// For passes that look for a key wherever it is (`schema`, `servers`) rather than for
/// a kind of object: calls `visit` with the pointer segments and value of each member
/// of every object in `value`, through arrays, parents before children, except members
/// named in `skip`; `visit` says whether to go on into the member's value.
pub(crate) fn walk_members_mut(
    value: &mut Value,
    skip: &[&str],
    visit: &mut dyn FnMut(&[String], &mut Value) -> bool,
) {
    fn go(
        value: &mut Value,
        at: &mut Vec<String>,
        skip: &[&str],
        visit: &mut dyn FnMut(&[String], &mut Value) -> bool,
    ) {
        match value {
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    at.push(index.to_string());
                    go(item, at, skip, visit);
                    at.pop();
                }
            }
            Value::Object(map) => {
                for (key, member) in map.iter_mut() {
                    if skip.contains(&key.as_str()) {
                        continue;
                    }
                    at.push(key.clone());
                    if visit(at, member) {
                        go(member, at, skip, visit);
                    }
                    at.pop();
                }
            }
            _ => {}
        }
    }
    go(value, &mut Vec::new(), skip, visit);
}

struct Walker<'v> {
    at: Vec<String>,
    visit: &'v mut dyn FnMut(Kind, &[String], &Value),
}

impl Walker<'_> {
    fn document(&mut self, document: &Value) {
        for section in ["paths", "webhooks"] {
            self.map(document, section, Kind::PathItem);
        }
        let Some(components) = document.get("components") else {
            return;
        };
        self.at.push("components".to_owned());
        for kind in [
            Kind::Schema,
            Kind::Response,
            Kind::Parameter,
            Kind::Example,
            Kind::RequestBody,
            Kind::Header,
            Kind::SecurityScheme,
            Kind::Link,
            Kind::Callback,
            Kind::PathItem,
        ] {
            if let Some(section) = kind.section() {
                self.map(components, section, kind);
            }
        }
        self.at.pop();
    }

    /// Visits `value` as a `kind`, then its children.
    fn node(&mut self, kind: Kind, value: &Value) {
        if !value.is_object() || self.at.len() > MAX_DEPTH {
            return;
        }
        (self.visit)(kind, &self.at, value);
        match kind {
            Kind::PathItem => {
                self.list(value, "parameters", Kind::Parameter);
                for method in METHODS {
                    self.child(value, method, Kind::Operation);
                }
            }
            Kind::Operation => {
                self.list(value, "parameters", Kind::Parameter);
                self.child(value, "requestBody", Kind::RequestBody);
                self.map(value, "responses", Kind::Response);
                self.map(value, "callbacks", Kind::Callback);
            }
            Kind::Callback => {
                if let Value::Object(expressions) = value {
                    for (expression, item) in expressions {
                        self.at.push(expression.clone());
                        self.node(Kind::PathItem, item);
                        self.at.pop();
                    }
                }
            }
            Kind::Parameter | Kind::Header => {
                self.child(value, "schema", Kind::Schema);
                self.map(value, "content", Kind::MediaType);
                self.map(value, "examples", Kind::Example);
            }
            Kind::RequestBody => self.map(value, "content", Kind::MediaType),
            Kind::MediaType => {
                self.child(value, "schema", Kind::Schema);
                self.map(value, "examples", Kind::Example);
                if let Some(Value::Object(encodings)) = value.get("encoding") {
                    self.at.push("encoding".to_owned());
                    for (name, encoding) in encodings {
                        self.at.push(name.clone());
                        self.map(encoding, "headers", Kind::Header);
                        self.at.pop();
                    }
                    self.at.pop();
                }
            }
            Kind::Response => {
                self.map(value, "headers", Kind::Header);
                self.map(value, "content", Kind::MediaType);
                self.map(value, "links", Kind::Link);
            }
            Kind::Schema => {
                for key in ["properties", "patternProperties", "$defs", "definitions"] {
                    self.map(value, key, Kind::Schema);
                }
                for key in ["items", "additionalProperties", "not"] {
                    self.child(value, key, Kind::Schema);
                }
                for key in ["allOf", "oneOf", "anyOf", "prefixItems", "items"] {
                    self.list(value, key, Kind::Schema);
                }
            }
            Kind::Example | Kind::Link | Kind::SecurityScheme => {}
        }
    }

    fn child(&mut self, parent: &Value, key: &str, kind: Kind) {
        if let Some(value) = parent.get(key) {
            self.at.push(key.to_owned());
            self.node(kind, value);
            self.at.pop();
        }
    }

    /// Every member of the object at `parent[key]`.
    fn map(&mut self, parent: &Value, key: &str, kind: Kind) {
        if let Some(Value::Object(members)) = parent.get(key) {
            self.at.push(key.to_owned());
            for (name, value) in members {
                self.at.push(name.clone());
                self.node(kind, value);
                self.at.pop();
            }
            self.at.pop();
        }
    }

    /// Every item of the array at `parent[key]`.
    fn list(&mut self, parent: &Value, key: &str, kind: Kind) {
        if let Some(Value::Array(items)) = parent.get(key) {
            self.at.push(key.to_owned());
            for (index, value) in items.iter().enumerate() {
                self.at.push(index.to_string());
                self.node(kind, value);
                self.at.pop();
            }
            self.at.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_member_walk_skips_data_and_stops_where_told() {
        let mut document = json!({
            "servers": [{"url": "a"}],
            "paths": {"/a": {"get": {
                "servers": [{"url": "b"}],
                "examples": {"x": {"servers": [{"url": "in an example"}]}},
                "parameters": [{"servers": [{"url": "c"}]}]
            }}}
        });
        let mut found = Vec::new();
        walk_members_mut(&mut document, DATA_KEYS, &mut |at, member| {
            if at.last().map(String::as_str) != Some("servers") {
                return true;
            }
            found.push(crate::diagnostics::pointer(at));
            member[0]["url"] = Value::from("seen");
            false
        });
        assert_eq!(
            found,
            [
                "#/servers",
                "#/paths/~1a/get/servers",
                "#/paths/~1a/get/parameters/0/servers"
            ]
        );
        assert_eq!(
            document["paths"]["/a"]["get"]["examples"]["x"]["servers"][0]["url"],
            "in an example"
        );
        assert_eq!(document["servers"][0]["url"], "seen");
    }

    fn kinds(document: &Value) -> Vec<(Kind, String)> {
        let mut seen = Vec::new();
        walk(document, &mut |kind, at, _| {
            seen.push((kind, crate::diagnostics::pointer(at)))
        });
        seen
    }

    #[test]
    fn tells_schemas_from_other_objects_with_the_same_keys() {
        let document = json!({
            "paths": {"/a": {"get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "schema": {"type": "object", "properties": {"x": {}}}
                    }}
                }}}}
            }}},
            "components": {"responses": {"schema": {"description": "a response named schema"}}}
        });
        let seen = kinds(&document);
        let at = |kind: Kind| -> Vec<&str> {
            seen.iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, p)| p.as_str())
                .collect()
        };
        assert_eq!(
            at(Kind::Schema),
            [
                "#/paths/~1a/get/parameters/0/schema",
                "#/paths/~1a/get/responses/200/content/application~1json/schema",
                "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema",
                "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/schema/properties/x",
            ]
        );
        assert_eq!(
            at(Kind::Response),
            [
                "#/paths/~1a/get/responses/200",
                "#/components/responses/schema"
            ]
        );
        assert_eq!(at(Kind::Parameter), ["#/paths/~1a/get/parameters/0"]);
    }

    #[test]
    fn callbacks_hold_path_items() {
        let document = json!({"paths": {"/a": {"post": {"callbacks": {"done": {
            "{$request.body#/url}": {"post": {"responses": {}}}
        }}}}}});
        let seen = kinds(&document);
        assert!(seen.contains(&(
            Kind::Operation,
            "#/paths/~1a/post/callbacks/done/{$request.body#~1url}/post".to_owned()
        )));
    }
}
