//! Percent-encoding of path segments and query strings, and the check that an
//! expanded path still has the shape of its template.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt::Display;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::Error;

/// Everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`PATH_SEGMENT`] but keeps `$` literal: RFC 3986 allows it in a query,
/// form decoders give it no meaning, and Bentley's documentation spells OData
/// parameters as `$top=`, `$skip=`, so logs and captures match the docs.
pub(crate) const QUERY_COMPONENT: &AsciiSet = &PATH_SEGMENT.remove(b'$');

/// Percent-encodes `value` as one URL path segment.
///
/// Every byte outside the RFC 3986 unreserved set is encoded, so a value can
/// never introduce a `/`, `?` or `#`. A value that is exactly `.` or `..` is
/// encoded as `%2E` / `%2E%2E`; note that WHATWG URL parsers (including the
/// one `reqwest` uses) still treat those as dot segments, so
/// [`HttpClient::execute`](super::HttpClient::execute) refuses to send such a path
/// rather than let it address a different resource.
pub fn encode_path_segment<T: Display + ?Sized>(value: &T) -> String {
    let raw = value.to_string();
    match raw.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        other => utf8_percent_encode(other, PATH_SEGMENT).to_string(),
    }
}

/// Builds `name=value&...` with both sides percent-encoded, `$` kept literal
/// and space as `%20` (never `+`, which some servers read literally).
pub(crate) fn encode_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        append_query_pair(&mut out, name, value);
    }
    out
}

/// Appends `name=value` to a query string, after a `&` unless it is the first pair.
pub(crate) fn append_query_pair(out: &mut String, name: &str, value: &str) {
    out.reserve(name.len() + value.len() + 2);
    if !out.is_empty() {
        out.push('&');
    }
    push_query_component(out, name);
    out.push('=');
    push_query_component(out, value);
}

/// Appends `text` percent-encoded by [`QUERY_COMPONENT`]; text with nothing to
/// encode (names, numbers, UUIDs: most values) is copied as it is.
fn push_query_component(out: &mut String, text: &str) {
    let plain = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~$".contains(&byte);
    if text.bytes().all(plain) {
        out.push_str(text);
    } else {
        out.extend(utf8_percent_encode(text, QUERY_COMPONENT));
    }
}

