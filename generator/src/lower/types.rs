//! Schemas -> [`TypeRef`]s and [`TypeDef`]s.
//!
//! Component schemas keep their names (`IModel`); inline objects and enums are named
//! from their parent and property (`CreateIModel.extent` -> `CreateIModelExtent`,
//! `IModel.state` -> `IModelState`, array items get `Item`). All type names share one
//! [`Scope`], component names first, so an inline type never takes a component's name.

use super::refs;
use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{Field, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Variant};
use crate::naming::{Naming, Scope};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Collects type definitions while schemas are lowered.
pub struct TypeLowering<'a> {
    document: &'a OpenAPI,
    naming: &'a Naming,
    scope: Scope,
    /// Component schema name -> Rust type name, decided before anything else is named.
    components: IndexMap<String, String>,
    /// Output order: a component's slot, then the inline types named after it.
    defs: Vec<Option<TypeDef>>,
    diagnostics: Vec<Diagnostic>,
}

/// A schema position, whether the document boxes it or not.
enum SchemaRef<'s> {
    Reference(&'s str),
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaRef<'s> {
    fn from(value: &'s ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Reference(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaRef<'s> {
    fn from(value: &'s ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Reference(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'a> TypeLowering<'a> {
    /// Names every component schema, then lowers them all in spec order.
    pub fn new(document: &'a OpenAPI, naming: &'a Naming) -> Self {
        let mut scope = Scope::with_reserved(crate::naming::PRELUDE);
        let schemas = document.components.iter().flat_map(|c| c.schemas.iter());
        let components = schemas
            .clone()
            .map(|(name, _)| (name.clone(), scope.claim(&naming.type_name(name))))
            .collect();
        let mut this = Self {
            document,
            naming,
            scope,
            components,
            defs: Vec::new(),
            diagnostics: Vec::new(),
        };
        for (name, schema) in schemas {
            this.lower_component(name, schema);
        }
        this
    }

    /// The type of component schema `name`, if the document has it.
    pub fn component_type(&self, name: &str) -> Option<TypeRef> {
        self.components
            .get(name)
            .map(|rust| TypeRef::Named(rust.clone()))
    }

    pub fn finish(self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        (self.defs.into_iter().flatten().collect(), self.diagnostics)
    }

    fn lower_component(&mut self, name: &str, schema: &ReferenceOr<Schema>) {
        let rust_name = self.components[name].clone();
        let origin = pointer(["components", "schemas", name]);
        let slot = self.defs.len();
        self.defs.push(None);
        let def = match SchemaRef::from(schema) {
            SchemaRef::Item(schema) => {
                let kind = self.lower_definition(schema, &origin, &rust_name);
                TypeDef {
                    origin,
                    wire_name: name.to_owned(),
                    rust_name,
                    description: describe(schema),
                    deprecated: schema.schema_data.deprecated,
                    kind,
                }
            }
            SchemaRef::Reference(reference) => {
                let target = self.resolve_named(reference, &origin);
                TypeDef {
                    origin,
                    wire_name: name.to_owned(),
                    rust_name,
                    description: None,
                    deprecated: false,
                    kind: TypeKind::Alias(target),
                }
            }
        };
        self.defs[slot] = Some(def);
    }

    /// The body of a named type: a struct, an enum, or an alias of whatever the schema is.
    fn lower_definition(&mut self, schema: &Schema, origin: &str, rust_name: &str) -> TypeKind {
        if let Some(fields) = object_properties(schema) {
            return TypeKind::Struct(self.lower_struct(fields, origin, rust_name));
        }
        if let SchemaKind::Type(Type::String(s)) = &schema.schema_kind {
            if !s.enumeration.is_empty() {
                let values: Vec<&str> =
                    s.enumeration.iter().flatten().map(String::as_str).collect();
                // A nullable enum is the enum; the field that uses it carries the Option.
                return TypeKind::Enum(self.lower_enum(&values));
            }
        }
        TypeKind::Alias(self.lower_anonymous(schema, origin, rust_name))
    }

    /// Lowers a schema in a position that needs a type; inline objects and enums become
    /// new named types called `name_hint`.
    fn lower<'s>(
        &mut self,
        schema: impl Into<SchemaRef<'s>>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        match schema.into() {
            SchemaRef::Reference(reference) => self.resolve_named(reference, origin),
            SchemaRef::Item(schema) => {
                let ty = self.lower_inline(schema, origin, name_hint);
                if schema.schema_data.nullable && !matches!(ty, TypeRef::Json) {
                    TypeRef::Nullable(Box::new(ty))
                } else {
                    ty
                }
            }
        }
    }

    /// Convenience for operation code, which holds unboxed schemas.
    pub fn lower_schema(
        &mut self,
        schema: &ReferenceOr<Schema>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        self.lower(schema, origin, name_hint)
    }

    fn lower_inline(&mut self, schema: &Schema, origin: &str, name_hint: &str) -> TypeRef {
        let needs_name = object_properties(schema).is_some()
            || matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty());
        if !needs_name {
            return self.lower_anonymous(schema, origin, name_hint);
        }
        let rust_name = self.scope.claim(name_hint);
        let slot = self.defs.len();
        self.defs.push(None);
        let kind = self.lower_definition(schema, origin, &rust_name);
        self.defs[slot] = Some(TypeDef {
            origin: origin.to_owned(),
            wire_name: name_hint.to_owned(),
            rust_name: rust_name.clone(),
            description: describe(schema),
            deprecated: schema.schema_data.deprecated,
            kind,
        });
        TypeRef::Named(rust_name)
    }

    /// Types that need no definition of their own: scalars, arrays, maps, any JSON.
    fn lower_anonymous(&mut self, schema: &Schema, origin: &str, name_hint: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Bytes,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => TypeRef::Uuid,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => {
                    let item_origin = format!("{origin}/items");
                    let hint = format!("{name_hint}Item");
                    TypeRef::Vec(Box::new(self.lower(items, &item_origin, &hint)))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(object)) => {
                self.lower_map(object.additional_properties.as_ref(), origin, name_hint)
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let inner_origin = format!("{origin}/allOf/0");
                self.lower(&all_of[0], &inner_origin, name_hint)
            }
            SchemaKind::Any(any) if any.typ.is_none() && any.additional_properties.is_some() => {
                self.lower_map(any.additional_properties.as_ref(), origin, name_hint)
            }
            SchemaKind::Any(any) if is_unconstrained(any) => TypeRef::Json,
            other => {
                let construct = match other {
                    SchemaKind::AllOf { .. } => "allOf with several schemas",
                    SchemaKind::OneOf { .. } => "oneOf",
                    SchemaKind::AnyOf { .. } => "anyOf",
                    SchemaKind::Not { .. } => "not",
                    _ => "this schema",
                };
                self.diagnostics.push(Diagnostic::warning(
                    origin,
                    format!("{construct} is not supported yet; using serde_json::Value"),
                ));
                TypeRef::Json
            }
        }
    }

    fn lower_map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(values)) => {
                let value_origin = format!("{origin}/additionalProperties");
                let hint = format!("{name_hint}Value");
                TypeRef::Map(Box::new(self.lower(values.as_ref(), &value_origin, &hint)))
            }
            _ => TypeRef::Map(Box::new(TypeRef::Json)),
        }
    }

    fn lower_struct(
        &mut self,
        (properties, required): (&Properties, &[String]),
        origin: &str,
        rust_name: &str,
    ) -> Struct {
        let mut field_names = Scope::new();
        let fields = properties
            .iter()
            .map(|(wire_name, schema)| {
                let field_origin = format!("{origin}/properties/{}", escape(wire_name));
                let hint = format!("{rust_name}{}", self.naming.type_name(wire_name));
                let ty = self.lower(schema, &field_origin, &hint);
                let (description, deprecated) = match SchemaRef::from(schema) {
                    SchemaRef::Item(s) => (describe(s), s.schema_data.deprecated),
                    SchemaRef::Reference(_) => (None, false),
                };
                Field {
                    wire_name: wire_name.clone(),
                    rust_name: field_names.claim(&self.naming.value_name(wire_name)),
                    ty,
                    required: required.contains(wire_name),
                    description,
                    deprecated,
                }
            })
            .collect();
        Struct { fields }
    }

    fn lower_enum(&mut self, values: &[&str]) -> StringEnum {
        let mut names = Scope::new();
        let variants: Vec<Variant> = values
            .iter()
            .map(|value| Variant {
                wire_value: (*value).to_owned(),
                rust_name: names.claim(&self.naming.type_name(value)),
            })
            .collect();
        let unknown_variant = ["Unknown", "UnknownValue", "Other"]
            .into_iter()
            .find(|n| !names.is_taken(n))
            .map(str::to_owned)
            .unwrap_or_else(|| names.claim("Unknown"));
        StringEnum {
            variants,
            unknown_variant,
        }
    }

    /// A `$ref` to a component schema.
    fn resolve_named(&mut self, reference: &str, origin: &str) -> TypeRef {
        let found = reference
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|name| self.component_type(name));
        match found {
            Some(ty) => ty,
            None => {
                let schemas = self.document.components.as_ref().map(|c| &c.schemas);
                let name = reference.strip_prefix(SCHEMA_PREFIX).unwrap_or(reference);
                let mut diagnostic = refs::dangling(reference, SCHEMA_PREFIX, name, schemas);
                diagnostic.pointer = origin.to_owned();
                self.diagnostics.push(diagnostic);
                TypeRef::Json
            }
        }
    }
}

/// `properties` of an object schema, as openapiv3 types them.
type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// The properties and `required` list of a schema that is an object with properties.
fn object_properties(schema: &Schema) -> Option<(&Properties, &[String])> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
            Some((&o.properties, &o.required))
        }
        // `properties` without `type: object` is still an object.
        SchemaKind::Any(any)
            if !any.properties.is_empty() && any.typ.as_deref().is_none_or(|t| t == "object") =>
        {
            Some((&any.properties, &any.required))
        }
        _ => None,
    }
}

fn is_unconstrained(any: &openapiv3::AnySchema) -> bool {
    any.one_of.is_empty() && any.all_of.is_empty() && any.any_of.is_empty() && any.not.is_none()
}

/// The doc text for a schema: its description, else its title.
fn describe(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
}

/// Escapes one JSON pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
