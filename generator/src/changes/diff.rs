//! Compares two [`Surface`]s and classifies each difference for code that depends on
//! the generated crate: breaking (it may stop compiling or change meaning) or
//! additive. The counts give the semver bump.

use crate::changes::surface::{FieldSurface, InputSurface, OperationSurface, Surface, TypeSurface};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Additive,
    Breaking,
}

/// One difference, under the operation or type it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub impact: Impact,
    pub text: String,
}

/// Every difference, grouped by operation and by type, in the new spec's order (then
/// removed items in the old spec's order).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub operations: Vec<(String, Vec<Change>)>,
    pub types: Vec<(String, Vec<Change>)>,
    /// A move to another `openapi-client-runtime` version, whose public types are
    /// part of the generated crate's API.
    pub runtime: Vec<(String, Vec<Change>)>,
    /// The client's settings: security schemes (`schemes::*`) and server
    /// variables (`servers::Server`, `servers::<module>::Server`).
    pub settings: Vec<(String, Vec<Change>)>,
}

/// The version bump a report implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.types.is_empty()
            && self.runtime.is_empty()
            && self.settings.is_empty()
    }

    pub fn count(&self, impact: Impact) -> usize {
        self.operations
            .iter()
            .chain(&self.types)
            .chain(&self.runtime)
            .chain(&self.settings)
            .flat_map(|(_, changes)| changes)
            .filter(|c| c.impact == impact)
            .count()
    }

    /// Cargo's semver rules: before 1.0 a breaking change bumps the minor version and
    /// anything else the patch; from 1.0, major for breaking and minor for additive.
    pub fn bump_for(&self, version: &str) -> Bump {
        let pre_one = version.starts_with("0.");
        match (
            self.count(Impact::Breaking) > 0,
            self.count(Impact::Additive) > 0,
        ) {
            (true, _) if pre_one => Bump::Minor,
            (true, _) => Bump::Major,
            (false, true) if pre_one => Bump::Patch,
            (false, true) => Bump::Minor,
            (false, false) => Bump::None,
        }
    }

    /// The report as Markdown: a summary line, then changes by operation and by type.
    pub fn render(&self, title: &str, version_line: &str) -> String {
        let mut out = format!("# API changes: {title}\n\n");
        let breaking = self.count(Impact::Breaking);
        let additive = self.count(Impact::Additive);
        let _ = writeln!(
            out,
            "{breaking} breaking, {additive} additive. {version_line}\n"
        );
        if self.is_empty() {
            out.push_str("No change to the API callers see.\n");
            return out;
        }
        for (heading, groups) in [
            ("Operations", &self.operations),
            ("Types", &self.types),
            ("Client settings", &self.settings),
            ("Runtime", &self.runtime),
        ] {
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(out, "## {heading}\n");
            for (subject, changes) in groups {
                let _ = writeln!(out, "- `{subject}`");
                for change in changes {
                    let tag = match change.impact {
                        Impact::Breaking => "**breaking**",
                        Impact::Additive => "additive",
                    };
                    let _ = writeln!(out, "  - {tag}: {}", change.text);
                }
            }
            out.push('\n');
        }
        out
    }
}

/// `version` with `bump` applied (`0.1.3` + minor = `0.2.0`). A version that is not
/// `major.minor.patch` is returned unchanged.
pub fn bumped(version: &str, bump: Bump) -> String {
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    let [major, minor, patch] = parts[..] else {
        return version.to_owned();
    };
    match bump {
        Bump::None => version.to_owned(),
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Major => format!("{}.0.0", major + 1),
    }
}

