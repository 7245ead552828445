//! String and integer enums; both keep values the spec does not list (yet).

use super::TypeLowering;
use crate::ir::{IntEnum, IntVariant, Literal, StringEnum, TypeKind, Variant};
use crate::naming::Scope;
use crate::source::normalize::CONST_MARKER;
use openapiv3::{Schema, SchemaKind, Type};

/// Names tried, in order, for the catch-all variant.
const UNKNOWN_NAMES: [&str; 3] = ["Unknown", "UnknownValue", "Other"];

/// Whether the schema is a string or integer enum.
pub(super) fn is_enum(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
        SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_some),
        SchemaKind::Any(_) => {
            untyped_int_enum(schema).is_some() || untyped_str_enum(schema).is_some()
        }
        _ => false,
    }
}

/// A schema that is only an `enum` (perhaps with a description, `format`, bounds or
/// `nullable`), with no `type` or with `type: kind`: nothing else shapes the value.
fn untyped_enum<'s>(schema: &'s Schema, kind: &str) -> Option<&'s openapiv3::AnySchema> {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return None;
    };
    let shaped = !any.properties.is_empty()
        || any.items.is_some()
        || any.additional_properties.is_some()
        || !any.one_of.is_empty()
        || !any.any_of.is_empty()
        || !any.all_of.is_empty()
        || any.not.is_some();
    let other_type = any.typ.as_deref().is_some_and(|t| t != kind);
    (!shaped && !other_type).then_some(any)
}

/// An enum of booleans written without `type: boolean` (`enum: [true, false]`),
/// nothing else shaping the value: a `bool` (not an enum type: two values, both known).
pub(super) fn untyped_bool_enum(schema: &Schema) -> bool {
    untyped_enum(schema, "boolean").is_some_and(|any| {
        let mut values = any.enumeration.iter().filter(|v| !v.is_null()).peekable();
        values.peek().is_some() && values.all(serde_json::Value::is_boolean)
    })
}

/// The values of an integer enum written without `type: integer` (only `enum: [1,
/// 2]`, or with `format`/bounds beside it): every value a whole number (`null` aside,
/// which makes it nullable) and nothing else that shapes the value.
fn untyped_int_enum(schema: &Schema) -> Option<Vec<i64>> {
    let any = untyped_enum(schema, "integer")?;
    let values: Option<Vec<i64>> = any
        .enumeration
        .iter()
        .filter(|v| !v.is_null())
        .map(serde_json::Value::as_i64)
        .collect();
    values.filter(|v| !v.is_empty())
}

/// The values of a string enum written without `type: string` (only `enum: [tag,
/// digest]`, perhaps with a description or `nullable`): every value a string (`null`
/// aside) and nothing else that shapes the value.
fn untyped_str_enum(schema: &Schema) -> Option<Vec<&str>> {
    let any = untyped_enum(schema, "string")?;
    let values: Option<Vec<&str>> = any
        .enumeration
        .iter()
        .filter(|v| !v.is_null())
        .map(serde_json::Value::as_str)
        .collect();
    values.filter(|v| !v.is_empty())
}

/// The value of a 3.1 `const` (a string, integer or boolean), which normalizing left
/// as a one-value `enum` marked [`CONST_MARKER`]. A one-value `enum` of a 3.0
/// document stays an open enum: it is as often a list that grows later as a constant.
pub(super) fn const_value(schema: &Schema) -> Option<Literal> {
    if !schema.schema_data.extensions.contains_key(CONST_MARKER) {
        return None;
    }
    fn single<T: Clone>(values: &[Option<T>]) -> Option<T> {
        match values {
            [Some(value)] => Some(value.clone()),
            _ => None,
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => single(&s.enumeration).map(Literal::Str),
        SchemaKind::Type(Type::Integer(i)) => single(&i.enumeration).map(Literal::Int),
        SchemaKind::Type(Type::Boolean(b)) => single(&b.enumeration).map(Literal::Bool),
        _ => None,
    }
}

impl TypeLowering<'_> {
    pub(super) fn lower_enum_kind(&mut self, schema: &Schema) -> Option<TypeKind> {
        if let Some(value) = const_value(schema) {
            return Some(TypeKind::Const(value));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if is_enum(schema) => {
                let mut values: Vec<&str> = Vec::new();
                for value in s.enumeration.iter().flatten() {
                    if !values.contains(&value.as_str()) {
                        values.push(value);
                    }
                }
                Some(TypeKind::Enum(self.lower_string_enum(&values)))
            }
            SchemaKind::Any(_) if untyped_str_enum(schema).is_some() => {
                let mut values: Vec<&str> = Vec::new();
                for value in untyped_str_enum(schema).unwrap_or_default() {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                Some(TypeKind::Enum(self.lower_string_enum(&values)))
            }
            SchemaKind::Type(Type::Integer(_)) | SchemaKind::Any(_) if is_enum(schema) => {
                let listed: Vec<i64> = match &schema.schema_kind {
                    SchemaKind::Type(Type::Integer(i)) => {
                        i.enumeration.iter().flatten().copied().collect()
                    }
                    _ => untyped_int_enum(schema).unwrap_or_default(),
                };
                let mut values: Vec<i64> = Vec::new();
                for value in &listed {
                    if !values.contains(value) {
                        values.push(*value);
                    }
                }
                Some(TypeKind::IntEnum(self.lower_int_enum(&values)))
            }
            _ => None,
        }
    }

    pub(super) fn lower_string_enum(&mut self, values: &[&str]) -> StringEnum {
        let mut names = Scope::new();
        let variants = values
            .iter()
            .map(|value| Variant {
                wire_value: (*value).to_owned(),
                rust_name: names.claim(&self.naming.type_name(value)),
            })
            .collect();
        StringEnum {
            variants,
            unknown_variant: unknown_name(&mut names),
        }
    }

    fn lower_int_enum(&mut self, values: &[i64]) -> IntEnum {
        let mut names = Scope::new();
        let variants = values
            .iter()
            .map(|value| IntVariant {
                value: *value,
                rust_name: names.claim(&self.naming.type_name(&value.to_string())),
            })
            .collect();
        IntEnum {
            variants,
            unknown_variant: unknown_name(&mut names),
        }
    }
}

pub(super) fn unknown_name(names: &mut Scope) -> String {
    UNKNOWN_NAMES
        .into_iter()
        .find(|n| !names.is_taken(n))
        .map(|n| names.claim(n))
        .unwrap_or_else(|| names.claim("Unknown"))
}
