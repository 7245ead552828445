//! OpenAPI Overlays (Overlay Specification 1.0.0): reviewable edits applied to a spec
//! before anything else reads it, so a team can add what the live API does without
//! editing the document it will receive again at the next update.
//!
//! An overlay is a YAML or JSON document with `overlay: 1.0.0`, `info` (`title`,
//! `version`), an optional `extends` and a list of `actions`. Each action's `target`
//! is a JSONPath (RFC 9535, evaluated by `serde_json_path`) into the document as the
//! earlier actions and overlays left it, and either
//! - `update`: merged into every node the target selects. Into an object, an object
//!   merges recursively: members it names are added, objects in both merge, arrays in
//!   both are concatenated (the update's items appended), anything else is replaced.
//!   Into an array, the update is appended as one more item. A selected scalar is
//!   replaced; or
//! - `remove: true`: every selected node is removed from its parent.
//!
//! A target that selects nothing is an error (an overlay that silently stops applying
//! after a spec update is the failure overlays are most prone to), as are a document
//! that is not an overlay and a target that is not a JSONPath. Those errors are
//! located in the overlay file (line of the action, its pointer, the target).
//!
//! Applying overlays records a [`Provenance`]: where each node of the overlaid document
//! came from. A diagnostic about a node the spec holds is located in the spec (at the
//! node's place there, which a removed array item may have shifted); one about a node
//! an overlay put there is located in that overlay, inside the action's `update`.

use crate::diagnostics::{pointer, Diagnostic};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};

/// One overlay file as the front end read it: its path (for messages and headers) and
/// its text. The generator does no I/O; the caller reads the files, in the order they
/// apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlaySource {
    pub path: String,
    pub text: String,
}

impl OverlaySource {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// Where a node of the overlaid document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The spec, at these pointer segments.
    Spec(Vec<String>),
    /// Overlay number `overlay` (index into the list applied), at these segments of it.
    Overlay { overlay: usize, at: Vec<String> },
}

impl Origin {
    fn child(&self, segment: impl Into<String>) -> Self {
        let mut origin = self.clone();
        let segments = match &mut origin {
            Self::Spec(at) | Self::Overlay { at, .. } => at,
        };
        segments.push(segment.into());
        origin
    }

    fn extended(mut self, rest: &[String]) -> Self {
        match &mut self {
            Self::Spec(at) | Self::Overlay { at, .. } => at.extend(rest.iter().cloned()),
        }
        self
    }
}

/// The origin of every node, kept only as deep as the overlays changed something: a
/// `Leaf` stands for a whole subtree that came from one place unchanged.
#[derive(Debug, Clone)]
enum Shadow {
    Leaf(Origin),
    Object(Origin, IndexMap<String, Shadow>),
    Array(Origin, Vec<Shadow>),
}

impl Shadow {
    fn origin(&self) -> &Origin {
        match self {
            Self::Leaf(origin) | Self::Object(origin, _) | Self::Array(origin, _) => origin,
        }
    }

    /// Makes the children of `value`'s node explicit, so one of them can change.
    fn expand(&mut self, value: &Value) {
        let Self::Leaf(origin) = self else {
            return;
        };
        *self = match value {
            Value::Object(map) => Self::Object(
                origin.clone(),
                map.keys()
                    .map(|key| (key.clone(), Self::Leaf(origin.child(key.as_str()))))
                    .collect(),
            ),
            Value::Array(items) => Self::Array(
                origin.clone(),
                (0..items.len())
                    .map(|index| Self::Leaf(origin.child(index.to_string())))
                    .collect(),
            ),
            _ => return,
        };
    }

    fn child_mut(&mut self, segment: &Segment) -> Option<&mut Shadow> {
        match (self, segment) {
            (Self::Object(_, children), Segment::Key(key)) => children.get_mut(key),
            (Self::Array(_, children), Segment::Index(index)) => children.get_mut(*index),
            _ => None,
        }
    }
}

/// Where each node of an overlaid document came from (see the module docs).
#[derive(Debug, Clone)]
pub struct Provenance {
    root: Shadow,
    /// For a Swagger 2.0 document: where each node of the converted document was
    /// in the 2.0 one (applied before the overlays' origins).
    pub(crate) converted: Option<crate::source::swagger2::SourceMap>,
}

impl Default for Provenance {
    /// No overlays: every node is where it is in the spec.
    fn default() -> Self {
        Self {
            root: Shadow::Leaf(Origin::Spec(Vec::new())),
            converted: None,
        }
    }
}

impl Provenance {
    /// Whether every node is at its own pointer in the spec.
    pub fn is_identity(&self) -> bool {
        matches!(&self.root, Shadow::Leaf(Origin::Spec(at)) if at.is_empty())
    }