/// Fills a path template's `{name}` placeholders with `values`, each a parameter's
/// expansion from [`path_param`](super::path_param): the one place a path is put
/// together. A placeholder without a value, a parameter that fills a whole segment
/// with nothing (`/imodels/` instead of `/imodels/{id}`), and a dot segment (which URL
/// normalisation would resolve to another path) are [`Error::InvalidRequest`].
#[doc(hidden)]
pub fn expand_path(template: &str, values: &[(&str, String)]) -> Result<String, Error> {
    let expanded: usize = values.iter().map(|(_, value)| value.len()).sum();
    let mut out = String::with_capacity(template.len() + expanded);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        // An unclosed `{` is literal text (the generator refuses such templates).
        let Some(close) = rest[open..].find('}').map(|close| open + close) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = values
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|(_, value)| value)
            .ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "path parameter `{name}` of `{template}` has no value"
                ))
            })?;
        rest = &rest[close + 1..];
        let whole_segment = out.ends_with('/') && (rest.is_empty() || rest.starts_with('/'));
        if value.is_empty() && whole_segment {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{name}` of `{template}` is empty"
            )));
        }
        out.push_str(value);
    }
    out.push_str(rest);
    if let Some(segment) = out.split('/').find(|segment| is_dot_segment(segment)) {
        return Err(Error::InvalidRequest(format!(
            "path segment `{segment}` of `{out}` (template `{template}`) is a dot segment, \
             which URL normalisation would resolve to another path"
        )));
    }
    Ok(out)
}

/// Rejects an expanded path whose parameter segments are empty or dot
/// segments: either would silently address another resource (`/imodels/`
/// instead of `/imodels/{id}`, or a parent path after URL normalisation).
pub(crate) fn check_expanded_path(template: &str, path: &str) -> Result<(), Error> {
    let template_segments: Vec<&str> = template.split('/').collect();
    let path_segments: Vec<&str> = path.split('/').collect();
    // Parameters are encoded, so they never add a `/`; if the counts differ the
    // path was not built by `encode_path_segment` and only the dot check applies.
    let aligned = template_segments.len() == path_segments.len();
    for (index, segment) in path_segments.iter().enumerate() {
        let template_segment = if aligned {
            template_segments.get(index).copied()
        } else {
            None
        };
        if is_dot_segment(segment) {
            return Err(Error::InvalidRequest(format!(
                "path segment `{segment}` of `{path}` (template `{template}`) is a dot segment, \
                 which URL normalisation would resolve to another path"
            )));
        }
        if let Some(parameter) = template_segment.filter(|t| segment.is_empty() && t.contains('{'))
        {
            return Err(Error::InvalidRequest(format!(
                "path parameter `{parameter}` of `{template}` is empty"
            )));
        }
    }
    Ok(())
}

/// The spellings the WHATWG URL standard treats as `.` or `..`.
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "." | "%2e" | ".." | ".%2e" | "%2e." | "%2e%2e"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_pass_through() {
        assert_eq!(encode_path_segment("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn slashes_and_dots_cannot_change_the_path() {
        assert_eq!(encode_path_segment("a/../b"), "a%2F..%2Fb");
        assert_eq!(encode_path_segment(".."), "%2E%2E");
        assert_eq!(encode_path_segment("."), "%2E");
        assert_eq!(encode_path_segment("..."), "...");
    }

    #[test]
    fn reserved_space_and_unicode_are_encoded() {
        assert_eq!(encode_path_segment("a b"), "a%20b");
        assert_eq!(encode_path_segment("a?b#c&d=e+f"), "a%3Fb%23c%26d%3De%2Bf");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment("%2F"), "%252F");
    }

    #[test]
    fn display_values_are_accepted() {
        assert_eq!(encode_path_segment(&42_u32), "42");
        assert_eq!(encode_path_segment(&true), "true");
    }

    #[test]
    fn query_keeps_dollar_and_encodes_the_rest() {
        let pairs = [
            ("$top", "5"),
            ("$orderby", "createdDateTime desc"),
            ("q", "a&b=c+d/é"),
        ];
        assert_eq!(
            encode_query(pairs),
            "$top=5&$orderby=createdDateTime%20desc&q=a%26b%3Dc%2Bd%2F%C3%A9"
        );
        assert_eq!(encode_query([]), "");
    }

    #[test]
    fn paths_are_expanded_and_checked() {
        let values = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            pairs.iter().map(|(n, v)| (*n, (*v).to_owned())).collect()
        };
        let template = "/{iModelId}/changesets/{changesetId}";
        // (values, the path or None for an error)
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case] = &[
            (
                &[("iModelId", "abc"), ("changesetId", "12")],
                Some("/abc/changesets/12"),
            ),
            (
                &[("changesetId", "12"), ("iModelId", ";id=a,b")],
                Some("/;id=a,b/changesets/12"),
            ),
            (&[("iModelId", "abc"), ("changesetId", "")], None),
            (&[("iModelId", ""), ("changesetId", "1")], None),
            (&[("iModelId", "%2E%2E"), ("changesetId", "1")], None),
            (&[("iModelId", "."), ("changesetId", "1")], None),
            (&[("iModelId", "abc")], None),
        ];
        for (pairs, expected) in cases {
            let path = expand_path(template, &values(pairs));
            assert_eq!(path.as_deref().ok(), *expected, "{pairs:?}");
        }
        // A parameter inside a segment may be empty; one named twice fills both places.
        assert_eq!(
            expand_path("/files/{name}.json", &values(&[("name", "")]))
                .ok()
                .as_deref(),
            Some("/files/.json")
        );
        assert_eq!(
            expand_path("/b/{x}/{x}", &values(&[("x", "1")]))
                .ok()
                .as_deref(),
            Some("/b/1/1")
        );
        assert_eq!(expand_path("/", &[]).ok().as_deref(), Some("/"));
        assert_eq!(
            expand_path("/a/{open", &[]).ok().as_deref(),
            Some("/a/{open")
        );
    }

    #[test]
    fn expanded_path_checks() {
        let template = "/{iModelId}/changesets/{changesetId}";
        assert!(check_expanded_path(template, "/abc/changesets/12").is_ok());
        assert!(check_expanded_path(template, "/abc/changesets/").is_err());
        assert!(check_expanded_path(template, "//changesets/1").is_err());
        assert!(check_expanded_path(template, "/%2E%2E/changesets/1").is_err());
        assert!(check_expanded_path(template, "/abc/changesets/%2e").is_err());
        assert!(check_expanded_path(template, "/a%2F..%2Fb/changesets/1").is_ok());
        assert!(check_expanded_path("/", "/").is_ok());
        assert!(check_expanded_path("", "").is_ok());
    }
}
