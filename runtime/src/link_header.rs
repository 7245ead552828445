//! The next-page link of an RFC 8288 `Link` response header
//! (`Link: <https://…?page=3>; rel="next"`), as GitHub and many other APIs page
//! their lists.
//!
//! A small parser of its own rather than a crate: the one crate on crates.io
//! for it (`parse_link_header` 0.4) strips every quote and space before
//! splitting at commas and semicolons, so `rel="next last"` becomes the
//! relation `nextlast`, a comma in a quoted parameter (`title="a, b"`) or in
//! the URL splits a link in two, and two links with the same relation collapse
//! in a map; it also brings `regex` into every generated client. The grammar
//! (RFC 8288 §3, with RFC 9110's `quoted-string`) is a few lines.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use reqwest::header::LINK;

use super::RawResponse;

/// The target of the first link with the relation `next` in the answer's
/// `Link` headers, resolved against the URL the answer came from (relative
/// references are allowed). Links with an `anchor` (about another resource
/// than the page) are skipped, and so is a header that is not text. A
/// malformed header yields the `next` link found before the fault, if any.
pub(crate) fn next_link(answer: &RawResponse) -> Option<String> {
    let target = answer
        .headers()
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            links(value)
                .find(|link| link.has_rel("next") && !link.anchored)
                .map(|link| link.target)
        })?;
    match answer.url() {
        Some(base) => base.join(target).ok().map(String::from),
        None => Some(target.to_owned()),
    }
}

/// One `link-value`: its target as written, its relation types and whether
/// it has an `anchor`.
#[derive(Debug, PartialEq, Eq)]
struct Link<'a> {
    target: &'a str,
    /// The first `rel` parameter's value (quotes and escapes removed): space
    /// separated relation types.
    rel: Option<String>,
    anchored: bool,
}

impl Link<'_> {
    /// Whether `relation` is one of the link's relation types (compared
    /// without regard to case, RFC 8288 §2.1.1).
    fn has_rel(&self, relation: &str) -> bool {
        self.rel.as_deref().is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case(relation))
        })
    }
}

/// The links of one `Link` header value, in order; stops at the first
/// malformed link.
fn links(value: &str) -> impl Iterator<Item = Link<'_>> {
    let mut rest = value;
    std::iter::from_fn(move || {
        let (link, after) = link_value(rest)?;
        rest = after;
        Some(link)
    })
}

/// Parses the `link-value` at the start of `input` (after any separating
/// commas and spaces): `<target> *( OWS ";" OWS name [ "=" value ] )`.
fn link_value(input: &str) -> Option<(Link<'_>, &str)> {
    let input = input.trim_start_matches(|c: char| c == ',' || is_ows(c));
    let input = input.strip_prefix('<')?;
    let end = input.find('>')?;
    let mut link = Link {
        target: input[..end].trim(),
        rel: None,
        anchored: false,
    };
    let mut rest = &input[end + 1..];
    loop {
        rest = rest.trim_start_matches(is_ows);
        let Some(param) = rest.strip_prefix(';') else {
            // The end of the value, or a comma before the next link.
            return match rest.chars().next() {
                None | Some(',') => Some((link, rest)),
                Some(_) => None,
            };
        };
        let (name, value, after) = parameter(param.trim_start_matches(is_ows))?;
        rest = after;
        if name.eq_ignore_ascii_case("rel") {
            // Occurrences after the first are ignored (RFC 8288 §3.3).
            if link.rel.is_none() {
                link.rel = Some(value.unwrap_or_default());
            }
        } else if name.eq_ignore_ascii_case("anchor") {
            link.anchored = true;
        }
    }
}

