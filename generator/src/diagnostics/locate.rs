//! Finds the line and column of JSON pointers in YAML or JSON source text.
//!
//! Neither `serde_yaml` nor `serde_json` keeps positions in their value trees, so this
//! reads the text again. JSON is scanned exactly, once for all pointers, whatever its
//! layout (minified documents are one line): see [`json`]. For YAML each pointer
//! segment is looked for as a key (or a sequence item) indented deeper than its parent,
//! stopping at the end of the parent's block: a best effort for block style.

mod json;

use crate::diagnostics::{pointer, Diagnostic, Diagnostics};
use crate::source::overlay::{Origin, OverlaySource, Provenance};
use crate::source::swagger2::SourceMap;

/// 1-based (line, column) of each of `pointers` in `source` (whose `lines()` are
/// `lines`), in order; `None` where one cannot be found.
pub(crate) fn positions(
    source: &str,
    lines: &[&str],
    pointers: &[&str],
) -> Vec<Option<(usize, usize)>> {
    if pointers.is_empty() {
        return Vec::new();
    }
    if source
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        return json::positions(source, pointers);
    }
    pointers
        .iter()
        .map(|pointer| yaml_position(lines, pointer))
        .collect()
}

/// 1-based (line, column) of the value at `pointer` (`#/paths/~1{id}/get`), if found.
#[cfg(test)]
pub(crate) fn line_of(source: &str, pointer: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    positions(source, &lines, &[pointer]).pop().flatten()
}

fn yaml_position(lines: &[&str], pointer: &str) -> Option<(usize, usize)> {
    let segments = super::pointer::decode(pointer)?;
    // (line index, indentation) of the current node; the root is "before line 0".
    let mut found: Option<(usize, usize)> = None;
    let mut parent_indent: Option<usize> = None;
    let mut start = 0usize;
    for segment in &segments {
        let hit = find_child(lines, start, parent_indent, segment)?;
        found = Some(hit);
        // The node's children are indented deeper than the node's own column; for a
        // sequence item (`- name: a`) they sit at its column, so one less is the bar.
        let is_item = segment.parse::<usize>().is_ok();
        // An item's first key sits on its own `- ` line (`- url: x`): search from there.
        let item_has_key = is_item && lines[hit.0].trim_start().starts_with("- ");
        start = if item_has_key { hit.0 } else { hit.0 + 1 };
        parent_indent = Some(if is_item {
            hit.1.saturating_sub(1)
        } else {
            hit.1
        });
        if is_flow_line(lines[hit.0], segment) {
            break;
        }
    }
    let (line, indent) = found?;
    Some((line + 1, indent + 1))
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn is_flow_line(line: &str, segment: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ");
    let after_key = t
        .strip_prefix(segment)
        .or_else(|| t.strip_prefix(&format!("\"{segment}\"")))
        .or_else(|| t.strip_prefix(&format!("'{segment}'")));
    // Only a collection that closes on the same line; a JSON `"key": {` opens a block.
    let closed = |v: &str| {
        let v = v.trim_end().trim_end_matches(',');
        (v.starts_with('{') && v.ends_with('}')) || (v.starts_with('[') && v.ends_with(']'))
    };
    matches!(after_key.map(|a| a.trim_start_matches(':').trim_start()), Some(v) if closed(v))
}

/// Finds `segment` (a key or an array index) among the children of the node whose
/// block starts at `start` and whose own indentation is `parent_indent`.
fn find_child(
    lines: &[&str],
    start: usize,
    parent_indent: Option<usize>,
    segment: &str,
) -> Option<(usize, usize)> {
    let deeper = |indent: usize| parent_indent.is_none_or(|p| indent > p);
    // A number is an index only where the block is a sequence (`'200':` is a key).
    let is_sequence = lines
        .iter()
        .skip(start)
        .find(|l| !is_blank_or_comment(l))
        .is_some_and(|l| l.trim_start().starts_with('-'));
    if let Some(index) = segment.parse::<usize>().ok().filter(|_| is_sequence) {
        let mut seen = 0usize;
        let mut item_indent = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            if is_blank_or_comment(line) {
                continue;
            }
            let indent = indentation(line);
            let trimmed = line.trim_start();
            // YAML puts `- ` items at the parent's own indentation too.
            let in_block = parent_indent.is_none_or(|p| indent >= p);
            if !in_block || (!deeper(indent) && !trimmed.starts_with('-')) {
                break;
            }
            if trimmed.starts_with("- ") || trimmed == "-" || trimmed.starts_with('{') {
                let level = *item_indent.get_or_insert(indent);
                if indent == level {
                    if seen == index {
                        return Some((i, indent + 2));
                    }
                    seen += 1;
                }
            }
        }
        return None;
    }
    let candidates = [
        format!("{segment}:"),
        format!("\"{segment}\":"),
        format!("'{segment}':"),
    ];
    // Made once: this loop can run over every line of a 13 MB document.
    let in_flow: Vec<[String; 2]> = candidates
        .iter()
        .map(|c| [format!("{{ {c}"), format!(", {c}")])
        .collect();
    for (i, line) in lines.iter().enumerate().skip(start) {
        if is_blank_or_comment(line) {
            continue;
        }
        let indent = indentation(line);
        let trimmed = line.trim_start();
        let (indent, trimmed) = match trimmed.strip_prefix("- ") {
            Some(rest) => (indent + 2, rest),
            None => (indent, trimmed),
        };
        if !deeper(indent) {
            break;
        }
        if candidates.iter().any(|c| trimmed.starts_with(c.as_str())) {
            return Some((i, indent));
        }
        // A key inside a flow mapping on one line: `{ type: string, format: uuid }`.
        if let Some(col) = in_flow
            .iter()
            .filter_map(|[opening, later]| {
                line.find(opening.as_str())
                    .or_else(|| line.find(later.as_str()))
                    .map(|p| p + 2)
            })
            .min()
        {
            return Some((i, col));
        }
    }
    None
}