pub fn diff(old: &Surface, new: &Surface) -> Report {
    // A type that is only renamed (or an alias dropped for the type it named) is one
    // change, under its old name; the rest compares the old surface with those names
    // already replaced, so fields and arguments of a renamed type do not differ.
    let (renames, dropped_aliases) = renamed_types(old, new);
    let mut report = Report::default();
    // In the old surface's order.
    for from in old.types.keys() {
        let Some(to) = renames.get(from) else {
            continue;
        };
        let text = if dropped_aliases.contains(from) {
            format!("removed: it was another name of `{to}`, which takes its place")
        } else {
            format!("renamed to `{to}` (the same shape)")
        };
        report.types.push((from.clone(), vec![breaking(text)]));
    }
    let renamed_old;
    let old = if renames.is_empty() {
        old
    } else {
        renamed_old = with_renames(old, &renames, &dropped_aliases);
        &renamed_old
    };
    for (name, op) in &new.operations {
        let changes = match old.operations.get(name) {
            None => vec![additive(format!("added ({})", op.endpoint))],
            Some(before) => operation_changes(before, op),
        };
        if !changes.is_empty() {
            report.operations.push((name.clone(), changes));
        }
    }
    for (name, op) in &old.operations {
        if !new.operations.contains_key(name) {
            let text = format!("removed ({})", op.endpoint);
            report.operations.push((name.clone(), vec![breaking(text)]));
        }
    }
    for (name, ty) in &new.types {
        let changes = match old.types.get(name) {
            None => vec![additive("added".to_owned())],
            Some(before) => match merged_into_same_shape(before, ty, new) {
                Some(target) => vec![additive(format!(
                    "now an alias of `{target}`, which has the same shape"
                ))],
                None => type_changes(before, ty),
            },
        };
        let mut changes = changes;
        if old.types.contains_key(name) {
            changes.extend(feature_change(old.feature_of(name), new.feature_of(name)));
        }
        if !changes.is_empty() {
            report.types.push((name.clone(), changes));
        }
    }
    for name in old.types.keys() {
        if !new.types.contains_key(name) {
            report
                .types
                .push((name.clone(), vec![breaking("removed".to_owned())]));
        }
    }
    for (name, fields) in &new.multipart_bodies {
        let changes = match old.multipart_bodies.get(name) {
            None => vec![additive("added (multipart body)".to_owned())],
            Some(before) => struct_changes(before, fields),
        };
        if !changes.is_empty() {
            report.types.push((name.clone(), changes));
        }
    }
    for name in old.multipart_bodies.keys() {
        if !new.multipart_bodies.contains_key(name) {
            let removed = breaking("removed (multipart body)".to_owned());
            report.types.push((name.clone(), vec![removed]));
        }
    }
    settings_changes(old, new, &mut report.settings);
    if let Some(change) = runtime_change(old.runtime.as_deref(), new.runtime.as_deref()) {
        let subject = crate::emit::runtime_files::RUNTIME_CRATE.to_owned();
        report.runtime.push((subject, vec![change]));
    }
    report
}

/// Security schemes and server variables: what `ClientBuilder` and the
/// `schemes` and `servers` modules offer.
fn settings_changes(old: &Surface, new: &Surface, out: &mut Vec<(String, Vec<Change>)>) {
    for (name, kind) in &new.schemes {
        let change = match old.schemes.get(name) {
            None => Some(additive(format!("added ({kind})"))),
            Some(before) if before != kind => Some(breaking(format!(
                "now {kind} (was {before}): its credential is set another way and sent elsewhere"
            ))),
            Some(_) => None,
        };
        if let Some(change) = change {
            out.push((format!("schemes::{name}"), vec![change]));
        }
    }
    for (name, kind) in &old.schemes {
        if !new.schemes.contains_key(name) {
            let change = breaking(format!("removed ({kind})"));
            out.push((format!("schemes::{name}"), vec![change]));
        }
    }
    let document = setter_changes(&old.server_settings, &new.server_settings);
    if !document.is_empty() {
        out.push(("servers::Server".to_owned(), document));
    }
    for (module, setters) in &new.operation_servers {
        let subject = format!("servers::{module}::Server");
        let changes = match old.operation_servers.get(module) {
            None => vec![additive(
                "added: the variables of an operation's server, set with `ClientBuilder::server`"
                    .to_owned(),
            )],
            Some(before) => setter_changes(before, setters),
        };
        if !changes.is_empty() {
            out.push((subject, changes));
        }
    }
    for module in old.operation_servers.keys() {
        if !new.operation_servers.contains_key(module) {
            let subject = format!("servers::{module}::Server");
            out.push((subject, vec![breaking("removed".to_owned())]));
        }
    }
}

/// The setters of a server's variables: added, removed, retyped; an enum that
/// only gained values is additive.
fn setter_changes(
    old: &indexmap::IndexMap<String, String>,
    new: &indexmap::IndexMap<String, String>,
) -> Vec<Change> {
    // `Region (eu | us)` -> (`Region`, [eu, us]).
    let split = |ty: &str| -> (String, Vec<String>) {
        match ty.split_once(" (") {
            Some((name, values)) => (
                name.to_owned(),
                values
                    .trim_end_matches(')')
                    .split(" | ")
                    .map(str::to_owned)
                    .collect(),
            ),
            None => (ty.to_owned(), Vec::new()),
        }
    };
    let mut changes = Vec::new();
    for (setter, ty) in new {
        match old.get(setter) {
            None => changes.push(additive(format!("setter `{setter}` added (`{ty}`)"))),
            Some(before) if before == ty => {}
            Some(before) => {
                let ((old_name, old_values), (new_name, new_values)) = (split(before), split(ty));
                let gained = old_name == new_name
                    && !old_values.is_empty()
                    && old_values.iter().all(|v| new_values.contains(v));
                let text = format!("setter `{setter}` retyped from `{before}` to `{ty}`");
                changes.push(if gained {
                    additive(text)
                } else {
                    breaking(text)
                });
            }
        }
    }
    for (setter, ty) in old {
        if !new.contains_key(setter) {
            changes.push(breaking(format!("setter `{setter}` removed (`{ty}`)")));
        }
    }
    changes
}

