//! Shrinking (proptest's value tree) and reduction (deleting, collapsing, shortening)
//! of a failing input while it fails the same way.

use super::*;

/// An input that can be run and made smaller.
pub(super) trait Input: Clone + std::fmt::Debug {
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

pub(super) struct Budget {
    pub(super) attempts: usize,
    pub(super) deadline: Instant,
}

impl Budget {
    pub(super) fn new(signature: &str, attempts: usize) -> Self {
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

    pub(super) fn spend(&mut self) -> bool {
        if self.attempts == 0 || Instant::now() > self.deadline {
            return false;
        }
        self.attempts -= 1;
        true
    }
}

/// Runs a candidate: the failure, when it is the one being reduced.
pub(super) type Check<'a> = dyn FnMut(&str, &[String]) -> Option<Failure> + 'a;

pub(super) fn same_failure(signature: String) -> impl FnMut(&str, &[String]) -> Option<Failure> {
    move |source, words| {
        run(source, words)
            .err()
            .filter(|f| f.signature == signature)
    }
}

/// Shrinks a document while the failure stays the same: deletes nodes (parents first),
/// puts nodes in their grandparent's place (`a: {properties: {b: X}}` -> `a: X`, which
/// collapses nesting), and shortens strings, until nothing more helps.
pub(super) fn reduce_document(
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
pub(super) fn reduce_text(
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
pub(super) fn reduce(
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
pub(super) fn shrink<T: ValueTree>(tree: &mut T, mut failure: Failure) -> (T::Value, Failure)
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