// Where the overlaid (or converted) document's nodes are in the files the user wrote.

/// Fills in the place of every diagnostic that has none: in the spec (`source`) for
/// nodes the spec holds, in the overlay for nodes an overlay put there (the item then
/// names that overlay's file).
pub(crate) fn locate_overlaid(
    diagnostics: &mut Diagnostics,
    source: &str,
    provenance: &Provenance,
    overlays: &[OverlaySource],
) {
    if let Some(map) = &provenance.converted {
        let unchanged = provenance.is_identity().then_some(source);
        to_swagger2_source(diagnostics, map, unchanged);
    }
    if provenance.is_identity() {
        diagnostics.locate(source);
        return;
    }
    // Items to locate in each overlay: (item index, pointer in the overlay).
    let mut in_overlays: Vec<Vec<(usize, String)>> = vec![Vec::new(); overlays.len()];
    let mut swapped: Vec<(usize, String)> = Vec::new();
    for (index, item) in diagnostics.items.iter_mut().enumerate() {
        if item.line.is_some() || item.file.is_some() {
            continue;
        }
        match provenance.origin(&item.pointer) {
            Origin::Spec(at) => {
                let at = pointer(at);
                if at != item.pointer {
                    swapped.push((index, std::mem::replace(&mut item.pointer, at)));
                }
            }
            Origin::Overlay { overlay, at } => {
                if let Some(list) = in_overlays.get_mut(overlay) {
                    list.push((index, pointer(at)));
                }
            }
        }
    }
    for (overlay, list) in overlays.iter().zip(&in_overlays) {
        if list.is_empty() {
            continue;
        }
        let items = list
            .iter()
            .map(|(index, at)| Diagnostic {
                pointer: at.clone(),
                ..diagnostics.items[*index].clone()
            })
            .collect();
        // Never a file without a line: at worst the enclosing node of the update.
        let located = in_overlay(items, &overlay.text);
        for ((index, _), found) in list.iter().zip(located) {
            let item = &mut diagnostics.items[*index];
            item.file = Some(overlay.path.clone());
            item.line = found.line;
            item.column = found.column;
            item.source_line = found.source_line;
            item.caret = found.caret;
        }
    }
    diagnostics.locate(source);
    for (index, original) in swapped {
        diagnostics.items[index].pointer = original;
    }
}

