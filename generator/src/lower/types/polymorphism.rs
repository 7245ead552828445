//! Inheritance with a discriminator: a component schema with a `discriminator`
//! whose subtypes extend it through `allOf: [{$ref: Base}, {...}]` (the usual way
//! to write inheritance) is, wherever it is used, a tagged enum of its subtypes.
//!
//! The subtypes are every component schema whose `allOf` reaches the base by `$ref`
//! (directly or through another subtype), in spec order, then the `mapping`'s
//! targets not found that way. A subtype's tags are the `mapping` keys that name it
//! (by `$ref` or by bare schema name), else its schema name. Each variant carries
//! the subtype's own struct, with the base's fields and its own. A tag this client
//! does not know (or a body without one) decodes as the catch-all variant, the JSON
//! kept as it came: never as another subtype, and never an error that would fail a
//! whole list because the API added a kind.
//!
//! A `oneOf`/`anyOf` without a discriminator of its own whose members are all
//! subtypes of one such base is tagged by the base's discriminator (the
//! "embedded" discriminator), see [`super::unions`].

use super::refs::component_name;
use super::SchemaRef;
use crate::ir::{TypeKind, TypeRef, Union, UnionVariant};
use crate::naming::Scope;
use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};
use std::collections::HashSet;

/// A base schema with a discriminator and the subtypes that extend it.
#[derive(Debug, Clone)]
pub(super) struct Hierarchy {
    /// The discriminator's property, on the wire.
    pub property: String,
    /// Subtype component names, each with the tags that select it.
    pub subtypes: Vec<(String, Vec<String>)>,
}

/// The component names a schema's `allOf` references directly.
fn parents(schema: &Schema) -> Vec<String> {
    let all_of = match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => all_of,
        SchemaKind::Any(any) => &any.all_of,
        _ => return Vec::new(),
    };
    all_of
        .iter()
        .filter_map(|member| match member {
            ReferenceOr::Reference { reference } => component_name(reference, "schemas"),
            ReferenceOr::Item(_) => None,
        })
        .collect()
}

/// The component a `mapping` value names: a `$ref` to a component, or its bare name.
fn mapping_target(target: &str) -> String {
    component_name(target, "schemas").unwrap_or_else(|| target.to_owned())
}

/// Whether the mapping value `target` names component `name`.
pub(super) fn names_component(target: &str, name: &str) -> bool {
    mapping_target(target) == name
}

/// Every base schema with a discriminator and at least one subtype, by component name.
pub(super) fn hierarchies(document: &OpenAPI) -> IndexMap<String, Hierarchy> {
    let Some(components) = &document.components else {
        return IndexMap::new();
    };
    let schemas = &components.schemas;
    let direct: IndexMap<&str, Vec<String>> = schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            ReferenceOr::Item(schema) => Some((name.as_str(), parents(schema))),
            ReferenceOr::Reference { .. } => None,
        })
        .collect();
    let mut found = IndexMap::new();
    for (base, schema) in schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(discriminator) = &schema.schema_data.discriminator else {
            continue;
        };
        if super::unions::is_union(schema) {
            continue;
        }
        // Descendants through `allOf`, in spec order.
        let mut below: HashSet<&str> = HashSet::from([base.as_str()]);
        let mut changed = true;
        while changed {
            changed = false;
            for (name, ups) in &direct {
                if !below.contains(name) && ups.iter().any(|up| below.contains(up.as_str())) {
                    below.insert(name);
                    changed = true;
                }
            }
        }
        let mut subtypes: Vec<String> = direct
            .keys()
            .filter(|name| **name != base && below.contains(**name))
            .map(|name| (*name).to_owned())
            .collect();
        for target in discriminator.mapping.values() {
            let target = mapping_target(target);
            if target != *base && schemas.contains_key(&target) && !subtypes.contains(&target) {
                subtypes.push(target);
            }
        }
        if subtypes.is_empty() {
            continue;
        }
        let subtypes = subtypes
            .into_iter()
            .map(|name| {
                let mut tags: Vec<String> = discriminator
                    .mapping
                    .iter()
                    .filter(|(_, target)| names_component(target, &name))
                    .map(|(tag, _)| tag.clone())
                    .collect();
                if tags.is_empty() {
                    tags.push(name.clone());
                }
                (name, tags)
            })
            .collect();
        found.insert(
            base.clone(),
            Hierarchy {
                property: discriminator.property_name.clone(),
                subtypes,
            },
        );
    }
    found
}

impl super::TypeLowering<'_> {
    /// The tagged enum a base schema with subtypes becomes.
    pub(super) fn lower_hierarchy(&mut self, hierarchy: &Hierarchy) -> TypeKind {
        let mut names = Scope::new();
        let variants = hierarchy
            .subtypes
            .iter()
            .map(|(component, tags)| {
                let ty = self.component_type(component).unwrap_or(TypeRef::Json);
                UnionVariant {
                    rust_name: names.claim(&self.naming.type_name(component)),
                    ty,
                    boxed: false,
                    tags: tags.clone(),
                    shape: None,
                }
            })
            .collect();
        TypeKind::Union(Union {
            variants,
            discriminator: Some(hierarchy.property.clone()),
            unknown_variant: Some(super::enums::unknown_name(&mut names)),
        })
    }

    /// A subtype that only extends a base with subtypes (`allOf: [{$ref: Base}]`,
    /// perhaps with a description): a struct of the base's fields, not an alias of
    /// the base (which is the enum this subtype is a variant of).
    pub(super) fn lower_lone_subtype(
        &mut self,
        schema: &Schema,
        rust_name: &str,
    ) -> Option<TypeKind> {
        let (_, SchemaRef::Reference(reference)) = super::unions::single_member(schema)? else {
            return None;
        };
        let base = component_name(reference, "schemas")?;
        if !self.hierarchies.contains_key(&base) {
            return None;
        }
        let (at, base_schema) = self.resolve_schema(reference)?;
        let parts = self.object_parts(base_schema, &at)?;
        Some(TypeKind::Struct(self.lower_struct(parts, rust_name)))
    }

    /// For a `oneOf`/`anyOf` member without a discriminator of its own: the
    /// discriminator property and tags of the base it is a subtype of.
    pub(super) fn inherited_tags(&self, reference: &str) -> Option<(&str, &[String])> {
        let name = component_name(reference, "schemas")?;
        self.hierarchies.values().find_map(|hierarchy| {
            hierarchy
                .subtypes
                .iter()
                .find(|(subtype, _)| *subtype == name)
                .map(|(_, tags)| (hierarchy.property.as_str(), tags.as_slice()))
        })
    }
}

