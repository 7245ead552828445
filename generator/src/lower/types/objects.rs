//! Objects: `properties` (with `required`, `readOnly`/`writeOnly`, `default`),
//! `additionalProperties` kept beside them, and `allOf` merged into one struct.

use super::enums::{const_value, is_enum};
use super::unions::is_annotation_only;
use super::{describe, SchemaRef, TypeLowering};
use crate::diagnostics::pointer::escape;
use crate::diagnostics::Diagnostic;
use crate::ir::{Access, AdditionalField, Field, Literal, Struct, TypeRef};
use crate::naming::Scope;
use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, Schema, SchemaKind, Type};
use std::collections::HashSet;
use std::rc::Rc;

/// How many levels of `allOf` one object merges (a member's own `allOf` is the next
/// level). Inheritance in real documents is a few levels deep; a deeper chain is
/// `serde_json::Value`, since each level would copy every property above it.
pub(super) const MAX_ALLOF_DEPTH: usize = 16;

/// The longest property name a struct field is made for. serde's derive matches each
/// field's name as a byte-string pattern, which rustc expands byte by byte: its
/// memory grows with the square of the name (1.8 GB for 10,000 characters; a
/// 100,000-character name exhausted a 23 GB machine), where the longest names in
/// real documents are a few dozen characters.
pub(super) const MAX_PROPERTY_NAME_LEN: usize = 1024;

/// An object's properties, gathered from the schema and any `allOf` members.
#[derive(Clone)]
pub(super) struct ObjectParts<'s> {
    /// Wire name -> `(schema, JSON pointer)` in spec order; a later `allOf` member's
    /// property replaces an earlier one of the same name (and takes its own place).
    pub properties: IndexMap<&'s str, (SchemaRef<'s>, String)>,
    pub required: Vec<&'s str>,
    pub additional: Option<(&'s AdditionalProperties, String)>,
}

impl<'s> ObjectParts<'s> {
    fn new() -> Self {
        Self {
            properties: IndexMap::new(),
            required: Vec::new(),
            additional: None,
        }
    }

    /// Adds a member's merged parts, as if its properties were listed here.
    fn extend(&mut self, member: &ObjectParts<'s>) {
        for (name, property) in &member.properties {
            self.add_property(name, property.clone());
        }
        self.required.extend(member.required.iter().copied());
        if let Some(additional) = &member.additional {
            self.additional = Some(additional.clone());
        }
    }

    fn add_property(&mut self, name: &'s str, property: (SchemaRef<'s>, String)) {
        self.properties.shift_remove(name);
        self.properties.insert(name, property);
    }
}

/// What merging a schema's `allOf` gave.
pub(super) enum Merged<'s> {
    /// The parts, and how many levels of `allOf` they took.
    Object(ObjectParts<'s>, usize),
    /// Not an object, or an `allOf` member is not one.
    NotObject,
    /// An `allOf` that includes its own schema.
    Loop,
    /// More than [`MAX_ALLOF_DEPTH`] levels.
    TooDeep,
}

/// [`Merged`] for a schema reached by `$ref`, kept by pointer so each schema is
/// merged once however many schemas extend it: a chain of n schemas each extending
/// the last is n merges, and a diamond of them is not walked once per path.
#[derive(Clone)]
pub(super) enum MergedRef<'a> {
    Object(Rc<ObjectParts<'a>>, usize),
    NotObject,
    Loop,
    /// More levels than the number given: too deep when reached with that many left
    /// or fewer (a merge that starts nearer the chain's end may still fit).
    TooDeep(usize),
}