    /// The origin of the node at `pointer` (`#/paths/~1a/get`) of the overlaid
    /// document. A pointer deeper than anything recorded continues from the deepest
    /// node on its way.
    pub fn origin(&self, pointer: &str) -> Origin {
        let segments = pointer::decode(pointer).unwrap_or_default();
        let mut node = &self.root;
        for (depth, segment) in segments.iter().enumerate() {
            let next = match node {
                Shadow::Leaf(_) => None,
                Shadow::Object(_, children) => children.get(segment),
                Shadow::Array(_, children) => {
                    segment.parse::<usize>().ok().and_then(|i| children.get(i))
                }
            };
            match next {
                Some(child) => node = child,
                None => return node.origin().clone().extended(&segments[depth..]),
            }
        }
        node.origin().clone()
    }
}

/// Applies `overlays` to `document` in order. Errors are located in the overlay they
/// are about and name its file; the document is then half-changed and must not be used.
pub fn apply_all(
    document: &mut Value,
    overlays: &[OverlaySource],
) -> Result<Provenance, Vec<Diagnostic>> {
    let mut provenance = Provenance::default();
    for (number, overlay) in overlays.iter().enumerate() {
        apply(document, &mut provenance, number, overlay).map_err(|items| {
            let mut items = crate::diagnostics::locate::in_overlay(items, &overlay.text);
            for item in &mut items {
                item.file = Some(overlay.path.clone());
            }
            items
        })?;
    }
    Ok(provenance)
}

/// One parsed action.
struct Action {
    /// Its index in `actions`.
    index: usize,
    target: String,
    path: JsonPath,
    change: Change,
}

enum Change {
    Update(Value),
    Remove,
}

/// A key or an index on the way to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn apply(
    document: &mut Value,
    provenance: &mut Provenance,
    number: usize,
    overlay: &OverlaySource,
) -> Result<(), Vec<Diagnostic>> {
    let value = crate::source::parse(&overlay.text).map_err(|diagnostic| {
        let hint = "an overlay is a mapping with `overlay: 1.0.0`, `info` and `actions`";
        match diagnostic.hint {
            Some(_) => vec![diagnostic.with_hint(hint)],
            None => vec![diagnostic],
        }
    })?;
    let actions = read_overlay(&value)?;
    for action in actions {
        let at = format!("#/actions/{}", action.index);
        let matched: Vec<Vec<Segment>> = action
            .path
            .query_located(document)
            .locations()
            .map(|location| {
                location
                    .iter()
                    .map(|element| match element {
                        PathElement::Name(name) => Segment::Key((*name).to_owned()),
                        PathElement::Index(index) => Segment::Index(*index),
                    })
                    .collect()
            })
            .collect();
        if matched.is_empty() {
            return Err(vec![Diagnostic::error(
                format!("{at}/target"),
                format!(
                    "action {} targets `{}`, which matches nothing in the document",
                    action.index, action.target
                ),
            )
            .with_hint(
                "a target is a JSONPath into the spec as the earlier overlays and actions left it; \
                 a spec update may have moved or renamed what it selected",
            )]);
        }
        match &action.change {
            Change::Update(update) => {
                let from = Origin::Overlay {
                    overlay: number,
                    at: vec![
                        "actions".to_owned(),
                        action.index.to_string(),
                        "update".to_owned(),
                    ],
                };
                for path in &matched {
                    // An earlier match's update may have replaced this one's node.
                    let Some((node, shadow)) = node_mut(document, &mut provenance.root, path)
                    else {
                        continue;
                    };
                    update_node(node, shadow, update, &from).map_err(|problem| {
                        vec![Diagnostic::error(
                            format!("{at}/update"),
                            format!(
                                "action {} targets `{}`, which {problem}",
                                action.index, action.target
                            ),
                        )]
                    })?;
                }
            }
            Change::Remove => {
                if matched.iter().any(Vec::is_empty) {
                    return Err(vec![Diagnostic::error(
                        format!("{at}/target"),
                        format!(
                            "action {} would remove the whole document (`{}`)",
                            action.index, action.target
                        ),
                    )]);
                }
                // Last first, so removing an array item leaves earlier paths valid; a
                // node inside one already removed is simply gone.
                let mut matched = matched;
                matched.sort_by(|a, b| compare_paths(b, a));
                for path in &matched {
                    remove(document, &mut provenance.root, path);
                }
            }
        }
    }
    Ok(())
}

