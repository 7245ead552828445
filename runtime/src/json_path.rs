//! The JSON path to the place in a document where decoding failed
//! (`iModels[2].state`), found by walking the text up to the line and column
//! serde_json reports.
//!
//! Decoding again with a path-tracking deserializer would find it too, but that
//! instantiates every response type's `Deserialize` a second time in every
//! generated crate, which was a large share of their compile time; this walk is
//! compiled once, here, and only runs on a failure.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

/// A container the walk is inside.
enum Frame {
    /// An object, with the key whose value comes (or came) last.
    Object { key: Option<String> },
    /// An array, with the index of its current element.
    Array { index: usize },
}

/// The path in `body` of the value `error` arose in: keys joined by `.`, array
/// indexes as `[i]`; empty at the top level.
pub(crate) fn path_of(body: &[u8], error: &serde_json::Error) -> String {
    // serde_json's column is 1-based. A data error (a wrong type, a missing
    // field) is reported at the last byte it read, which belongs to the value
    // (a missing field's object ends with it); a syntax error at the byte that
    // is wrong, which does not.
    let column = match error.classify() {
        serde_json::error::Category::Data => error.column(),
        _ => error.column().saturating_sub(1),
    };
    path_at(body, error.line(), column)
}

/// The path of the value being read at byte `column` of line `line` (1-based)
/// of `body`, the byte itself included.
fn path_at(body: &[u8], line: usize, column: usize) -> String {
    let end = offset(body, line, column);
    let mut stack: Vec<Frame> = Vec::new();
    // In an object: whether the next string is a key (and not a value).
    let mut expecting_key = false;
    let mut at = 0;
    while at < end {
        match body[at] {
            b'{' => {
                stack.push(Frame::Object { key: None });
                expecting_key = true;
            }
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key }) => {
                    *key = None;
                    expecting_key = true;
                }
                None => {}
            },
            b'"' => {
                let close = string_end(body, at);
                if expecting_key {
                    if let Some(Frame::Object { key }) = stack.last_mut() {
                        *key = Some(string_text(&body[at..close]));
                    }
                    expecting_key = false;
                }
                at = close;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    render(&stack)
}

/// The byte offset of a 1-based line and column; the end of the body when it is
/// past it.
fn offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(at, _)| at + 1)
    };
    (line_start + column).min(body.len())
}

/// The index just past the string that opens at `open` (a `"`), escapes
/// included; the end of the body when it is not closed.
fn string_end(body: &[u8], open: usize) -> usize {
    let mut at = open + 1;
    while at < body.len() {
        match body[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    body.len()
}

/// A key's text, escapes decoded; as written when it is not valid JSON.
fn string_text(quoted: &[u8]) -> String {
    serde_json::from_slice::<String>(quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(quoted).trim_matches('"').to_owned())
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::{path_at, path_of};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct List {
        #[serde(rename = "iModels")]
        imodels: Vec<Item>,
        next: Option<Link>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: u32,
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        extent: Option<Extent>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Extent {
        south_west: Point,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Point {
        latitude: f64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Link {
        href: String,
    }

    /// Each body fails to decode as `List`; the path is written by hand and must
    /// also be what a path-tracking second decode (serde_path_to_error) says.
    #[test]
    fn the_path_is_where_decoding_failed() {
        let cases: &[(&str, &str)] = &[
            (r#"{"iModels": [{"id": "seven", "name": "a"}]}"#, "iModels[0].id"),
            (
                r#"{"iModels": [{"id": 1, "name": "a"}, {"id": 2, "name": 3}]}"#,
                "iModels[1].name",
            ),
            (
                r#"{"iModels": [{"id": 1, "name": "a", "tags": ["x", "y", 5]}]}"#,
                "iModels[0].tags[2]",
            ),
            // A missing field is the object's failure.
            (
                r#"{"iModels": [{"id": 1, "name": "a", "extent": {"south_west": {}}}]}"#,
                "iModels[0].extent.south_west",
            ),
            (r#"{"iModels": [{"name": "a"}]}"#, "iModels[0]"),
            // Pretty-printed, across lines.
            (
                "{\n  \"iModels\": [\n    {\n      \"id\": 1,\n      \"name\": \"a\",\n      \"extent\": {\"south_west\": {\"latitude\": \"north\"}}\n    }\n  ]\n}",
                "iModels[0].extent.south_west.latitude",
            ),
            // Strings holding structure characters, and an escaped key.
            (
                r#"{"iModels": [{"name": "a,\"b]}{", "id": -1}]}"#,
                "iModels[0].id",
            ),
            (r#"{"iMod\u0065ls": [{"id": true}]}"#, "iModels[0].id"),
            // Unknown keys before the failure are skipped over whole.
            (
                r#"{"extra": {"deep": [1, {"x": "y"}]}, "next": {"href": 1}, "iModels": []}"#,
                "next.href",
            ),
            // The top level itself.
            (r#""a string""#, ""),
            (r#"{"iModels": [}"#, "iModels[0]"),
        ];
        for (body, expected) in cases {
            let error = serde_json::from_str::<List>(body).expect_err(body);
            let found = path_of(body.as_bytes(), &error);
            assert_eq!(&found, expected, "{body}: {error}");
            let mut deserializer = serde_json::Deserializer::from_str(body);
            let oracle = serde_path_to_error::deserialize::<_, List>(&mut deserializer)
                .expect_err(body)
                .path()
                .to_string();
            let oracle = if oracle == "." { String::new() } else { oracle };
            assert_eq!(found, oracle, "{body}: {error}");
        }
    }

    #[test]
    fn positions_past_the_body_end_at_its_end() {
        assert_eq!(path_at(br#"{"a": [1"#, 9, 99), "a[0]");
        assert_eq!(path_at(b"", 1, 1), "");
    }
}
