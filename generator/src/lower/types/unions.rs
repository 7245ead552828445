//! `oneOf` / `anyOf` -> Rust enums.
//!
//! With a `discriminator`, the tag property picks the variant (`mapping` first, else
//! the component name), and an unknown tag is kept as JSON instead of failing. Without
//! one, the enum is untagged: variants are tried in spec order. A `null` member makes
//! the whole type nullable instead of becoming a variant; one remaining member is just
//! that member's type.

use super::{SchemaRef, TypeLowering};
use crate::ir::{TypeKind, Union, UnionVariant};
use crate::naming::Scope;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

/// The members of a `oneOf`/`anyOf`, wherever openapiv3 put them.
fn members(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some(("oneOf", one_of)),
        SchemaKind::AnyOf { any_of } => Some(("anyOf", any_of)),
        SchemaKind::Any(any) if !any.one_of.is_empty() && any.properties.is_empty() => {
            Some(("oneOf", &any.one_of))
        }
        SchemaKind::Any(any) if !any.any_of.is_empty() && any.properties.is_empty() => {
            Some(("anyOf", &any.any_of))
        }
        _ => None,
    }
}

/// A member that only allows `null` (3.1's `{type: "null"}`, normalised to `nullable`).
fn is_null(member: &ReferenceOr<Schema>) -> bool {
    matches!(member, ReferenceOr::Item(s)
        if s.schema_data.nullable
            && matches!(&s.schema_kind, SchemaKind::Any(any)
                if any.typ.is_none() && any.properties.is_empty() && any.one_of.is_empty()
                    && any.any_of.is_empty() && any.all_of.is_empty() && any.items.is_none()))
}

pub fn has_null_member(schema: &Schema) -> bool {
    members(schema).is_some_and(|(_, m)| m.iter().any(is_null))
}

/// Index of the first member that is not `null`.
pub fn first_non_null(members: &[ReferenceOr<Schema>]) -> usize {
    members.iter().position(|m| !is_null(m)).unwrap_or(0)
}

/// `allOf: [X]`, `oneOf: [X]` and `oneOf: [X, null]` are all just X.
pub fn single_member(schema: &Schema) -> Option<SchemaRef<'_>> {
    if let SchemaKind::AllOf { all_of } = &schema.schema_kind {
        return (all_of.len() == 1).then(|| SchemaRef::from(&all_of[0]));
    }
    let (_, members) = members(schema)?;
    let mut non_null = members.iter().filter(|m| !is_null(m));
    let single = non_null.next()?;
    non_null.next().is_none().then(|| SchemaRef::from(single))
}

/// Two or more non-null members.
pub fn is_union(schema: &Schema) -> bool {
    members(schema).is_some_and(|(_, m)| m.iter().filter(|m| !is_null(m)).count() > 1)
}

impl TypeLowering<'_> {
    pub(super) fn lower_union_kind(
        &mut self,
        schema: &Schema,
        origin: &str,
        rust_name: &str,
    ) -> Option<TypeKind> {
        if !is_union(schema) {
            return None;
        }
        let (keyword, members) = members(schema)?;
        let mut names = Scope::new();
        let mut variants = Vec::new();
        for (index, member) in members.iter().enumerate() {
            if is_null(member) {
                continue;
            }
            let name = names.claim(&self.variant_name(member, index));
            let member_origin = format!("{origin}/{keyword}/{index}");
            let ty = self.lower(member, &member_origin, &format!("{rust_name}{name}"));
            variants.push(UnionVariant {
                rust_name: name,
                ty,
                boxed: false,
                tags: Vec::new(),
            });
        }
        let discriminator = schema.schema_data.discriminator.as_ref();
        let tagged = discriminator.and_then(|d| {
            let mut tagged = variants.clone();
            for (variant, member) in tagged
                .iter_mut()
                .zip(members.iter().filter(|m| !is_null(m)))
            {
                let ReferenceOr::Reference { reference } = member else {
                    return None;
                };
                variant.tags = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| *target == reference)
                    .map(|(tag, _)| tag.clone())
                    .collect();
                if variant.tags.is_empty() {
                    let component = reference.rsplit('/').next().unwrap_or(reference);
                    variant.tags.push(component.to_owned());
                }
            }
            Some(tagged)
        });
        Some(TypeKind::Union(match (discriminator, tagged) {
            (Some(d), Some(tagged)) => Union {
                variants: tagged,
                discriminator: Some(d.property_name.clone()),
                unknown_variant: Some(super::enums::unknown_name(&mut names)),
            },
            _ => Union {
                variants,
                discriminator: None,
                unknown_variant: None,
            },
        }))
    }

    /// A readable variant name: the component's name, the member's `title`, or its kind.
    fn variant_name(&self, member: &ReferenceOr<Schema>, index: usize) -> String {
        match member {
            ReferenceOr::Reference { reference } => {
                let component = reference.rsplit('/').next().unwrap_or(reference);
                self.naming.type_name(component)
            }
            ReferenceOr::Item(schema) => {
                if let Some(title) = &schema.schema_data.title {
                    return self.naming.type_name(title);
                }
                match &schema.schema_kind {
                    SchemaKind::Type(Type::String(_)) => "String".to_owned(),
                    SchemaKind::Type(Type::Integer(_)) => "Integer".to_owned(),
                    SchemaKind::Type(Type::Number(_)) => "Number".to_owned(),
                    SchemaKind::Type(Type::Boolean(_)) => "Boolean".to_owned(),
                    SchemaKind::Type(Type::Array(_)) => "Array".to_owned(),
                    SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => {
                        "Object".to_owned()
                    }
                    _ => format!("Variant{}", index + 1),
                }
            }
        }
    }
}
