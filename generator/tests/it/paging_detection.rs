//! Which operations are paged lists, and how their pages lead on (hand-written,
//! table-driven): the `x-pagination` declaration, and detection for specs without
//! it (`$top`/`$skip`, a body next link, a declared `Link` header), as lowered into
//! the IR that the emitted `PagedOperation` impl prints.

use serde_json::{json, Value};

/// What lowering decided for the one operation of a document: `None` when not
/// paged, else (linked, has `$top`, has `$skip`, has a token parameter).
fn paging(operation: Value, schema: Value) -> Option<(bool, bool, bool, bool)> {
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "Paging", "version": "1"},
        "paths": {"/items": {"get": operation}},
        "components": {"schemas": {
            "Page": schema,
            "Link": {"type": "object", "properties": {"href": {"type": "string"}}},
        }},
    });
    let (api, diagnostics) =
        generator::lower_source(&document.to_string(), &crate::support::settings("paging"))
            .unwrap_or_else(|d| panic!("{d}"));
    assert!(!diagnostics.has_errors(), "{diagnostics}");
    let pagination = api.operations[0].pagination.as_ref()?;
    Some((
        pagination.linked(),
        pagination.top_param.is_some(),
        pagination.skip_param.is_some(),
        pagination.token_param.is_some(),
    ))
}

fn query(name: &str, ty: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": ty}})
}

fn ok(headers: Value) -> Value {
    json!({"200": {
        "description": "a page",
        "headers": headers,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}},
    }})
}

#[test]
fn paged_lists_and_how_their_pages_lead_on() {
    let items = json!({"type": "array", "items": {"type": "string"}});
    let plain = json!({"type": "object", "properties": {"items": items}});
    let linked = json!({"type": "object", "properties": {
        "items": items,
        "_links": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Link"}}},
        "token": {"type": "string"},
    }});
    let two_arrays = json!({"type": "object", "properties": {"a": items, "b": items}});
    let top_skip = json!([query("$top", "integer"), query("$skip", "integer")]);
    let link_header = json!({"Link": {"schema": {"type": "string"}}});
    let none = json!({});
    // (case, operation, page schema, expected: (linked, $top, $skip, token) or None)
    let cases = [
        (
            "$top and $skip, no link: counted, not linked",
            json!({"parameters": top_skip, "responses": ok(none.clone())}),
            plain.clone(),
            Some((false, true, true, false)),
        ),
        (
            "$top alone, no link: not a paged list",
            json!({"parameters": [query("$top", "integer")], "responses": ok(none.clone())}),
            plain.clone(),
            None,
        ),
        (
            "$top and a declared Link header, no $skip: linked",
            json!({"parameters": [query("$top", "integer")], "responses": ok(link_header.clone())}),
            plain.clone(),
            Some((true, true, false, false)),
        ),
        (
            "a Link header alone: linked",
            json!({"responses": ok(json!({"link": {"schema": {"type": "string"}}}))}),
            plain.clone(),
            Some((true, false, false, false)),
        ),
        (
            "_links.next.href alone: linked",
            json!({"responses": ok(none.clone())}),
            linked.clone(),
            Some((true, false, false, false)),
        ),
        (
            "two arrays: no telling which holds the items",
            json!({"parameters": top_skip, "responses": ok(none.clone())}),
            two_arrays.clone(),
            None,
        ),
        (
            "x-pagination names the items among two arrays",
            json!({"parameters": top_skip, "responses": ok(none.clone()),
                   "x-pagination": {"items": "b", "top": "$top", "skip": "$skip"}}),
            two_arrays.clone(),
            Some((false, true, true, false)),
        ),
        (
            "x-pagination with a continuation token and no $top or $skip",
            json!({"parameters": [query("next", "string")], "responses": ok(none.clone()),
                   "x-pagination": {"next-token": "/token", "token-param": "next"}}),
            linked.clone(),
            Some((true, false, false, true)),
        ),
        (
            "x-pagination with a next link, $top and $skip",
            json!({"parameters": top_skip, "responses": ok(none.clone()),
                   "x-pagination": {"next-link": "/_links/next/href", "top": "$top", "skip": "$skip"}}),
            linked.clone(),
            Some((true, true, true, false)),
        ),
        (
            "the body is the array and a Link header leads on (RFC 8288)",
            json!({"responses": ok(link_header.clone())}),
            items.clone(),
            Some((true, false, false, false)),
        ),
        (
            "the body is the array, no Link header: not a paged list",
            json!({"parameters": top_skip, "responses": ok(none.clone())}),
            items.clone(),
            None,
        ),
        (
            "x-pagination on an array body, paged by $skip",
            json!({"parameters": top_skip, "responses": ok(none.clone()),
                   "x-pagination": {"top": "$top", "skip": "$skip"}}),
            items.clone(),
            Some((false, true, true, false)),
        ),
        (
            "an envelope is an entity, not a page",
            json!({"parameters": top_skip, "responses": {"200": {
                "description": "one entity",
                "x-envelope": "items",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}},
            }}}),
            plain.clone(),
            None,
        ),
    ];
    for (case, operation, schema, expected) in cases {
        assert_eq!(paging(operation, schema), expected, "{case}");
    }
}
