//! Exact positions in JSON text: one scan of the tokens, following only the members
//! and items on the way to a wanted pointer, so a 47 MB one-line document is read once
//! however many diagnostics it has.

use std::collections::{HashMap, HashSet};

/// Nesting deeper than this is not followed (the parser refused such text anyway).
const MAX_DEPTH: usize = 1024;

/// 1-based (line, column) of each pointer: its key for an object member, its first
/// character for anything else. A pointer whose end is not in the text gets the
/// deepest part of it that is.
pub(super) fn positions(source: &str, pointers: &[&str]) -> Vec<Option<(usize, usize)>> {
    let wanted: Vec<Option<Vec<String>>> = pointers
        .iter()
        .map(|p| crate::diagnostics::pointer::decode(p))
        .collect();
    let mut prefixes: HashSet<Vec<String>> = HashSet::new();
    for segments in wanted.iter().flatten() {
        for end in 0..=segments.len() {
            prefixes.insert(segments[..end].to_vec());
        }
    }
    let mut scanner = Scanner {
        bytes: source.as_bytes(),
        at: 0,
        path: Vec::new(),
        prefixes: &prefixes,
        found: HashMap::new(),
    };
    scanner.skip_space();
    if scanner.peek() == Some(0xEF) {
        scanner.at += 3; // a UTF-8 byte-order mark
        scanner.skip_space();
    }
    scanner.found.insert(Vec::new(), scanner.at);
    let _ = scanner.value(true, 0);
    let found = scanner.found;
    let offsets: Vec<Option<usize>> = wanted
        .iter()
        .map(|segments| {
            let segments = segments.as_ref()?;
            (0..=segments.len())
                .rev()
                .find_map(|end| found.get(&segments[..end]).copied())
        })
        .collect();
    line_columns(source, &offsets)
}

struct Scanner<'s> {
    bytes: &'s [u8],
    at: usize,
    path: Vec<String>,
    prefixes: &'s HashSet<Vec<String>>,
    /// Byte offset of each wanted prefix met.
    found: HashMap<Vec<String>, usize>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Scans one value; `followed` when its path leads to a wanted pointer.
    fn value(&mut self, followed: bool, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                loop {
                    self.skip_space();
                    match self.peek()? {
                        b'}' => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' => self.at += 1,
                        b'"' => {
                            let key_at = self.at;
                            let key = self.string(followed)?;
                            self.skip_space();
                            (self.peek()? == b':').then_some(())?;
                            self.at += 1;
                            self.child(followed, key, key_at, depth)?;
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut index = 0usize;
                loop {
                    self.skip_space();
                    match self.peek()? {
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        b',' => self.at += 1,
                        _ => {
                            let key = followed.then(|| index.to_string());
                            self.child(followed, key, self.at, depth)?;
                            index += 1;
                        }
                    }
                }
            }
            b'"' => self.string(false).map(drop),
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// A member or item at `key_at`: followed if its path is a wanted prefix.
    fn child(
        &mut self,
        followed: bool,
        key: Option<String>,
        key_at: usize,
        depth: usize,
    ) -> Option<()> {
        let Some(key) = key.filter(|_| followed) else {
            return self.value(false, depth + 1);
        };
        self.path.push(key);
        let wanted = self.prefixes.contains(&self.path);
        if wanted {
            self.found.entry(self.path.clone()).or_insert(key_at);
        }
        let result = self.value(wanted, depth + 1);
        self.path.pop();
        result
    }

    /// Reads a string; decoded only when `decode` (keys on a followed path).
    fn string(&mut self, decode: bool) -> Option<Option<String>> {
        self.at += 1; // the opening quote
        let start = self.at;
        let mut escaped = false;
        loop {
            match self.peek()? {
                b'\\' => {
                    escaped = true;
                    self.at += 2;
                }
                b'"' => break,
                _ => self.at += 1,
            }
        }
        let raw = &self.bytes[start..self.at];
        self.at += 1;
        if !decode {
            return Some(None);
        }
        let text = std::str::from_utf8(raw).ok()?;
        if !escaped {
            return Some(Some(text.to_owned()));
        }
        // Escapes are rare in keys; let serde_json read them.
        serde_json::from_str(&format!("\"{text}\"")).ok().map(Some)
    }
}

/// Byte offsets -> 1-based (line, column in characters), in one pass over the text.
fn line_columns(source: &str, offsets: &[Option<usize>]) -> Vec<Option<(usize, usize)>> {
    let mut sorted: Vec<usize> = offsets.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut at: HashMap<usize, (usize, usize)> = HashMap::new();
    let (mut line, mut column) = (1usize, 1usize);
    let mut next = sorted.iter().peekable();
    for (offset, c) in source.char_indices() {
        while next.next_if(|&&wanted| wanted <= offset).is_some() {
            at.insert(offset, (line, column));
        }
        if next.peek().is_none() {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    offsets
        .iter()
        .map(|offset| offset.and_then(|o| at.get(&o).copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::positions;

    #[test]
    fn finds_keys_and_items_in_minified_json() {
        let json = r#"{"openapi":"3.0.3","paths":{"/a/{id}":{"get":{"parameters":[{"name":"a"},{"name":"b","schema":{"type":"string"}}]}}}}"#;
        let found = positions(
            json,
            &[
                "#",
                "#/paths/~1a~1{id}/get",
                "#/paths/~1a~1{id}/get/parameters/1/schema",
                "#/paths/~1a~1{id}/get/parameters/1/schema/format",
                "#/nope",
            ],
        );
        let column = |needle: &str| json.find(needle).map(|at| (1, at + 1));
        assert_eq!(
            found,
            [
                Some((1, 1)),
                column(r#""get""#),
                column(r#""schema""#),
                // Missing at the end: the deepest part found.
                column(r#""schema""#),
                Some((1, 1)),
            ]
        );
    }

    #[test]
    fn counts_lines_and_characters_in_pretty_json() {
        let json = "{\n  \"info\": {\"é\": 0, \"title\": \"x\"},\n  \"paths\": {\n    \"/\": {\n      \"get\": {}\n    }\n  }\n}\n";
        assert_eq!(
            positions(json, &["#/paths/~1/get", "#/info/title"]),
            [Some((5, 7)), Some((2, 20))]
        );
    }

    #[test]
    fn escaped_keys_and_broken_text_do_not_panic() {
        let json = r#"{"a\"b": {"c": 1}, "d": [1, {"e": "x\"}"#;
        assert_eq!(
            positions(json, &["#/a\"b/c", "#/d/1/e"]),
            [Some((1, 11)), Some((1, 30))]
        );
        assert_eq!(positions("{\"a\": [", &["#/a/0"]), [Some((1, 2))]);
    }
}
