//! Which media types are JSON: one rule for the client, which decodes such
//! bodies, and for the generator, which decides from it what an operation
//! decodes and so what its `Accept` lists (it includes this file by path, so
//! the two cannot disagree).
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

/// Whether a media type (a `Content-Type` value, or a key of an OpenAPI
/// `content` map) names JSON: `application/json`, or any type with the
/// `+json` structured syntax suffix (RFC 6839: `application/problem+json`,
/// `application/vnd.foo.v2+json`, `text/vnd.foo+json`), ignoring case and
/// parameters such as `charset`.
pub(crate) fn is_json_media(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    if kind.is_empty() || kind == "*" || subtype.contains('/') {
        return false;
    }
    (kind == "application" && subtype == "json")
        || subtype
            .strip_suffix("+json")
            .is_some_and(|prefix| !prefix.is_empty() && prefix != "*")
}

#[cfg(test)]
mod tests {
    use super::is_json_media;

    #[test]
    fn json_is_application_json_or_the_json_suffix_in_any_case_with_parameters() {
        // (media type, whether it is JSON)
        let cases = [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/json;charset=UTF-8", true),
            ("application/problem+json", true),
            ("application/problem+json ; charset=UTF-8", true),
            ("application/vnd.bentley.itwin-platform.v2+json", true),
            ("APPLICATION/VND.FOO+JSON", true),
            ("text/vnd.foo+json", true),
            ("application/merge-patch+json", true),
            ("application/+json", false),
            ("application/*+json", false),
            ("*/*", false),
            ("application/*", false),
            ("application/xml", false),
            ("application/json-seq", false),
            ("application/jsonl", false),
            ("text/json", false),
            ("text/html", false),
            ("text/json+plain", false),
            ("image/png", false),
            ("json", false),
            ("", false),
        ];
        for (media_type, json) in cases {
            assert_eq!(is_json_media(media_type), json, "{media_type}");
        }
    }
}
