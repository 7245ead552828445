//! Finds the line and column of JSON pointers in YAML or JSON source text.
//!
//! Neither `serde_yaml` nor `serde_json` keeps positions in their value trees, so this
//! reads the text again. JSON is scanned exactly, once for all pointers, whatever its
//! layout (minified documents are one line): see [`json`]. For YAML each pointer
//! segment is looked for as a key (or a sequence item) indented deeper than its parent,
//! stopping at the end of the parent's block: a best effort for block style.

mod json;

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