/// Document order of two paths (indices numerically), so removals can run backwards.
fn compare_paths(a: &[Segment], b: &[Segment]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x, y) {
            (Segment::Index(x), Segment::Index(y)) => x.cmp(y),
            (Segment::Key(x), Segment::Key(y)) => x.cmp(y),
            (Segment::Index(_), Segment::Key(_)) => std::cmp::Ordering::Less,
            (Segment::Key(_), Segment::Index(_)) => std::cmp::Ordering::Greater,
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// The node at `path` and its shadow, making the shadow explicit on the way.
fn node_mut<'v>(
    document: &'v mut Value,
    shadow: &'v mut Shadow,
    path: &[Segment],
) -> Option<(&'v mut Value, &'v mut Shadow)> {
    let Some((first, rest)) = path.split_first() else {
        return Some((document, shadow));
    };
    shadow.expand(document);
    let child = match (document, first) {
        (Value::Object(map), Segment::Key(key)) => map.get_mut(key)?,
        (Value::Array(items), Segment::Index(index)) => items.get_mut(*index)?,
        _ => return None,
    };
    node_mut(child, shadow.child_mut(first)?, rest)
}

/// Merges an action's `update` into one selected node (see the module docs).
fn update_node(
    node: &mut Value,
    shadow: &mut Shadow,
    update: &Value,
    from: &Origin,
) -> Result<(), &'static str> {
    match node {
        Value::Array(_) => {
            shadow.expand(node);
            push_item(node, shadow, update.clone(), from.clone());
        }
        Value::Object(_) if !update.is_object() => {
            return Err("selects an object, so `update` must be an object to merge into it")
        }
        _ => merge(node, shadow, update, from),
    }
    Ok(())
}

fn push_item(node: &mut Value, shadow: &mut Shadow, item: Value, from: Origin) {
    if let (Value::Array(items), Shadow::Array(_, children)) = (node, shadow) {
        items.push(item);
        children.push(Shadow::Leaf(from));
    }
}

/// Objects merge member by member, arrays concatenate, anything else is replaced.
fn merge(node: &mut Value, shadow: &mut Shadow, update: &Value, from: &Origin) {
    match (&mut *node, update) {
        (Value::Object(_), Value::Object(members)) => {
            shadow.expand(node);
            let (Value::Object(map), Shadow::Object(_, children)) = (node, shadow) else {
                return;
            };
            for (key, value) in members {
                let from = from.child(key.as_str());
                let mergeable = map.get(key).is_some_and(|existing| {
                    (existing.is_object() && value.is_object())
                        || (existing.is_array() && value.is_array())
                });
                match (mergeable, map.get_mut(key), children.get_mut(key)) {
                    (true, Some(existing), Some(child)) => merge(existing, child, value, &from),
                    _ => {
                        map.insert(key.clone(), value.clone());
                        children.insert(key.clone(), Shadow::Leaf(from));
                    }
                }
            }
        }
        (Value::Array(_), Value::Array(items)) => {
            shadow.expand(node);
            for (index, item) in items.iter().enumerate() {
                push_item(node, shadow, item.clone(), from.child(index.to_string()));
            }
        }
        _ => {
            *node = update.clone();
            *shadow = Shadow::Leaf(from.clone());
        }
    }
}

/// Removes the node at `path` (not empty) from its parent, if it is still there.
fn remove(document: &mut Value, root: &mut Shadow, path: &[Segment]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let Some((node, shadow)) = node_mut(document, root, parent) else {
        return;
    };
    shadow.expand(node);
    match (node, shadow, last) {
        (Value::Object(map), Shadow::Object(_, children), Segment::Key(key)) => {
            map.shift_remove(key);
            children.shift_remove(key);
        }
        (Value::Array(items), Shadow::Array(_, children), Segment::Index(index))
            if *index < items.len() =>
        {
            items.remove(*index);
            if *index < children.len() {
                children.remove(*index);
            }
        }
        _ => {}
    }
}

