//! Paged list operations: declared with the `x-pagination` extension of an operation
//! (an overlay can add it), or detected from the spec when it has none.
//!
//! ```yaml
//! x-pagination:
//!   items: iModels                     # the body's array of items (optional when it has one array)
//!   next-link: /_links/next/href       # JSON pointer to the next page's URL in the body, and/or
//!   next-token: /continuationToken     # JSON pointer to a continuation token in the body,
//!   token-param: $continuationToken    # with the query parameter the token goes into
//!   top: $top                          # page-size query parameter (optional)
//!   skip: $skip                        # offset query parameter (optional)
//! ```
//!
//! Without the extension, an operation is paged when its success body is an object
//! with exactly one array property (the items) and either integer query parameters
//! `$top` and `$skip` (or `top` and `skip`), or a next link: `_links.next.href` in the
//! body (as the live iModels API has) or a declared `Link` response header (RFC 8288).
//!
//! A list whose pages name the next one (a link in the body or a header, or a token)
//! is *linked*: a page that names none is its last. A declaration that cannot be
//! honoured is a located error, since a silently unpaged list returns one page only.

use crate::diagnostics::Diagnostic;
use crate::ir::{
    Field, LinkStep, NextLink, Operation, Pagination, Param, ParamLocation, Response, Success,
    TypeDef, TypeKind, TypeRef,
};
use openapiv3::OpenAPI;
use serde::Deserialize;

/// The extension's name on an operation object.
pub(super) const EXTENSION: &str = "x-pagination";

const TOP: &[&str] = &["$top", "top"];
const SKIP: &[&str] = &["$skip", "skip"];

const HINT: &str = "`x-pagination` takes items (the array property), next-link and/or next-token (JSON pointers into the body), token-param (the query parameter a token goes into), top and skip (query parameters)";

/// The page size a stream asks for when the caller sets none: the iModels API's
/// own default `$top`. Written into the IR, so the generated `PAGE_SIZE` and the
/// docs that mention it cannot disagree.
pub(super) const DEFAULT_PAGE_SIZE: i64 = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Declaration {
    items: Option<String>,
    next_link: Option<String>,
    next_token: Option<String>,
    token_param: Option<String>,
    top: Option<String>,
    skip: Option<String>,
}

/// Fills in [`Operation::pagination`]: from `x-pagination` where the document
/// declares it, by detection elsewhere.
pub(super) fn detect(
    document: &OpenAPI,
    operations: &mut [Operation],
    types: &[TypeDef],
) -> Vec<Diagnostic> {
    let declared = super::operation_extensions(document, EXTENSION);
    let mut diagnostics = Vec::new();
    for op in operations {
        let declaration = declared.iter().find(|(origin, _)| *origin == op.origin);
        op.pagination = match declaration {
            None => heuristic(op, types),
            Some((origin, value)) => match declared_pagination(op, types, value) {
                Ok(pagination) => Some(pagination),
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::error(
                            format!("{origin}/{EXTENSION}"),
                            format!("{message}; the list cannot be paged"),
                        )
                        .with_hint(HINT),
                    );
                    None
                }
            },
        };
    }
    diagnostics
}

/// The page type's fields, when the operation returns one JSON object.
fn page_fields<'a>(op: &Operation, types: &'a [TypeDef]) -> Option<(&'a str, &'a [Field])> {
    let Success::Json {
        ty: TypeRef::Named(list),
        envelope: None,
        ..
    } = &op.success
    else {
        return None;
    };
    let def = types.iter().find(|t| &t.rust_name == list)?;
    Some((def.rust_name.as_str(), struct_fields(types, list)?))
}

fn heuristic(op: &Operation, types: &[TypeDef]) -> Option<Pagination> {
    let param = |names: &[&str]| {
        op.params.iter().position(|p| {
            p.location == ParamLocation::Query
                && names.contains(&p.wire_name.as_str())
                && is_integer(p)
        })
    };
    let link_header = declares_link_header(&op.responses);
    if let (true, Some(item_type)) = (link_header, body_array(op, types)) {
        // The body is the page (RFC 8288 lists): only the `Link` header leads on.
        return Some(whole_body_page(param(TOP), None, item_type, link_header));
    }
    let (page, fields) = page_fields(op, types)?;
    let mut arrays = fields
        .iter()
        .filter_map(|f| array_item(&f.ty).map(|item| (f, item)));
    let (items, item_type) = arrays.next()?;
    if arrays.next().is_some() {
        return None;
    }
    let top_param = param(TOP);
    let skip_param = param(SKIP);
    let next_link = next_link(types, page, fields);
    // Counted pages need both `$top` and `$skip`; linked ones only the link.
    let counted = top_param.is_some() && skip_param.is_some();
    if !counted && next_link.is_none() && !link_header {
        return None;
    }
    Some(Pagination {
        top_param,
        skip_param,
        items_field: Some(items.rust_name.clone()),
        items_optional: items.is_option(),
        item_type: item_type.clone(),
        default_page_size: DEFAULT_PAGE_SIZE,
        next_link,
        next_token: None,
        token_param: None,
        link_header,
    })
}

