//! Detects paged list operations.
//!
//! An operation is paged when it has integer query parameters `$top` and `$skip` (or
//! `top` and `skip`) and its success body is an object with exactly one array
//! property: that array holds the items. When the object also has `_links.next.href`
//! (as the live iModels API does), the stream follows it instead of counting `$skip`.

use crate::ir::{
    Field, LinkStep, NextLink, Operation, Pagination, ParamLocation, Success, TypeDef, TypeKind,
    TypeRef,
};

const TOP: &[&str] = &["$top", "top"];
const SKIP: &[&str] = &["$skip", "skip"];

/// The page size a stream asks for when the caller sets none: the iModels API's
/// own default `$top`. Written into the IR, so the generated `PAGE_SIZE` and the
/// docs that mention it cannot disagree.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// Fills in [`Operation::pagination`] for every operation that qualifies.
pub fn detect(operations: &mut [Operation], types: &[TypeDef]) {
    for op in operations {
        op.pagination = pagination(op, types);
    }
}

fn pagination(op: &Operation, types: &[TypeDef]) -> Option<Pagination> {
    let param = |names: &[&str]| {
        op.params.iter().position(|p| {
            p.location == ParamLocation::Query
                && names.contains(&p.wire_name.as_str())
                && matches!(p.ty, TypeRef::I32 | TypeRef::I64)
        })
    };
    let top_param = param(TOP)?;
    let skip_param = param(SKIP)?;
    let Success::Json {
        ty: TypeRef::Named(list),
        ..
    } = &op.success
    else {
        return None;
    };
    let fields = struct_fields(types, list)?;
    let mut arrays = fields
        .iter()
        .filter_map(|f| array_item(&f.ty).map(|item| (f, item)));
    let (items, item_type) = arrays.next()?;
    if arrays.next().is_some() {
        return None;
    }
    Some(Pagination {
        top_param,
        skip_param,
        items_field: items.rust_name.clone(),
        items_optional: items.is_option(),
        item_type: item_type.clone(),
        default_page_size: DEFAULT_PAGE_SIZE,
        next_link: next_link(types, fields),
    })
}

fn struct_fields<'a>(types: &'a [TypeDef], name: &str) -> Option<&'a [Field]> {
    // Follow aliases a bounded number of steps: an alias cycle is reported elsewhere.
    let mut name = name;
    for _ in 0..16 {
        let def = types.iter().find(|t| t.rust_name == name)?;
        match &def.kind {
            TypeKind::Struct(s) => return Some(&s.fields),
            TypeKind::Alias(TypeRef::Named(target)) => name = target,
            _ => return None,
        }
    }
    None
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
fn next_link(types: &[TypeDef], fields: &[Field]) -> Option<NextLink> {
    let links = fields.iter().find(|f| f.wire_name == "_links")?;
    let next = struct_fields(types, named(&links.ty)?)?
        .iter()
        .find(|f| f.wire_name == "next")?;
    let href = struct_fields(types, named(&next.ty)?)?
        .iter()
        .find(|f| f.wire_name == "href")?;
    let is_string = matches!(&href.ty, TypeRef::String)
        || matches!(&href.ty, TypeRef::Nullable(inner) if **inner == TypeRef::String);
    is_string.then(|| NextLink {
        path: [links, next, href]
            .iter()
            .map(|f| LinkStep {
                field: f.rust_name.clone(),
                optional: f.is_option(),
            })
            .collect(),
    })
}
