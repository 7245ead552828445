//! JSON pointers (RFC 6901) in the URI-fragment form diagnostics and references use:
//! `#/paths/~1a/get`. The one place that escapes (`~` -> `~0`, `/` -> `~1`) and
//! unescapes a segment.

/// Builds a JSON pointer from segments, escaping `~` and `/` as RFC 6901 says.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::from("#");
    for segment in segments {
        out.push('/');
        out.push_str(&escape(segment.as_ref()));
    }
    out
}

/// Escapes one segment, to append to a pointer after a `/`.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The segments of `pointer`, with or without its leading `#`: `#/a/b~1c` ->
/// `["a", "b/c"]`, `#` -> `[]`; `None` when the rest does not start with `/`.
pub(crate) fn decode(pointer: &str) -> Option<Vec<String>> {
    decode_fragment(pointer.strip_prefix('#').unwrap_or(pointer))
}

/// The segments of a pointer without its `#`: `/a/b~1c` -> `["a", "b/c"]`, `` -> `[]`;
/// `None` when it does not start with `/`.
pub(crate) fn decode_fragment(fragment: &str) -> Option<Vec<String>> {
    if fragment.is_empty() {
        return Some(Vec::new());
    }
    let rest = fragment.strip_prefix('/')?;
    Some(rest.split('/').map(unescape).collect())
}

/// `~1` -> `/`, then `~0` -> `~`, in that order (so `~01` stays `~1`).
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_undoes_encoding() {
        let segments = ["paths", "/a/{id}", "x~y", "~1", ""];
        let encoded = pointer(segments);
        assert_eq!(encoded, "#/paths/~1a~1{id}/x~0y/~01/");
        assert_eq!(decode(&encoded), Some(segments.map(str::to_owned).to_vec()));
        assert_eq!(decode("#"), Some(Vec::new()));
        assert_eq!(decode("/a"), Some(vec!["a".to_owned()]));
        assert_eq!(decode("#a"), None);
    }
}