impl<'a> TypeLowering<'a> {
    /// The properties of an object schema, merging `allOf` members; `None` when the
    /// schema is not an object with properties (or its `allOf` cannot be merged).
    pub(super) fn object_parts<'s>(
        &mut self,
        schema: &'s Schema,
        origin: &str,
    ) -> Option<ObjectParts<'s>>
    where
        'a: 's,
    {
        match self.merge(schema, origin, MAX_ALLOF_DEPTH) {
            Merged::Object(parts, _) => (!parts.properties.is_empty()).then_some(parts),
            Merged::NotObject | Merged::Loop | Merged::TooDeep => None,
        }
    }

    /// `serde_json::Value` for an `allOf` that cannot be merged because it loops or
    /// nests too deep, with a warning where the problem is: an `allOf` too deep only
    /// because a member is itself too deep is reported once, at that member. `None`
    /// when the schema merges, has no `allOf`, or is not an object at all.
    pub(super) fn unmergeable(&mut self, schema: &Schema, origin: &str) -> Option<TypeRef> {
        let members = self.members(schema, origin);
        if members.is_empty() {
            return None;
        }
        let problem = match self.merge(schema, origin, MAX_ALLOF_DEPTH) {
            Merged::Object(..) | Merged::NotObject => return None,
            Merged::Loop => {
                "allOf that includes its own schema is not supported yet; using serde_json::Value"
                    .to_owned()
            }
            Merged::TooDeep => {
                let inherited = members.into_iter().any(|(member, at)| {
                    let member = match member {
                        SchemaRef::Reference(reference) => self.resolve_schema(reference),
                        SchemaRef::Item(item) => Some((at, item)),
                    };
                    member.is_some_and(|(at, member)| {
                        matches!(self.merge(member, &at, MAX_ALLOF_DEPTH), Merged::TooDeep)
                    })
                });
                if inherited {
                    return Some(TypeRef::Json);
                }
                format!(
                    "allOf nested more than {MAX_ALLOF_DEPTH} levels deep is not supported; \
                     this schema and every schema that extends it are serde_json::Value"
                )
            }
        };
        self.diagnostics.push(Diagnostic::warning(origin, problem));
        Some(TypeRef::Json)
    }

    /// The `allOf` members of an object schema, each with its pointer.
    fn members<'s>(&self, schema: &'s Schema, origin: &str) -> Vec<(SchemaRef<'s>, String)> {
        let all_of = match &schema.schema_kind {
            SchemaKind::Any(any) => &any.all_of,
            SchemaKind::AllOf { all_of } => all_of,
            _ => return Vec::new(),
        };
        all_of
            .iter()
            .enumerate()
            .map(|(i, member)| (member.into(), format!("{origin}/allOf/{i}")))
            .collect()
    }

    /// Merges `schema` (at `origin`) with its `allOf` members, `budget` levels deep
    /// at most.
    fn merge<'s>(&mut self, schema: &'s Schema, origin: &str, budget: usize) -> Merged<'s>
    where
        'a: 's,
    {
        let (properties, required, additional, members) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (
                Some(&o.properties),
                &o.required[..],
                o.additional_properties.as_ref(),
                &[][..],
            ),
            SchemaKind::Any(any)
                if any.typ.as_deref().is_none_or(|t| t == "object")
                    && (!any.properties.is_empty() || !any.all_of.is_empty()) =>
            {
                (
                    Some(&any.properties),
                    &any.required[..],
                    any.additional_properties.as_ref(),
                    &any.all_of[..],
                )
            }
            SchemaKind::AllOf { all_of } if all_of.len() > 1 => (None, &[][..], None, &all_of[..]),
            _ => return Merged::NotObject,
        };
        let mut parts = ObjectParts::new();
        let mut height = 0;
        let mut failure = None;
        for (i, member) in members.iter().enumerate() {
            let member_height = match SchemaRef::from(member) {
                SchemaRef::Item(member) if is_annotation_only(member) => continue,
                _ if budget == 0 => Err(Merged::TooDeep),
                SchemaRef::Reference(reference) => {
                    match self.merge_reference(reference, budget - 1) {
                        MergedRef::Object(member, member_height) => {
                            parts.extend(&member);
                            Ok(member_height)
                        }
                        MergedRef::NotObject => Err(Merged::NotObject),
                        MergedRef::Loop => Err(Merged::Loop),
                        MergedRef::TooDeep(_) => Err(Merged::TooDeep),
                    }
                }
                SchemaRef::Item(member) => {
                    match self.merge(member, &format!("{origin}/allOf/{i}"), budget - 1) {
                        Merged::Object(member, member_height) => {
                            parts.extend(&member);
                            Ok(member_height)
                        }
                        other => Err(other),
                    }
                }
            };
            match member_height {
                Ok(member_height) => height = height.max(member_height + 1),
                // A member that is not an object fails the merge at any depth.
                Err(problem @ (Merged::NotObject | Merged::Loop)) => return problem,
                Err(problem) => failure = failure.or(Some(problem)),
            }
        }
        if let Some(problem) = failure {
            return problem;
        }
        for (name, property) in properties.into_iter().flatten() {
            let property_origin = format!("{origin}/properties/{}", escape(name));
            parts.add_property(name, (property.into(), property_origin));
        }
        parts.required.extend(required.iter().map(String::as_str));
        if let Some(additional) = additional {
            parts.additional = Some((additional, format!("{origin}/additionalProperties")));
        }
        Merged::Object(parts, height)
    }

    /// A `$ref`'d `allOf` member, merged once per pointer.
    fn merge_reference(&mut self, reference: &str, budget: usize) -> MergedRef<'a> {
        let Some((target, schema)) = self.resolve_schema(reference) else {
            return MergedRef::NotObject;
        };
        match self.merged_refs.get(&target) {
            Some(MergedRef::Object(_, height)) if *height > budget => {
                return MergedRef::TooDeep(budget)
            }
            Some(MergedRef::TooDeep(deeper_than)) if budget <= *deeper_than => {
                return MergedRef::TooDeep(budget)
            }
            Some(MergedRef::TooDeep(_)) | None => {}
            Some(known) => return known.clone(),
        }
        if self.merging.contains(&target) {
            return MergedRef::Loop;
        }
        self.merging.push(target.clone());
        let merged = match self.merge(schema, &target, budget) {
            Merged::Object(parts, height) => MergedRef::Object(Rc::new(parts), height),
            Merged::NotObject => MergedRef::NotObject,
            Merged::Loop => MergedRef::Loop,
            Merged::TooDeep => MergedRef::TooDeep(budget),
        };
        self.merging.pop();
        self.merged_refs.insert(target, merged.clone());
        merged
    }

    pub(super) fn lower_struct(&mut self, parts: ObjectParts<'_>, rust_name: &str) -> Struct {
        let mut field_names = Scope::new();
        let mut fields = Vec::with_capacity(parts.properties.len());
        let required: HashSet<&str> = parts.required.iter().copied().collect();
        // A property too long to be a field still reaches the caller: its value is
        // kept in the struct's map of other properties, which the struct gets if it
        // has none.
        let mut left_out = false;
        for (wire_name, (schema, origin)) in parts.properties {
            if wire_name.len() > MAX_PROPERTY_NAME_LEN {
                self.diagnostics.push(Diagnostic::warning(
                    origin,
                    format!(
                        "a property name of {} characters is longer than the {MAX_PROPERTY_NAME_LEN} \
                         a generated struct can match on; it is not a field of its own, and its \
                         value is kept in the struct's `additional_properties` map",
                        wire_name.chars().count()
                    ),
                ));
                left_out = true;
                continue;
            }
            let hint = self.naming.child_type_name(rust_name, wire_name);
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
            let target = match schema {
                SchemaRef::Item(s) => Some(s),
                SchemaRef::Reference(reference) => self.resolve_schema(reference).map(|(_, s)| s),
            };
            // A nullable `const` (`null` or the value) stays an `Option` of it.
            let constant = !matches!(ty, TypeRef::Nullable(_))
                && target.is_some_and(|s| const_value(s).is_some());
            let default_value = match schema {
                SchemaRef::Item(s) if !constant => s
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(|d| default_literal(d, &ty, s)),
                _ => None,
            };
            fields.push(Field {
                wire_name: wire_name.to_owned(),
                rust_name: field_names.claim(&self.naming.value_name(wire_name)),
                ty,
                // A read-only field is absent from requests, a write-only one from responses.
                required: required.contains(wire_name) && access == Access::ReadWrite,
                description,
                deprecated,
                access,
                default,
                boxed: false,
                default_value,
                constant,
            });
        }
        let additional = match parts.additional {
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Schema(values), origin)) if !left_out => {
                let hint = format!("{rust_name}Value");
                Some(self.lower(values.as_ref(), &origin, &hint))
            }
            _ => left_out.then_some(TypeRef::Json),
        }
        .map(|value| AdditionalField {
            rust_name: field_names.claim("additional_properties"),
            value,
        });
        Struct {
            fields,
            additional,
            href: None,
        }
    }
}