fn declared_pagination(
    op: &Operation,
    types: &[TypeDef],
    value: &serde_json::Value,
) -> Result<Pagination, String> {
    let declaration = Declaration::deserialize(value)
        .map_err(|error| format!("`{EXTENSION}` is not a valid declaration: {error}"))?;
    if let Success::Json {
        envelope: Some(envelope),
        ..
    } = &op.success
    {
        return Err(format!(
            "the success body is an envelope (`x-envelope: {}`), which a page is not",
            envelope.property
        ));
    }
    if let Some(item_type) = body_array(op, types) {
        return array_body(op, &declaration, item_type);
    }
    let (page, fields) = page_fields(op, types).ok_or_else(|| {
        format!(
            "the success body is `{}`, not a JSON object holding the items",
            op.success.output(crate::ir::Paths::Short)
        )
    })?;
    let (items, item_type) = match &declaration.items {
        Some(name) => {
            let field = fields
                .iter()
                .find(|f| &f.wire_name == name)
                .ok_or_else(|| format!("`items`: `{page}` has no property `{name}`"))?;
            let item = array_item(&field.ty)
                .ok_or_else(|| format!("`items`: `{page}.{name}` is not an array"))?;
            (field, item)
        }
        None => {
            let arrays: Vec<(&Field, &TypeRef)> = fields
                .iter()
                .filter_map(|f| array_item(&f.ty).map(|item| (f, item)))
                .collect();
            match arrays.as_slice() {
                [one] => *one,
                [] => {
                    return Err(format!(
                        "`{page}` has no array property to take the items from"
                    ))
                }
                _ => {
                    return Err(format!(
                        "`{page}` has {} array properties; say which holds the items with `items`",
                        arrays.len()
                    ))
                }
            }
        }
    };
    let top_param = query_param(op, "top", &declaration.top)?;
    let skip_param = query_param(op, "skip", &declaration.skip)?;
    let token_param = query_param(op, "token-param", &declaration.token_param)?;
    if let Some(index) = token_param {
        let param = &op.params[index];
        if param.ty != TypeRef::String {
            return Err(format!(
                "`token-param`: the query parameter `{}` is not a string",
                param.wire_name
            ));
        }
    }
    let pointer = |role: &str, pointer: &Option<String>| -> Result<Option<NextLink>, String> {
        pointer
            .as_deref()
            .map(|pointer| {
                string_at(types, page, fields, pointer).map_err(|e| format!("`{role}`: {e}"))
            })
            .transpose()
    };
    let next_link = pointer("next-link", &declaration.next_link)?;
    let next_token = pointer("next-token", &declaration.next_token)?;
    match (&next_token, token_param) {
        (Some(_), None) => {
            return Err(
                "`next-token` needs `token-param`, the query parameter the token is sent in"
                    .to_owned(),
            )
        }
        (None, Some(_)) => {
            return Err("`token-param` needs `next-token`, where a page gives the token".to_owned())
        }
        _ => {}
    }
    let link_header = declares_link_header(&op.responses);
    if next_link.is_none() && next_token.is_none() && !link_header && skip_param.is_none() {
        return Err(
            "it names no way to the next page: no `next-link`, `next-token` or `skip`, and no `Link` response header"
                .to_owned(),
        );
    }
    Ok(Pagination {
        top_param,
        skip_param,
        items_field: Some(items.rust_name.clone()),
        items_optional: items.is_option(),
        item_type: item_type.clone(),
        default_page_size: DEFAULT_PAGE_SIZE,
        next_link,
        next_token,
        token_param,
        link_header,
    })
}

/// A declared list whose body is the array of items itself: it pages by `$skip` or a
/// `Link` header, since there is no body property to hold a link or token.
fn array_body(
    op: &Operation,
    declaration: &Declaration,
    item_type: &TypeRef,
) -> Result<Pagination, String> {
    let in_body = [
        ("items", &declaration.items),
        ("next-link", &declaration.next_link),
        ("next-token", &declaration.next_token),
        ("token-param", &declaration.token_param),
    ];
    if let Some((role, _)) = in_body.iter().find(|(_, value)| value.is_some()) {
        return Err(format!(
            "`{role}` points into the body, but the body is the array of items itself"
        ));
    }
    let top_param = query_param(op, "top", &declaration.top)?;
    let skip_param = query_param(op, "skip", &declaration.skip)?;
    let link_header = declares_link_header(&op.responses);
    if skip_param.is_none() && !link_header {
        return Err(
            "it names no way to the next page: the body is an array, and there is no `skip` and no `Link` response header"
                .to_owned(),
        );
    }
    Ok(whole_body_page(
        top_param,
        skip_param,
        item_type,
        link_header,
    ))
}