/// Checks the overlay document and reads its actions; every problem found comes back.
fn read_overlay(value: &Value) -> Result<Vec<Action>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let Value::Object(root) = value else {
        return Err(vec![Diagnostic::error("#", "an overlay must be a mapping")]);
    };
    match root.get("overlay") {
        Some(Value::String(version)) if version.starts_with("1.0.") || version == "1.0" => {}
        Some(Value::String(version)) => problems.push(
            Diagnostic::error(
                "#/overlay",
                format!("Overlay Specification version {version} is not supported"),
            )
            .with_hint("this generator applies overlays of version 1.0.x"),
        ),
        Some(_) => problems.push(
            Diagnostic::error("#/overlay", "`overlay` must be a string such as \"1.0.0\"")
                .with_hint("quote the version: overlay: \"1.0.0\""),
        ),
        None => problems.push(
            Diagnostic::error("#", "not an overlay: the document has no `overlay` version")
                .with_hint("an overlay starts with `overlay: 1.0.0`, then `info` and `actions`"),
        ),
    }
    match root.get("info") {
        Some(Value::Object(info)) => {
            for field in ["title", "version"] {
                if !info.get(field).is_some_and(Value::is_string) {
                    problems.push(Diagnostic::error(
                        "#/info",
                        format!("`info.{field}` is required and must be a string"),
                    ));
                }
            }
            unknown_fields(info, &["title", "version"], "#/info", &mut problems);
        }
        _ => problems.push(
            Diagnostic::error("#", "the overlay has no `info` object")
                .with_hint("add `info: {title: ..., version: ...}` saying what the overlay is for"),
        ),
    }
    if root.get("extends").is_some_and(|e| !e.is_string()) {
        problems.push(Diagnostic::error(
            "#/extends",
            "`extends` must be a string (the URI of the document the overlay is for)",
        ));
    }
    unknown_fields(
        root,
        &["overlay", "info", "extends", "actions"],
        "#",
        &mut problems,
    );
    let mut actions = Vec::new();
    match root.get("actions") {
        Some(Value::Array(items)) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                if let Some(action) = read_action(index, item, &mut problems) {
                    actions.push(action);
                }
            }
        }
        Some(Value::Array(_)) => problems.push(Diagnostic::error(
            "#/actions",
            "`actions` is empty; an overlay needs at least one action",
        )),
        Some(_) => problems.push(Diagnostic::error(
            "#/actions",
            "`actions` must be a list of actions",
        )),
        None => problems.push(Diagnostic::error("#", "the overlay has no `actions` list")),
    }
    if problems.is_empty() {
        Ok(actions)
    } else {
        Err(problems)
    }
}

fn read_action(index: usize, item: &Value, problems: &mut Vec<Diagnostic>) -> Option<Action> {
    let at = format!("#/actions/{index}");
    let Value::Object(action) = item else {
        problems.push(Diagnostic::error(
            at,
            format!("action {index} must be an object with `target` and `update` or `remove`"),
        ));
        return None;
    };
    unknown_fields(
        action,
        &["target", "description", "update", "remove"],
        &at,
        problems,
    );
    if action.get("description").is_some_and(|d| !d.is_string()) {
        problems.push(Diagnostic::error(
            format!("{at}/description"),
            "`description` must be a string",
        ));
    }
    let remove = match action.get("remove") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => {
            problems.push(Diagnostic::error(
                format!("{at}/remove"),
                "`remove` must be `true` or `false`",
            ));
            return None;
        }
    };
    let change = match (remove, action.get("update")) {
        // The specification: `update` has no effect when `remove` is true.
        (true, _) => Change::Remove,
        (false, Some(update)) => Change::Update(update.clone()),
        (false, None) => {
            problems.push(
                Diagnostic::error(
                    at.clone(),
                    format!("action {index} has neither `update` nor `remove: true`"),
                )
                .with_hint(
                    "an action changes what its target selects: give `update` or `remove: true`",
                ),
            );
            return None;
        }
    };
    let target = match action.get("target") {
        Some(Value::String(target)) => target.clone(),
        Some(_) => {
            problems.push(Diagnostic::error(
                format!("{at}/target"),
                "`target` must be a JSONPath string such as \"$.paths['/a'].get\"",
            ));
            return None;
        }
        None => {
            problems.push(
                Diagnostic::error(at, format!("action {index} has no `target`"))
                    .with_hint("`target` is a JSONPath (RFC 9535) such as \"$.paths['/a'].get\""),
            );
            return None;
        }
    };
    match JsonPath::parse(&target) {
        Ok(path) => Some(Action {
            index,
            target,
            path,
            change,
        }),
        Err(err) => {
            problems.push(
                Diagnostic::error(
                    format!("{at}/target"),
                    format!(
                        "`{target}` is not a valid JSONPath (RFC 9535): at character {}, {}",
                        err.position(),
                        err.message()
                    ),
                )
                .with_hint("quote names that are not identifiers: $.paths['/{id}'].get"),
            );
            None
        }
    }
}

/// Fields outside the specification are mistakes, unless they are `x-` extensions.
fn unknown_fields(map: &Map<String, Value>, known: &[&str], at: &str, out: &mut Vec<Diagnostic>) {
    for key in map.keys() {
        if !known.contains(&key.as_str()) && !key.starts_with("x-") {
            out.push(
                Diagnostic::error(
                    format!("{at}/{}", pointer::escape(key)),
                    format!("unknown field `{key}`"),
                )
                .with_hint(format!("expected one of {}", known.join(", "))),
            );
        }
    }
}