/// `name [ BWS "=" BWS ( token / quoted-string ) ]` at the start of `input`;
/// the name, the value (unquoted) and what follows. An empty name (`;;`) is
/// skipped as no parameter.
fn parameter(input: &str) -> Option<(&str, Option<String>, &str)> {
    let name_end = input
        .find(|c: char| !is_token_char(c))
        .unwrap_or(input.len());
    let (name, rest) = input.split_at(name_end);
    let rest = rest.trim_start_matches(is_ows);
    let Some(rest) = rest.strip_prefix('=') else {
        return Some((name, None, rest));
    };
    let rest = rest.trim_start_matches(is_ows);
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => return Some((name, Some(value), &quoted[at + 1..])),
                '\\' => value.push(chars.next()?.1),
                c => value.push(c),
            }
        }
        // An unterminated quoted string.
        None
    } else {
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        let (value, rest) = rest.split_at(end);
        Some((name, Some(value.to_owned()), rest))
    }
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 9110 `tchar`; `*` too, for the `rel*` form of RFC 8187.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    fn answer(values: &[&str], url: Option<&str>) -> RawResponse {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(LINK, value.parse().expect("valid header"));
        }
        let raw = RawResponse::new(StatusCode::OK, headers, Bytes::new());
        match url {
            Some(url) => raw.with_url(url.parse().expect("a URL")),
            None => raw,
        }
    }

    #[test]
    fn the_next_link_among_others() {
        let page = "https://api.example.test/items?page=2";
        // (case, header values, the next link found)
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            (
                "one link",
                &[r#"<https://x.test/a?page=2>; rel="next""#],
                Some("https://x.test/a?page=2"),
            ),
            (
                "unquoted rel",
                &["<https://x.test/n>;rel=next"],
                Some("https://x.test/n"),
            ),
            (
                "GitHub's header",
                &[
                    r#"<https://x.test/r?page=1>; rel="prev", <https://x.test/r?page=3>; rel="next", <https://x.test/r?page=9>; rel="last""#,
                ],
                Some("https://x.test/r?page=3"),
            ),
            (
                "a rel list",
                &[r#"<https://x.test/n>; rel="next last""#],
                Some("https://x.test/n"),
            ),
            (
                "case and spaces",
                &["<https://x.test/n> ;\tREL = \"Next\""],
                Some("https://x.test/n"),
            ),
            (
                "a comma and a semicolon inside quotes",
                &[
                    r#"<https://x.test/p>; title="a, b; c"; rel="prev", <https://x.test/n>; rel="next""#,
                ],
                Some("https://x.test/n"),
            ),
            (
                "an escaped quote",
                &[r#"<https://x.test/n>; title="say \"hi\""; rel="next""#],
                Some("https://x.test/n"),
            ),
            (
                "a comma in the URL",
                &["<https://x.test/n?a=1,2>; rel=\"next\""],
                Some("https://x.test/n?a=1,2"),
            ),
            (
                "only the first rel counts",
                &["<https://x.test/n>; rel=prev; rel=next"],
                None,
            ),
            (
                "another relation",
                &["<https://x.test/n>; rel=\"nextish\""],
                None,
            ),
            ("no rel", &["<https://x.test/n>"], None),
            (
                "an anchored link is about another resource",
                &["<https://x.test/n>; rel=next; anchor=\"#a\""],
                None,
            ),
            (
                "the second header",
                &[
                    "<https://x.test/p>; rel=prev",
                    "<https://x.test/n>; rel=next",
                ],
                Some("https://x.test/n"),
            ),
            (
                "relative to the page",
                &["<?page=3>; rel=next"],
                Some("https://api.example.test/items?page=3"),
            ),
            (
                "relative path",
                &["</other?page=3>; rel=next"],
                Some("https://api.example.test/other?page=3"),
            ),
            (
                "malformed: no brackets",
                &["https://x.test/n; rel=next"],
                None,
            ),
            (
                "malformed after the next link",
                &["<https://x.test/n>; rel=next, garbage"],
                Some("https://x.test/n"),
            ),
            (
                "unterminated quote",
                &["<https://x.test/n>; rel=\"next"],
                None,
            ),
            ("empty", &[""], None),
        ];
        for (case, values, expected) in cases {
            let found = next_link(&answer(values, Some(page)));
            assert_eq!(found.as_deref(), *expected, "{case}");
        }
    }

    #[test]
    fn without_the_request_url_the_target_is_kept_as_written() {
        let found = next_link(&answer(&["</items?page=2>; rel=next"], None));
        assert_eq!(found.as_deref(), Some("/items?page=2"));
    }
}