/// The paging of a list whose body is the array of items: no property holds the
/// items, a link or a token, so only `$skip` or a `Link` header leads on.
fn whole_body_page(
    top_param: Option<usize>,
    skip_param: Option<usize>,
    item_type: &TypeRef,
    link_header: bool,
) -> Pagination {
    Pagination {
        top_param,
        skip_param,
        items_field: None,
        items_optional: false,
        item_type: item_type.clone(),
        default_page_size: DEFAULT_PAGE_SIZE,
        next_link: None,
        next_token: None,
        token_param: None,
        link_header,
    }
}

/// The index of the query parameter a declaration names for `role`, checked to be an
/// integer for `top` and `skip`.
fn query_param(op: &Operation, role: &str, name: &Option<String>) -> Result<Option<usize>, String> {
    let Some(name) = name else {
        return Ok(None);
    };
    let index = op
        .params
        .iter()
        .position(|p| p.location == ParamLocation::Query && &p.wire_name == name)
        .ok_or_else(|| format!("`{role}`: the operation has no query parameter `{name}`"))?;
    let param = &op.params[index];
    if matches!(role, "top" | "skip") && !is_integer(param) {
        return Err(format!(
            "`{role}`: the query parameter `{}` is not an integer",
            param.wire_name
        ));
    }
    Ok(Some(index))
}

/// The item type when the success body is a JSON array itself (through aliases).
fn body_array<'a>(op: &'a Operation, types: &'a [TypeDef]) -> Option<&'a TypeRef> {
    let Success::Json {
        ty, envelope: None, ..
    } = &op.success
    else {
        return None;
    };
    array_item(super::aliases::resolve_alias(ty, types))
}

fn is_integer(param: &Param) -> bool {
    matches!(param.ty, TypeRef::I32 | TypeRef::I64)
}

/// Whether a success response declares a `Link` header (RFC 8288).
fn declares_link_header(responses: &[Response]) -> bool {
    responses
        .iter()
        .filter(|r| r.status.is_success())
        .flat_map(|r| &r.headers)
        .any(|name| name.eq_ignore_ascii_case("link"))
}

/// The Rust field path to the string at a JSON pointer into the page type.
fn string_at(
    types: &[TypeDef],
    page: &str,
    fields: &[Field],
    pointer: &str,
) -> Result<NextLink, String> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "`{pointer}` is not a JSON pointer (it starts with `/`)"
        ));
    };
    let mut path = Vec::new();
    let mut fields = fields;
    let mut at = page.to_owned();
    let segments: Vec<String> = rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        let field = fields
            .iter()
            .find(|f| &f.wire_name == segment)
            .ok_or_else(|| format!("`{at}` has no property `{segment}` (at `{pointer}`)"))?;
        path.push(LinkStep {
            field: field.rust_name.clone(),
            optional: field.is_option(),
        });
        at = format!("{at}.{segment}");
        if i + 1 == segments.len() {
            let is_string = matches!(&field.ty, TypeRef::String)
                || matches!(&field.ty, TypeRef::Nullable(inner) if **inner == TypeRef::String);
            if !is_string {
                return Err(format!("`{at}` is not a string (at `{pointer}`)"));
            }
        } else {
            fields = named(&field.ty)
                .and_then(|name| struct_fields(types, name))
                .ok_or_else(|| format!("`{at}` is not an object (at `{pointer}`)"))?;
        }
    }
    Ok(NextLink { path })
}

/// A struct's fields, through aliases.
pub(super) fn struct_fields<'a>(types: &'a [TypeDef], name: &str) -> Option<&'a [Field]> {
    let named = TypeRef::Named(name.to_owned());
    let TypeRef::Named(name) = super::aliases::resolve_alias(&named, types) else {
        return None;
    };
    match &types.iter().find(|t| &t.rust_name == name)?.kind {
        TypeKind::Struct(s) => Some(&s.fields),
        _ => None,
    }
}

fn array_item(ty: &TypeRef) -> Option<&TypeRef> {
    match ty {
        TypeRef::Vec(item) => Some(item),
        TypeRef::Nullable(inner) => array_item(inner),
        _ => None,
    }
}

fn named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::Nullable(inner) => named(inner),
        _ => None,
    }
}

/// `_links` -> `next` -> `href` (a string), if the page type has that shape.
fn next_link(types: &[TypeDef], page: &str, fields: &[Field]) -> Option<NextLink> {
    string_at(types, page, fields, "/_links/next/href").ok()
}