/// An operation's security requirement: alternatives, each its scheme
/// constants (`BASIC + API_KEY`), `anonymous` for none; `None`, the client's
/// token (a spec without security). Adding an alternative asks nothing new of
/// callers; removing one leaves a client configured only for it sending no
/// credential; asking for a credential where none was is breaking.
fn security_changes(old: Option<&[String]>, new: Option<&[String]>, changes: &mut Vec<Change>) {
    let show = |requirement: Option<&[String]>| match requirement {
        None => "the client's token".to_owned(),
        Some([]) => "no credential".to_owned(),
        Some(alternatives) => alternatives
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(" or "),
    };
    let (Some(before), Some(after)) = (old, new) else {
        if old != new {
            changes.push(breaking(format!(
                "security now sends {} (was {})",
                show(new),
                show(old)
            )));
        }
        return;
    };
    let open = |alternatives: &[String]| {
        alternatives.is_empty() || alternatives.iter().any(|a| a == "anonymous")
    };
    if open(before) && !open(after) {
        changes.push(breaking(format!(
            "security now requires {} (was {})",
            show(new),
            show(old)
        )));
        return;
    }
    if after.is_empty() && !before.is_empty() {
        changes.push(additive(format!(
            "security: no credential is sent any more (was {})",
            show(old)
        )));
        return;
    }
    for alternative in after.iter().filter(|a| !before.contains(a)) {
        changes.push(additive(format!(
            "security alternative `{alternative}` added"
        )));
    }
    for alternative in before.iter().filter(|a| !after.contains(a)) {
        changes.push(breaking(format!(
            "security alternative `{alternative}` removed: a client configured only for it sends no credential"
        )));
    }
}

/// A runtime release the crate moves to: breaking unless Cargo would take it as a
/// compatible update (same leftmost non-zero version component). A summary from
/// before the runtime was recorded (`None`) compares as unchanged.
fn runtime_change(old: Option<&str>, new: Option<&str>) -> Option<Change> {
    let (old, new) = (old?, new?);
    if old == new {
        return None;
    }
    let text = format!("{old} -> {new}");
    if semver_compatible(old, new) {
        Some(additive(format!("{text}, a compatible release")))
    } else {
        Some(breaking(format!(
            "{text}, a breaking release: its types (`Error`, `RetryPolicy`, `AccessToken`, ...) are part of this crate's API"
        )))
    }
}

/// Cargo's caret rule: `0.1.2` and `0.1.7` are compatible, `0.1.x` and `0.2.0` are not,
/// `1.2.0` and `1.9.1` are.
fn semver_compatible(old: &str, new: &str) -> bool {
    let parse = |v: &str| -> Option<[u64; 3]> {
        let parts: Vec<u64> = v
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        parts.try_into().ok()
    };
    let (Some(old), Some(new)) = (parse(old), parse(new)) else {
        return false;
    };
    match old {
        [0, 0, _] => old == new,
        [0, minor, _] => new[0] == 0 && new[1] == minor,
        [major, _, _] => new[0] == major,
    }
}

/// When a type became an alias of another with exactly its old shape (the generator
/// merges identical inline types), code that names it, builds it or matches on it
/// still compiles: that is not a break.
fn merged_into_same_shape<'a>(
    old: &TypeSurface,
    new: &'a TypeSurface,
    new_surface: &Surface,
) -> Option<&'a str> {
    match (old, new) {
        (TypeSurface::Alias(_), _) => None,
        (_, TypeSurface::Alias(target)) => {
            (new_surface.types.get(target) == Some(old)).then_some(target.as_str())
        }
        _ => None,
    }
}

/// A type that moves behind a Cargo feature disappears for callers without it.
fn feature_change(old: Option<&str>, new: Option<&str>) -> Option<Change> {
    if old == new {
        return None;
    }
    match new {
        Some(feature) => Some(breaking(format!(
            "now compiled only with the `{feature}` feature"
        ))),
        None => old.map(|feature| additive(format!("no longer needs the `{feature}` feature"))),
    }
}