/// Locates problems in an overlay's text. YAML's locator finds a sequence item's line
/// but not the key written on it (`- target: ...`), so an item not found is shown at
/// its nearest enclosing node that is, as JSON's locator does by itself; the root is
/// the first line.
pub(crate) fn in_overlay(items: Vec<Diagnostic>, text: &str) -> Vec<Diagnostic> {
    let mut located = Diagnostics::new("");
    located.items = items;
    located.locate(text);
    let mut lookups: Vec<(usize, String)> = located
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.line.is_none())
        .map(|(index, item)| (index, item.pointer.clone()))
        .collect();
    while !lookups.is_empty() {
        // One level up; the root is as far as it goes.
        lookups.retain_mut(|(_, at)| match at.rfind('/') {
            Some(cut) => {
                at.truncate(cut);
                true
            }
            None => false,
        });
        let mut parents = Diagnostics::new("");
        parents.items = lookups
            .iter()
            .map(|(index, at)| Diagnostic {
                pointer: at.clone(),
                ..located.items[*index].clone()
            })
            .collect();
        parents.locate(text);
        let mut still = Vec::new();
        for ((index, at), found) in lookups.into_iter().zip(parents.items) {
            if found.line.is_some() {
                let item = &mut located.items[index];
                item.line = found.line;
                item.column = found.column;
                item.source_line = found.source_line;
                item.caret = found.caret;
            } else {
                still.push((index, at));
            }
        }
        lookups = still;
    }
    // What is about the whole document is shown at its first line.
    if !text.trim().is_empty() {
        for item in located.items.iter_mut().filter(|item| item.line.is_none()) {
            item.line = Some(1);
            item.column = Some(1);
        }
        located.locate(text);
    }
    located.items
}

/// Rewrites the pointer of every item not yet located to the 2.0 document's
/// (see [`SourceMap`](crate::source::swagger2::SourceMap)). With `source` (the 2.0 text, when no overlay changed it), an
/// item whose node the 2.0 text does not spell (a converted key such as
/// `nullable`) is located at its nearest ancestor that it does.
pub(crate) fn to_swagger2_source(
    diagnostics: &mut Diagnostics,
    map: &SourceMap,
    source: Option<&str>,
) {
    let open = |item: &Diagnostic| item.line.is_none() && item.file.is_none();
    for item in diagnostics.items.iter_mut().filter(|item| open(item)) {
        item.pointer = map.source(&item.pointer);
    }
    let Some(source) = source else {
        return;
    };
    let source = without_bom(source);
    let lines: Vec<&str> = source.lines().collect();
    let wanted: Vec<String> = diagnostics
        .items
        .iter()
        .filter(|item| open(item))
        .map(|item| item.pointer.clone())
        .collect();
    let wanted_refs: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let found = positions(source, &lines, &wanted_refs);
    let mut found = found.into_iter();
    for item in diagnostics.items.iter_mut().filter(|item| open(item)) {
        if found.next().flatten().is_some() {
            continue;
        }
        let mut parent = item.pointer.as_str();
        while let Some(cut) = parent.rfind('/') {
            parent = &parent[..cut];
            if let Some((line, column)) = positions(source, &lines, &[parent]).pop().flatten() {
                item.line = Some(line);
                item.column = Some(column);
                break;
            }
        }
    }
}

/// `source` after its UTF-8 byte-order mark, if it starts with one. Editors on Windows
/// write one; neither parser skips it.
pub(crate) fn without_bom(source: &str) -> &str {
    source.strip_prefix('\u{feff}').unwrap_or(source)
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const YAML: &str = "openapi: 3.1.0\npaths:\n  /:\n    get:\n      parameters:\n        - name: a\n          in: query\n        - name: b\n          schema: { type: string, format: uuid }\n  /{iModelId}:\n    get:\n      summary: x\n";

    #[test]
    fn finds_nested_keys_and_escaped_paths() {
        assert_eq!(line_of(YAML, "#/paths/~1{iModelId}/get"), Some((11, 5)));
        assert_eq!(line_of(YAML, "#/paths/~1/get/parameters/1"), Some((8, 11)));
        // The item's first key, on its `- ` line.
        assert_eq!(
            line_of(YAML, "#/paths/~1/get/parameters/1/name"),
            Some((8, 11))
        );
        assert_eq!(
            line_of(YAML, "#/paths/~1/get/parameters/1/schema/format"),
            Some((9, 11))
        );
    }

    #[test]
    fn missing_segment_gives_none() {
        assert_eq!(line_of(YAML, "#/paths/~1nope"), None);
    }

    #[test]
    fn numeric_keys_are_keys_outside_sequences() {
        let yaml = "responses:\n  '200':\n    description: ok\n  404:\n    description: no\n";
        assert_eq!(line_of(yaml, "#/responses/200/description"), Some((3, 5)));
        assert_eq!(line_of(yaml, "#/responses/404"), Some((4, 3)));
    }

    #[test]
    fn works_on_pretty_json() {
        let json = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/\": {\n      \"get\": {}\n    }\n  }\n}\n";
        assert_eq!(line_of(json, "#/paths/~1/get"), Some((5, 7)));
    }
}
