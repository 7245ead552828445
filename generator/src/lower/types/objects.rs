//! Objects: `properties` (with `required`, `readOnly`/`writeOnly`, `default`),
//! `additionalProperties` kept beside them, and `allOf` merged into one struct.

use super::unions::is_annotation_only;
use super::{describe, escape, SchemaRef, TypeLowering};
use crate::ir::{Access, AdditionalField, Field, Struct, TypeRef};
use crate::naming::Scope;
use openapiv3::{AdditionalProperties, Schema, SchemaKind, Type};

/// An object's properties, gathered from the schema and any `allOf` members.
pub struct ObjectParts<'s> {
    /// `(wire name, schema, JSON pointer)` in spec order; a later `allOf` member's
    /// property replaces an earlier one of the same name.
    pub properties: Vec<(&'s str, SchemaRef<'s>, String)>,
    pub required: Vec<&'s str>,
    pub additional: Option<(&'s AdditionalProperties, String)>,
}

impl<'a> TypeLowering<'a> {
    /// The properties of an object schema, merging `allOf` members; `None` when the
    /// schema is not an object with properties (or an `allOf` member is not an object).
    pub(super) fn object_parts<'s>(
        &self,
        schema: &'s Schema,
        origin: &str,
    ) -> Option<ObjectParts<'s>>
    where
        'a: 's,
    {
        let mut parts = ObjectParts {
            properties: Vec::new(),
            required: Vec::new(),
            additional: None,
        };
        self.collect(schema, origin, &mut parts, 0)?;
        (!parts.properties.is_empty()).then_some(parts)
    }

    fn collect<'s>(
        &self,
        schema: &'s Schema,
        origin: &str,
        parts: &mut ObjectParts<'s>,
        depth: usize,
    ) -> Option<()>
    where
        'a: 's,
    {
        if depth > 16 {
            return None;
        }
        let (properties, required, additional) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                (&o.properties, &o.required, &o.additional_properties)
            }
            SchemaKind::Any(any)
                if any.typ.as_deref().is_none_or(|t| t == "object")
                    && (!any.properties.is_empty() || !any.all_of.is_empty()) =>
            {
                for (i, member) in any.all_of.iter().enumerate() {
                    self.collect_member(
                        member.into(),
                        &format!("{origin}/allOf/{i}"),
                        parts,
                        depth,
                    )?;
                }
                (&any.properties, &any.required, &any.additional_properties)
            }
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => {
                for (i, member) in all_of.iter().enumerate() {
                    self.collect_member(
                        member.into(),
                        &format!("{origin}/allOf/{i}"),
                        parts,
                        depth,
                    )?;
                }
                return Some(());
            }
            _ => return None,
        };
        for (name, property) in properties {
            let property_origin = format!("{origin}/properties/{}", escape(name));
            parts
                .properties
                .retain(|(existing, _, _)| *existing != name.as_str());
            parts
                .properties
                .push((name.as_str(), property.into(), property_origin));
        }
        parts.required.extend(required.iter().map(String::as_str));
        if let Some(additional) = additional {
            parts.additional = Some((additional, format!("{origin}/additionalProperties")));
        }
        Some(())
    }

    /// One `allOf` member: a `$ref` to an object component, an inline object, or a
    /// schema that only annotates (a description), which adds nothing.
    fn collect_member<'s>(
        &self,
        member: SchemaRef<'s>,
        origin: &str,
        parts: &mut ObjectParts<'s>,
        depth: usize,
    ) -> Option<()>
    where
        'a: 's,
    {
        match member {
            SchemaRef::Reference(reference) => {
                let (target, schema) = self.resolve_schema(reference)?;
                self.collect(schema, &target, parts, depth + 1)
            }
            SchemaRef::Item(schema) if is_annotation_only(schema) => Some(()),
            SchemaRef::Item(schema) => self.collect(schema, origin, parts, depth + 1),
        }
    }

    pub(super) fn lower_struct(&mut self, parts: ObjectParts<'_>, rust_name: &str) -> Struct {
        let mut field_names = Scope::new();
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (wire_name, schema, origin) in parts.properties {
            let hint = format!("{rust_name}{}", self.naming.type_name(wire_name));
            let ty = self.lower(schema, &origin, &hint);
            let (description, deprecated, access, default) = match schema {
                SchemaRef::Item(s) => (
                    describe(s),
                    s.schema_data.deprecated,
                    access(s),
                    s.schema_data.default.as_ref().map(|d| d.to_string()),
                ),
                SchemaRef::Reference(_) => (None, false, Access::ReadWrite, None),
            };
            fields.push(Field {
                wire_name: wire_name.to_owned(),
                rust_name: field_names.claim(&self.naming.value_name(wire_name)),
                ty,
                // A read-only field is absent from requests, a write-only one from responses.
                required: parts.required.contains(&wire_name) && access == Access::ReadWrite,
                description,
                deprecated,
                access,
                default,
                boxed: false,
            });
        }
        let additional = match parts.additional {
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Schema(values), origin)) => {
                let hint = format!("{rust_name}Value");
                Some(self.lower(values.as_ref(), &origin, &hint))
            }
            _ => None,
        }
        .map(|value| AdditionalField {
            rust_name: field_names.claim("additional_properties"),
            value,
        });
        Struct { fields, additional }
    }
}

fn access(schema: &Schema) -> Access {
    match (schema.schema_data.read_only, schema.schema_data.write_only) {
        (true, false) => Access::ReadOnly,
        (false, true) => Access::WriteOnly,
        _ => Access::ReadWrite,
    }
}
