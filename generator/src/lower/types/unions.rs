//! `oneOf` / `anyOf` -> Rust enums.
//!
//! With a `discriminator`, the tag property picks the variant (`mapping` first, by
//! `$ref` or bare schema name, else the component name), and an unknown tag is kept
//! as JSON instead of failing. Members that are all subtypes of one base with a
//! discriminator are tagged by it (see [`super::polymorphism`]).
//!
//! Without a discriminator the enum is untagged, and the body picks the variant by
//! the properties it has: each object variant records its required and declared
//! properties (a [`VariantShape`]), and a body is tried first as the object variants
//! whose required properties it all has and that declare some of its properties,
//! the one declaring most of them first (ties: more required properties, then spec
//! order); then as the variants that are not plain objects (scalars, arrays, tagged
//! unions), in spec order; then as the object variants that declare none of its
//! properties; last as those it misses a required property of. The first that
//! decodes wins, so an object of optional fields no longer takes every body
//! (runtime `variant_order`).
//!
//! A `null` member makes the whole type nullable instead of becoming a variant; one
//! remaining member is just that member's type.

use super::{SchemaRef, TypeLowering};
use crate::ir::{TypeKind, Union, UnionVariant, VariantShape};
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

pub(super) fn has_null_member(schema: &Schema) -> bool {
    members(schema).is_some_and(|(_, m)| m.iter().any(is_null))
}

/// `allOf: [X]`, `allOf: [X, {description: ...}]`, `oneOf: [X]` and `oneOf: [X, null]`
/// are all just X. Returns X with its pointer segment (`allOf/0`).
///
/// The annotated form is how converted Swagger documents attach a property's own
/// description to a `$ref` (every AWS description does it); treating it as an object
/// to merge would copy X's properties inline, and X's own annotated references with
/// them, once per use.
pub(super) fn single_member(schema: &Schema) -> Option<(String, SchemaRef<'_>)> {
    if let SchemaKind::AllOf { all_of } = &schema.schema_kind {
        let mut shaping = all_of
            .iter()
            .enumerate()
            .filter(|(_, m)| !matches!(m, ReferenceOr::Item(s) if is_annotation_only(s)));
        let (index, single) = shaping.next()?;
        return shaping
            .next()
            .is_none()
            .then(|| (format!("allOf/{index}"), SchemaRef::from(single)));
    }
    let (keyword, members) = members(schema)?;
    let mut non_null = members.iter().enumerate().filter(|(_, m)| !is_null(m));
    let (index, single) = non_null.next()?;
    non_null
        .next()
        .is_none()
        .then(|| (format!("{keyword}/{index}"), SchemaRef::from(single)))
}

/// The description an annotation-only `allOf` member gives (see [`single_member`]).
pub(super) fn annotation(schema: &Schema) -> Option<&str> {
    let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
        return None;
    };
    all_of.iter().find_map(|member| match member {
        ReferenceOr::Item(s) if is_annotation_only(s) => s
            .schema_data
            .description
            .as_deref()
            .or(s.schema_data.title.as_deref()),
        _ => None,
    })
}

/// A schema with no type-shaping keywords (only `description`, `title`, `nullable`...).
pub(super) fn is_annotation_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(any)
        if any.typ.is_none()
            && any.properties.is_empty()
            && any.all_of.is_empty()
            && any.one_of.is_empty()
            && any.any_of.is_empty()
            && any.not.is_none()
            && any.items.is_none()
            && any.enumeration.is_empty()
            && any.additional_properties.is_none())
}

/// Tagged variants need no shape: the tag decides.
fn without_shapes(mut variants: Vec<UnionVariant>) -> Vec<UnionVariant> {
    for variant in &mut variants {
        variant.shape = None;
    }
    variants
}

/// Two or more non-null members.
pub(super) fn is_union(schema: &Schema) -> bool {
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
            let shape = self.variant_shape(member, &member_origin);
            variants.push(UnionVariant {
                rust_name: name,
                ty,
                boxed: false,
                tags: Vec::new(),
                shape,
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
                let component = reference.rsplit('/').next().unwrap_or(reference);
                variant.tags = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| {
                        *target == reference
                            || super::polymorphism::names_component(target, component)
                    })
                    .map(|(tag, _)| tag.clone())
                    .collect();
                if variant.tags.is_empty() {
                    let component = reference.rsplit('/').next().unwrap_or(reference);
                    variant.tags.push(component.to_owned());
                }
            }
            Some(tagged)
        });
        let tagged = tagged.map(without_shapes);
        let embedded = discriminator
            .is_none()
            .then(|| self.embedded_discriminator(members, &variants))
            .flatten();
        Some(TypeKind::Union(match (discriminator, tagged, embedded) {
            (Some(d), Some(tagged), _) => Union {
                variants: tagged,
                discriminator: Some(d.property_name.clone()),
                unknown_variant: Some(super::enums::unknown_name(&mut names)),
            },
            (None, _, Some((property, tagged))) => Union {
                variants: tagged,
                discriminator: Some(property),
                unknown_variant: Some(super::enums::unknown_name(&mut names)),
            },
            _ => Union {
                variants,
                discriminator: None,
                unknown_variant: None,
            },
        }))
    }

    /// Members that are all subtypes of bases with the same discriminator property
    /// (see [`super::polymorphism`]): that property and the variants with their
    /// inherited tags.
    fn embedded_discriminator(
        &self,
        members: &[ReferenceOr<Schema>],
        variants: &[UnionVariant],
    ) -> Option<(String, Vec<UnionVariant>)> {
        let mut property: Option<&str> = None;
        let mut tagged = variants.to_vec();
        for (variant, member) in tagged
            .iter_mut()
            .zip(members.iter().filter(|m| !is_null(m)))
        {
            let ReferenceOr::Reference { reference } = member else {
                return None;
            };
            let (inherited, tags) = self.inherited_tags(reference)?;
            if property.is_some_and(|p| p != inherited) {
                return None;
            }
            property = Some(inherited);
            variant.tags = tags.to_vec();
        }
        Some((property?.to_owned(), without_shapes(tagged)))
    }

    /// The properties an object member declares, for the untagged order.
    fn variant_shape(
        &mut self,
        member: &ReferenceOr<Schema>,
        origin: &str,
    ) -> Option<VariantShape> {
        let (at, schema) = match member {
            ReferenceOr::Reference { reference } => self.resolve_schema(reference)?,
            ReferenceOr::Item(schema) => (origin.to_owned(), schema),
        };
        let parts = self.object_parts(schema, &at)?;
        let mut required: Vec<String> = Vec::new();
        for name in &parts.required {
            if parts.properties.contains_key(name) && !required.iter().any(|r| r == name) {
                required.push((*name).to_owned());
            }
        }
        Some(VariantShape {
            required,
            properties: parts.properties.keys().map(|k| (*k).to_owned()).collect(),
        })
    }

    /// A readable variant name: the component's name, the member's `title`, or its kind.
    fn variant_name(&self, member: &ReferenceOr<Schema>, index: usize) -> String {
        match member {
            ReferenceOr::Reference { reference } => {
                let name = super::refs::component_name(reference, "schemas")
                    .unwrap_or_else(|| super::pointed_name(reference));
                self.naming.type_name(&name)
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