/// The JSON type a non-object schema gives: `string`, `integer`, `number`,
/// `boolean`, `array`; `None` for objects and schemas without a type.
fn scalar_type(schema: &Schema) -> Option<&'static str> {
    use openapiv3::Type;
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Some("string"),
        SchemaKind::Type(Type::Integer(_)) => Some("integer"),
        SchemaKind::Type(Type::Number(_)) => Some("number"),
        SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
        SchemaKind::Type(Type::Array(_)) => Some("array"),
        SchemaKind::Any(any) if any.properties.is_empty() => match any.typ.as_deref()? {
            "string" => Some("string"),
            "integer" => Some("integer"),
            "number" => Some("number"),
            "boolean" => Some("boolean"),
            "array" => Some("array"),
            _ => None,
        },
        _ => None,
    }
}

impl super::TypeLowering<'_> {
    /// An `allOf` whose members are not all objects (`allOf: [{type: string},
    /// {type: string, minLength: 1}]`): a value must match every member, so members
    /// of one JSON type are that type, lowered from the member that says most (a
    /// `$ref`, else one with a `format` or `enum`, else the first); `integer` with
    /// `number` is an integer. Members of types no value has at once
    /// (`string` and `integer`) stay `serde_json::Value`, with a warning.
    pub(super) fn lower_scalar_all_of(
        &mut self,
        all_of: &[ReferenceOr<Schema>],
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        let mut typed = Vec::new();
        for (index, member) in all_of.iter().enumerate() {
            let schema = match member {
                ReferenceOr::Item(schema) if super::unions::is_annotation_only(schema) => continue,
                ReferenceOr::Item(schema) => schema,
                ReferenceOr::Reference { reference } => match self.resolve_schema(reference) {
                    Some((_, schema)) => schema,
                    None => {
                        return self.unsupported(origin, "allOf whose members are not all objects")
                    }
                },
            };
            let Some(ty) = self.json_type(schema, 8) else {
                return self.unsupported(origin, "allOf whose members are not all objects");
            };
            let says = match member {
                ReferenceOr::Reference { .. } => 2,
                ReferenceOr::Item(schema) if specific(schema) => 1,
                ReferenceOr::Item(_) => 0,
            };
            typed.push((index, ty, says));
        }
        let mut types: Vec<&str> = typed.iter().map(|(_, ty, _)| *ty).collect();
        types.sort_unstable();
        types.dedup();
        let wanted = match types.as_slice() {
            [one] => *one,
            ["integer", "number"] => "integer",
            [] => return TypeRef::Json,
            _ => {
                let listed = types.join(", ");
                let problem = format!("allOf of members no value can match at once ({listed})");
                let warning = format!("{problem}; using serde_json::Value");
                let diagnostic = crate::diagnostics::Diagnostic::warning(origin, warning);
                self.diagnostics.push(diagnostic);
                return TypeRef::Json;
            }
        };
        let Some((index, _, _)) = typed
            .iter()
            .filter(|(_, ty, _)| *ty == wanted)
            .max_by_key(|(index, _, says)| (*says, std::cmp::Reverse(*index)))
        else {
            return TypeRef::Json;
        };
        self.lower(
            &all_of[*index],
            &format!("{origin}/allOf/{index}"),
            name_hint,
        )
    }
}

impl super::TypeLowering<'_> {
    /// [`scalar_type`], through `$ref`s and `allOf`s whose members agree on one
    /// type, `depth` levels at most.
    fn json_type(&self, schema: &Schema, depth: usize) -> Option<&'static str> {
        if let Some(ty) = scalar_type(schema) {
            return Some(ty);
        }
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
            return None;
        };
        let depth = depth.checked_sub(1)?;
        let mut found = None;
        for member in all_of {
            let member = match member {
                ReferenceOr::Item(s) if super::unions::is_annotation_only(s) => continue,
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { reference } => self.resolve_schema(reference)?.1,
            };
            let ty = self.json_type(member, depth)?;
            if found.is_some_and(|f| f != ty) {
                return None;
            }
            found = Some(ty);
        }
        found
    }
}

/// A member with a `format` or `enum`: it says more than a bare `type`.
fn specific(schema: &Schema) -> bool {
    use openapiv3::{Type, VariantOrUnknownOrEmpty};
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            !matches!(s.format, VariantOrUnknownOrEmpty::Empty) || !s.enumeration.is_empty()
        }
        SchemaKind::Type(Type::Integer(i)) => {
            !matches!(i.format, VariantOrUnknownOrEmpty::Empty) || !i.enumeration.is_empty()
        }
        SchemaKind::Type(Type::Number(n)) => !matches!(n.format, VariantOrUnknownOrEmpty::Empty),
        SchemaKind::Any(any) => any.format.is_some() || !any.enumeration.is_empty(),
        _ => false,
    }
}
