//! Structural edits: picks of nodes of the seed's JSON, the edits applied to them, and
//! the case that writes the edited document back as YAML or JSON.

use super::*;

/// Which nodes a pick chooses among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
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
pub(super) struct Pick {
    pub(super) class: Class,
    pub(super) index: u64,
}

#[derive(Debug, Clone)]
pub(super) enum RefTarget {
    Node(Pick),
    Itself,
    /// The n-th ancestor of the node (so the reference contains itself).
    Ancestor(u8),
    Fixed(String),
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Wrap {
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
pub(super) enum Edit {
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
pub(super) enum Format {
    Yaml,
    Json,
    PrettyJson,
}

#[derive(Debug, Clone)]
pub(super) struct StructuralCase {
    pub(super) seed: usize,
    pub(super) edits: Vec<Edit>,
    pub(super) format: Format,
    pub(super) words: Vec<String>,
}

pub(super) fn pick(class: Class) -> BoxedStrategy<Pick> {
    any::<u64>()
        .prop_map(move |index| Pick { class, index })
        .boxed()
}

pub(super) fn any_pick() -> BoxedStrategy<Pick> {
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
pub(super) fn name_pick() -> BoxedStrategy<Pick> {
    prop_oneof![
        4 => pick(Class::Schema),
        1 => pick(Class::PathItem),
        1 => pick(Class::Operation),
        1 => pick(Class::Any),
    ]
    .boxed()
}

pub(super) fn keyword_edit() -> BoxedStrategy<(String, Value)> {
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

pub(super) fn edit() -> BoxedStrategy<Edit> {
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

pub(super) fn words() -> BoxedStrategy<Vec<String>> {
    prop_oneof![
        4 => Just(Vec::new()),
        4 => Just(vec!["iModel".to_owned(), "iTwin".to_owned()]),
        1 => proptest::collection::vec(key(), 0..3),
    ]
    .boxed()
}

/// A seed index: the fixtures most often, then the iModels spec, then the broken specs
/// (which mostly stop at the first check). With `structured`, only seeds that parse.
pub(super) fn seed_index(structured: bool) -> BoxedStrategy<usize> {
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

pub(super) fn structural_case() -> BoxedStrategy<StructuralCase> {
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
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

pub(super) fn pointer_of(path: &[Seg]) -> String {
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

pub(super) fn all_paths(value: &Value) -> Vec<Vec<Seg>> {
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

pub(super) fn get<'v>(mut value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Object(map)) => map.get(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

pub(super) fn get_mut<'v>(mut value: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

pub(super) fn key_at(path: &[Seg], from_end: usize) -> Option<&str> {
    match path.len().checked_sub(from_end).and_then(|i| path.get(i)) {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

pub(super) fn is_schema_position(path: &[Seg]) -> bool {
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

pub(super) fn matches_class(class: Class, path: &[Seg], node: &Value) -> bool {
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
pub(super) fn resolve(doc: &Value, pick: Pick) -> Vec<Seg> {
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

pub(super) fn remove(doc: &mut Value, path: &[Seg]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    match (get_mut(doc, parent)?, last) {
        (Value::Object(map), Seg::Key(k)) => map.shift_remove(k),
        (Value::Array(items), Seg::Index(i)) if *i < items.len() => Some(items.remove(*i)),
        _ => None,
    }
}

/// Makes the node at `path` an object (replacing a non-object) and returns it.
pub(super) fn as_object<'v>(
    doc: &'v mut Value,
    path: &[Seg],
) -> Option<&'v mut Map<String, Value>> {
    let node = get_mut(doc, path)?;
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    node.as_object_mut()
}

pub(super) fn apply(doc: &mut Value, edit: &Edit) {
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
pub(super) fn colliding_name(base: &str, i: usize) -> String {
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
pub(super) fn resolve_component_marks(doc: &mut Value) {
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

pub(super) fn serialise(value: &Value, format: Format) -> String {
    match format {
        Format::Yaml => serde_yaml::to_string(value).expect("JSON values serialise as YAML"),
        Format::Json => value.to_string(),
        Format::PrettyJson => serde_json::to_string_pretty(value).expect("JSON serialises"),
    }
}

impl StructuralCase {
    pub(super) fn document(&self) -> Value {
        let mut doc = seeds()[self.seed].value.clone().expect("structural seed");
        for edit in &self.edits {
            apply(&mut doc, edit);
        }
        resolve_component_marks(&mut doc);
        doc
    }
}