fn access(schema: &Schema) -> Access {
    match (schema.schema_data.read_only, schema.schema_data.write_only) {
        (true, false) => Access::ReadOnly,
        (false, true) => Access::WriteOnly,
        _ => Access::ReadWrite,
    }
}

/// The spec's `default` as a value of the field's type `ty`, when it is one: a string
/// for a string or a string enum, a whole number in range for an integer type or an
/// integer enum, a number for a float, a boolean. `None` for anything else (dates,
/// objects, arrays, a value of the wrong kind), which stays documentation only.
fn default_literal(default: &serde_json::Value, ty: &TypeRef, schema: &Schema) -> Option<Literal> {
    use serde_json::Value;
    let ty = match ty {
        TypeRef::Nullable(inner) => inner.as_ref(),
        other => other,
    };
    let int_in = |min: i64, max: i64| {
        default
            .as_i64()
            .filter(|n| (min..=max).contains(n))
            .map(Literal::Int)
    };
    match (ty, default) {
        (TypeRef::String, Value::String(s)) => Some(Literal::Str(s.clone())),
        (TypeRef::Bool, Value::Bool(b)) => Some(Literal::Bool(*b)),
        (TypeRef::I32, _) => int_in(i32::MIN.into(), i32::MAX.into()),
        (TypeRef::I64, _) => int_in(i64::MIN, i64::MAX),
        (TypeRef::U8, _) => int_in(0, u8::MAX.into()),
        (TypeRef::U16, _) => int_in(0, u16::MAX.into()),
        (TypeRef::U32, _) => int_in(0, u32::MAX.into()),
        (TypeRef::U64, _) => int_in(0, i64::MAX),
        (TypeRef::F32 | TypeRef::F64, Value::Number(n)) => n.as_f64().map(Literal::Float),
        (TypeRef::Named(_), _) if is_enum(schema) => match (&schema.schema_kind, default) {
            (SchemaKind::Type(Type::String(_)), Value::String(s)) => Some(Literal::Str(s.clone())),
            (SchemaKind::Type(Type::Integer(_)), _) => int_in(i64::MIN, i64::MAX),
            _ => None,
        },
        _ => None,
    }
}