/// Old name -> new name for each type the new surface has under another name: a
/// removed type whose shape, once the other renames are applied, is an added type's
/// (`Error` -> `ErrorBody`, then `ErrorError` -> `ErrorInfo`, which it refers to), and
/// a removed alias whose target the new surface has (`CreateIModelExtent` -> `Extent`).
/// The second set holds the dropped aliases.
fn renamed_types(old: &Surface, new: &Surface) -> (IndexMap<String, String>, HashSet<String>) {
    let removed: Vec<&String> = old
        .types
        .keys()
        .filter(|name| !new.types.contains_key(*name))
        .collect();
    let added: Vec<&String> = new
        .types
        .keys()
        .filter(|name| !old.types.contains_key(*name))
        .collect();
    let mut renames: IndexMap<String, String> = IndexMap::new();
    let mut dropped_aliases = HashSet::new();
    if removed.is_empty() {
        return (renames, dropped_aliases);
    }
    // Candidates share their kind and field names, wire names or values, which no
    // rename changes; only those are compared in full.
    let mut by_key: HashMap<String, Vec<&String>> = HashMap::new();
    for name in &added {
        by_key
            .entry(shape_key(&new.types[*name]))
            .or_default()
            .push(name);
    }
    let mut taken: HashSet<&str> = HashSet::new();
    // Leaves first, then the types that refer to them, until nothing more pairs.
    loop {
        let mut progressed = false;
        for from in &removed {
            if renames.contains_key(*from) {
                continue;
            }
            let Some(candidates) = by_key.get(&shape_key(&old.types[*from])) else {
                continue;
            };
            let mut trial = renames.clone();
            for to in candidates {
                if taken.contains(to.as_str()) {
                    continue;
                }
                trial.insert((*from).clone(), (*to).clone());
                if renamed_type(&old.types[*from], &trial) == new.types[*to] {
                    taken.insert(to);
                    renames.insert((*from).clone(), (*to).clone());
                    progressed = true;
                    break;
                }
            }
        }
        if !progressed {
            break;
        }
    }
    for from in removed {
        if renames.contains_key(from) {
            continue;
        }
        if let TypeSurface::Alias(target) = &old.types[from] {
            let target = renamed_str(target, &renames);
            if new.types.contains_key(&target) {
                renames.insert(from.clone(), target);
                dropped_aliases.insert(from.clone());
            }
        }
    }
    (renames, dropped_aliases)
}

/// What no rename changes: the kind, and field names with their wire names, or the
/// values, or the variant names.
fn shape_key(ty: &TypeSurface) -> String {
    match ty {
        TypeSurface::Struct(fields) => {
            let names: Vec<String> = fields
                .iter()
                .map(|(name, field)| format!("{name}={}", field.wire))
                .collect();
            format!("struct {}", names.join(","))
        }
        TypeSurface::Enum(values) => format!("enum {}", values.join(",")),
        TypeSurface::Union(variants) => {
            let names: Vec<&str> = variants.keys().map(String::as_str).collect();
            format!("union {}", names.join(","))
        }
        TypeSurface::Alias(_) => "alias".to_owned(),
        TypeSurface::Const(value) => format!("const {value}"),
    }
}

fn renamed_type(ty: &TypeSurface, renames: &IndexMap<String, String>) -> TypeSurface {
    let mut ty = ty.clone();
    match &mut ty {
        TypeSurface::Struct(fields) => {
            for field in fields.values_mut() {
                field.ty = renamed_str(&field.ty, renames);
            }
        }
        TypeSurface::Union(variants) => {
            for payload in variants.values_mut() {
                *payload = renamed_str(payload, renames);
            }
        }
        TypeSurface::Alias(target) => *target = renamed_str(target, renames),
        TypeSurface::Enum(_) | TypeSurface::Const(_) => {}
    }
    ty
}

/// `text` (a Rust type, or a phrase naming types) with each whole identifier that
/// was renamed replaced.
fn renamed_str(text: &str, renames: &IndexMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(renames.get(word.as_str()).unwrap_or(word));
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `surface` with every renamed type under its new name (an alias dropped for the
/// type it named is gone), and every mention of one replaced.
fn with_renames(
    surface: &Surface,
    renames: &IndexMap<String, String>,
    dropped_aliases: &HashSet<String>,
) -> Surface {
    let mut out = surface.clone();
    let rename = |text: &mut String| *text = renamed_str(text, renames);
    out.types = surface
        .types
        .iter()
        .filter(|(name, _)| !dropped_aliases.contains(*name))
        .map(|(name, ty)| {
            let name = renames.get(name).unwrap_or(name).clone();
            (name, renamed_type(ty, renames))
        })
        .collect();
    for op in out.operations.values_mut() {
        for input in op.arguments.iter_mut().chain(op.setters.iter_mut()) {
            rename(&mut input.ty);
        }
        rename(&mut op.returns);
        op.envelope.iter_mut().for_each(rename);
        op.errors.iter_mut().for_each(rename);
        if let Some(headers) = &mut op.response_headers {
            headers.fields.values_mut().for_each(|f| rename(&mut f.ty));
        }
    }
    out.links.iter_mut().for_each(rename);
    for names in out.features.values_mut() {
        names.iter_mut().for_each(rename);
    }
    for fields in out.multipart_bodies.values_mut() {
        fields.values_mut().for_each(|f| rename(&mut f.ty));
    }
    for payloads in out.events.values_mut() {
        payloads.values_mut().for_each(rename);
    }
    out
}

fn breaking(text: String) -> Change {
    Change {
        impact: Impact::Breaking,
        text,
    }
}

fn additive(text: String) -> Change {
    Change {
        impact: Impact::Additive,
        text,
    }
}

fn operation_changes(old: &OperationSurface, new: &OperationSurface) -> Vec<Change> {
    let mut changes = Vec::new();
    // An older summary does not record the struct.
    if !old.input.is_empty() && old.input != new.input {
        changes.push(breaking(format!(
            "its struct renamed from `operations::{}` to `operations::{}`",
            old.input, new.input
        )));
    }
    if old.endpoint != new.endpoint {
        changes.push(additive(format!(
            "endpoint changed from `{}` to `{}`",
            old.endpoint, new.endpoint
        )));
    }
    input_changes(
        &old.arguments,
        &old.setters,
        &new.arguments,
        &new.setters,
        &mut changes,
    );
    if old.returns != new.returns {
        changes.push(breaking(format!(
            "response type changed from `{}` to `{}`",
            old.returns, new.returns
        )));
    }
    for media in new
        .media_types
        .iter()
        .filter(|m| !old.media_types.contains(m))
    {
        changes.push(additive(format!("response media type `{media}` added")));
    }
    for media in old
        .media_types
        .iter()
        .filter(|m| !new.media_types.contains(m))
    {
        changes.push(additive(format!("response media type `{media}` removed")));
    }
    match (old.paged, new.paged) {
        (false, true) => changes.push(additive("`into_stream()` added (paged list)".to_owned())),
        (true, false) => changes.push(breaking("`into_stream()` removed".to_owned())),
        _ => {}
    }
    match (&old.waits, &new.waits) {
        (None, Some(waits)) => {
            changes.push(additive(format!("`send_and_wait()` added (polls {waits})")))
        }
        (Some(_), None) => changes.push(breaking("`send_and_wait()` removed".to_owned())),
        (Some(old), Some(new)) if old != new => changes.push(breaking(format!(
            "`send_and_wait()` now polls {new}, not {old}"
        ))),
        _ => {}
    }
    security_changes(
        old.security.as_deref(),
        new.security.as_deref(),
        &mut changes,
    );
    if old.server != new.server {
        let show = |server: &Option<String>| match server {
            Some(url) => format!("`{url}`"),
            None => "the client's base URL".to_owned(),
        };
        changes.push(additive(format!(
            "now sent to {} (was {}) unless the caller sets a base URL",
            show(&new.server),
            show(&old.server)
        )));
    }
    match (&old.server_settings, &new.server_settings) {
        (None, Some(module)) => changes.push(additive(format!(
            "its server's variables are settings: `servers::{module}::Server`"
        ))),
        (Some(module), None) => changes.push(breaking(format!(
            "its server's variables are no longer settings (`servers::{module}::Server`)"
        ))),
        (Some(before), Some(after)) if before != after => changes.push(breaking(format!(
            "its server's variables moved from `servers::{before}::Server` to `servers::{after}::Server`"
        ))),
        _ => {}
    }
    changes.extend(response_type_changes(old, new));
    let field = |entry: &str| {
        entry
            .split_once(": ")
            .map_or(entry, |(name, _)| name)
            .to_owned()
    };
    for entry in new
        .form_encoding
        .iter()
        .filter(|e| !old.form_encoding.contains(e))
    {
        if let Some(before) = old.form_encoding.iter().find(|e| field(e) == field(entry)) {
            changes.push(breaking(format!(
                "form field encoding changed from `{before}` to `{entry}`: the same value is sent differently"
            )));
        }
    }
    changes
}

/// The typed headers and the own error bodies of an operation: a new struct
/// or field of headers is additive (the struct is `#[non_exhaustive]`); a
/// changed error enum is breaking, since callers match on it.
fn response_type_changes(
    old: &crate::changes::surface::OperationSurface,
    new: &crate::changes::surface::OperationSurface,
) -> Vec<Change> {
    let mut changes = Vec::new();
    match (&old.response_headers, &new.response_headers) {
        (None, Some(after)) => changes.push(additive(format!(
            "its declared response headers are typed: `{}`",
            after.name
        ))),
        (Some(before), None) => changes.push(breaking(format!(
            "its response headers are no longer typed (`{}`)",
            before.name
        ))),
        (Some(before), Some(after)) => {
            if before.name != after.name {
                changes.push(breaking(format!(
                    "its typed headers are now `{}` (was `{}`)",
                    after.name, before.name
                )));
            }
            for (field, surface) in &after.fields {
                match before.fields.get(field) {
                    None => changes.push(additive(format!(
                        "`{}::{field}` added (header `{}`)",
                        after.name, surface.wire
                    ))),
                    Some(was) if was != surface => changes.push(breaking(format!(
                        "`{}::{field}` is now `{}` (was `{}`)",
                        after.name, surface.ty, was.ty
                    ))),
                    Some(_) => {}
                }
            }
            for field in before.fields.keys() {
                if !after.fields.contains_key(field) {
                    changes.push(breaking(format!("`{}::{field}` removed", before.name)));
                }
            }
        }
        (None, None) => {}
    }
    match (&old.errors, &new.errors) {
        (None, Some(after)) => changes.push(additive(format!("its own error bodies: `{after}`"))),
        (Some(before), None) => changes.push(breaking(format!(
            "its own error bodies are gone (`{before}`): `ApiError::error_body` gives the crate-wide one"
        ))),
        (Some(before), Some(after)) if before != after => changes.push(breaking(format!(
            "its own error bodies are now `{after}` (was `{before}`)"
        ))),
        _ => {}
    }
    changes
}

/// What identifies an input across versions: its place and wire name (`query
/// color`), or `body`; the rest of [`InputSurface::wire`] is how it is sent
/// (a style, a media type).
fn input_key(wire: &str) -> &str {
    if wire.starts_with("body ") {
        return "body";
    }
    wire.split_once(" (").map_or(wire, |(key, _)| key)
}

/// An input's new type that takes everything the old one took: the method is
/// generic over `impl Into<New>`, and `New` converts from each type `Old` did
/// (a raw body: `runtime::Body` from everything `bytes::Bytes` came from).
fn widens(old: &str, new: &str) -> bool {
    matches!((old, new), ("Bytes", "Body"))
}

/// Arguments and setters: added, removed, renamed (same place and type, new name),
/// moved between argument and setter, retyped.
fn input_changes(
    old_args: &[InputSurface],
    old_setters: &[InputSurface],
    new_args: &[InputSurface],
    new_setters: &[InputSurface],
    changes: &mut Vec<Change>,
) {
    let find = |list: &[InputSurface], wire: &str| {
        list.iter()
            .position(|i| input_key(&i.wire) == input_key(wire))
    };
    let mut renamed_old: Vec<&str> = Vec::new();
    let mut renamed_new: Vec<&str> = Vec::new();
    // A parameter whose wire name vanished while one of the same type appeared in the
    // same place is reported as a rename.
    for (old_list, new_list) in [(old_args, new_args), (old_setters, new_setters)] {
        for gone in old_list
            .iter()
            .filter(|o| find(new_args, &o.wire).is_none() && find(new_setters, &o.wire).is_none())
        {
            let place = gone.wire.split(' ').next().unwrap_or_default();
            if let Some(came) = new_list.iter().find(|n| {
                find(old_args, &n.wire).is_none()
                    && find(old_setters, &n.wire).is_none()
                    && n.ty == gone.ty
                    && n.wire.split(' ').next() == Some(place)
                    && !renamed_new.contains(&n.wire.as_str())
            }) {
                changes.push(breaking(format!(
                    "parameter `{}` renamed to `{}` ({} -> {})",
                    gone.name, came.name, gone.wire, came.wire
                )));
                renamed_old.push(&gone.wire);
                renamed_new.push(&came.wire);
            }
        }
    }
    for (list, is_argument) in [(new_args, true), (new_setters, false)] {
        for input in list {
            if renamed_new.contains(&input.wire.as_str()) {
                continue;
            }
            let before_arg = find(old_args, &input.wire).map(|i| &old_args[i]);
            let before_setter = find(old_setters, &input.wire).map(|i| &old_setters[i]);
            match (before_arg, before_setter, is_argument) {
                (None, None, true) => changes.push(breaking(format!(
                    "new required argument `{}` ({}, `{}`)",
                    input.name, input.wire, input.ty
                ))),
                (None, None, false) => changes.push(additive(format!(
                    "new optional setter `{}` ({}, `{}`)",
                    input.name, input.wire, input.ty
                ))),
                (None, Some(_), true) => changes.push(breaking(format!(
                    "`{}` ({}) made required: it is now an argument of the method",
                    input.name, input.wire
                ))),
                (Some(_), None, false) => changes.push(breaking(format!(
                    "`{}` ({}) made optional: it is now a setter on the builder",
                    input.name, input.wire
                ))),
                (Some(before), _, _) | (_, Some(before), _) => {
                    if before.wire != input.wire {
                        let what = if input_key(&input.wire) == "body" {
                            "request body media type"
                        } else {
                            "serialization"
                        };
                        changes.push(breaking(format!(
                            "`{}` {what} changed from `{}` to `{}`: the same value is sent differently",
                            input.name, before.wire, input.wire
                        )));
                    }
                    if before.ty != input.ty && widens(&before.ty, &input.ty) {
                        changes.push(additive(format!(
                            "`{}` ({}) now takes `{}`, which accepts every value `{}` did",
                            input.name, input.wire, input.ty, before.ty
                        )));
                    } else if before.ty != input.ty {
                        changes.push(breaking(format!(
                            "`{}` ({}) retyped from `{}` to `{}`",
                            input.name, input.wire, before.ty, input.ty
                        )));
                    } else if before.name != input.name {
                        changes.push(breaking(format!(
                            "`{}` ({}) renamed to `{}` in Rust",
                            before.name, input.wire, input.name
                        )));
                    }
                }
            }
        }
    }
    for input in old_args.iter().chain(old_setters) {
        let still_there =
            find(new_args, &input.wire).is_some() || find(new_setters, &input.wire).is_some();
        if !still_there && !renamed_old.contains(&input.wire.as_str()) {
            changes.push(breaking(format!(
                "parameter `{}` ({}) removed",
                input.name, input.wire
            )));
        }
    }
}

fn type_changes(old: &TypeSurface, new: &TypeSurface) -> Vec<Change> {
    match (old, new) {
        (TypeSurface::Struct(before), TypeSurface::Struct(after)) => struct_changes(before, after),
        (TypeSurface::Enum(before), TypeSurface::Enum(after)) => {
            let mut changes: Vec<Change> = after
                .iter()
                .filter(|v| !before.contains(v))
                .map(|v| additive(format!("enum value `{v}` added")))
                .collect();
            changes.extend(
                before
                    .iter()
                    .filter(|v| !after.contains(v))
                    .map(|v| breaking(format!("enum value `{v}` removed"))),
            );
            changes
        }
        (TypeSurface::Union(before), TypeSurface::Union(after)) => {
            let mut changes: Vec<Change> = after
                .iter()
                .filter(|(name, ty)| before.get(*name) != Some(ty))
                .map(|(name, ty)| match before.get(name) {
                    None => additive(format!("variant `{name}({ty})` added")),
                    Some(old) => {
                        breaking(format!("variant `{name}` retyped from `{old}` to `{ty}`"))
                    }
                })
                .collect();
            changes.extend(
                before
                    .keys()
                    .filter(|name| !after.contains_key(*name))
                    .map(|name| breaking(format!("variant `{name}` removed"))),
            );
            changes
        }
        (TypeSurface::Alias(before), TypeSurface::Alias(after)) if before == after => Vec::new(),
        (TypeSurface::Const(before), TypeSurface::Const(after)) if before == after => Vec::new(),
        _ => vec![breaking(format!(
            "changed from {} to {}",
            describe(old),
            describe(new)
        ))],
    }
}

fn describe(ty: &TypeSurface) -> String {
    match ty {
        TypeSurface::Struct(_) => "a struct".to_owned(),
        TypeSurface::Enum(_) => "an enum".to_owned(),
        TypeSurface::Union(_) => "a union enum".to_owned(),
        TypeSurface::Alias(target) => format!("`{target}`"),
        TypeSurface::Const(value) => format!("the constant `{value}`"),
    }
}

fn struct_changes(
    before: &indexmap::IndexMap<String, FieldSurface>,
    after: &indexmap::IndexMap<String, FieldSurface>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, field) in after {
        match before.get(name) {
            None if field.required => changes.push(breaking(format!(
                "new required field `{name}` (`{}`, `{}`): `new()` takes it",
                field.wire, field.ty
            ))),
            None => changes.push(additive(format!(
                "field `{name}` added (`{}`, `{}`)",
                field.wire, field.ty
            ))),
            Some(old) if old.ty == field.ty && old.wire != field.wire => {
                changes.push(breaking(format!(
                    "field `{name}` now sent as `{}` (was `{}`)",
                    field.wire, old.wire
                )))
            }
            Some(old) if old.ty == field.ty => {}
            Some(old) if format!("Option<{}>", old.ty) == field.ty => {
                changes.push(breaking(format!(
                    "field `{name}` made optional: `{}` -> `{}`",
                    old.ty, field.ty
                )))
            }
            Some(old) if old.ty == format!("Option<{}>", field.ty) => {
                changes.push(breaking(format!(
                    "field `{name}` made required: `{}` -> `{}`",
                    old.ty, field.ty
                )))
            }
            Some(old) => changes.push(breaking(format!(
                "field `{name}` retyped from `{}` to `{}`",
                old.ty, field.ty
            ))),
        }
    }
    for (name, field) in before {
        if !after.contains_key(name) {
            changes.push(breaking(format!(
                "field `{name}` removed (`{}`)",
                field.wire
            )));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_bump_by_cargo_semver_rules() {
        assert_eq!(bumped("0.1.3", Bump::Minor), "0.2.0");
        assert_eq!(bumped("0.1.3", Bump::Patch), "0.1.4");
        assert_eq!(bumped("1.4.2", Bump::Major), "2.0.0");
        assert_eq!(bumped("1.4.2", Bump::None), "1.4.2");
        assert_eq!(bumped("1.0.0-beta", Bump::Major), "1.0.0-beta");
        let mut report = Report::default();
        assert_eq!(report.bump_for("0.1.0"), Bump::None);
        report.types.push(("T".into(), vec![additive("x".into())]));
        assert_eq!(report.bump_for("0.1.0"), Bump::Patch);
        assert_eq!(report.bump_for("1.0.0"), Bump::Minor);
        report.types.push(("U".into(), vec![breaking("y".into())]));
        assert_eq!(report.bump_for("0.1.0"), Bump::Minor);
        assert_eq!(report.bump_for("2.3.4"), Bump::Major);
    }

    #[test]
    fn a_breaking_runtime_release_is_a_breaking_change() {
        let surface = |runtime: Option<&str>| Surface {
            runtime: runtime.map(str::to_owned),
            ..Surface::default()
        };
        // (old, new, the change it makes, if any)
        let cases = [
            (Some("0.1.0"), Some("0.1.0"), None),
            (None, Some("0.1.0"), None),
            (Some("0.1.0"), Some("0.1.4"), Some(Impact::Additive)),
            (Some("0.1.4"), Some("0.2.0"), Some(Impact::Breaking)),
            (Some("0.0.1"), Some("0.0.2"), Some(Impact::Breaking)),
            (Some("1.2.0"), Some("1.9.1"), Some(Impact::Additive)),
            (Some("1.9.1"), Some("2.0.0"), Some(Impact::Breaking)),
        ];
        for (old, new, impact) in cases {
            let report = diff(&surface(old), &surface(new));
            let found = report.runtime.first().map(|(_, changes)| changes[0].impact);
            assert_eq!(found, impact, "{old:?} -> {new:?}");
        }
        let report = diff(&surface(Some("0.1.4")), &surface(Some("0.2.0")));
        assert_eq!(report.bump_for("0.3.0"), Bump::Minor);
        let text = report.render("spec.yaml", "");
        assert!(
            text.contains(
                "## Runtime\n\n- `openapi-client-runtime`\n  - **breaking**: 0.1.4 -> 0.2.0"
            ),
            "{text}"
        );
    }

    fn point() -> TypeSurface {
        let field = |wire: &str| FieldSurface {
            wire: wire.to_owned(),
            ty: "Option<f64>".to_owned(),
            required: false,
        };
        TypeSurface::Struct(
            [
                ("latitude", field("latitude")),
                ("longitude", field("longitude")),
            ]
            .into_iter()
            .map(|(name, field)| (name.to_owned(), field))
            .collect(),
        )
    }

    fn surface(types: Vec<(&str, TypeSurface)>) -> Surface {
        Surface {
            types: types.into_iter().map(|(n, t)| (n.to_owned(), t)).collect(),
            ..Surface::default()
        }
    }

    #[test]
    fn moving_behind_a_feature_is_a_break_and_out_of_one_is_not() {
        let plain = surface(vec![("Push", point())]);
        let mut gated = plain.clone();
        gated
            .features
            .insert("unused-schemas".to_owned(), vec!["Push".to_owned()]);
        let report = diff(&plain, &gated);
        assert_eq!(report.count(Impact::Breaking), 1);
        assert!(report
            .render("t", "v")
            .contains("now compiled only with the `unused-schemas` feature"));
        let report = diff(&gated, &plain);
        assert_eq!(report.count(Impact::Breaking), 0);
        assert_eq!(report.count(Impact::Additive), 1);
        assert!(diff(&gated, &gated).is_empty());
    }

    #[test]
    fn a_struct_merged_into_an_identical_one_is_not_a_break() {
        let old = surface(vec![("SouthWest", point()), ("NorthEast", point())]);
        let new = surface(vec![
            ("SouthWest", point()),
            ("NorthEast", TypeSurface::Alias("SouthWest".to_owned())),
        ]);
        let report = diff(&old, &new);
        assert_eq!(report.count(Impact::Breaking), 0);
        assert_eq!(report.count(Impact::Additive), 1);
        assert!(report
            .render("t", "v")
            .contains("now an alias of `SouthWest`"));

        // An alias of a type with another shape is a real change.
        let mut other = point();
        if let TypeSurface::Struct(fields) = &mut other {
            fields.shift_remove("longitude");
        }
        let new = surface(vec![
            ("SouthWest", other),
            ("NorthEast", TypeSurface::Alias("SouthWest".to_owned())),
        ]);
        assert_eq!(diff(&old, &new).count(Impact::Breaking), 2);
    }
}
