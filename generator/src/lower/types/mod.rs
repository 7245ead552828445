//! Schemas -> [`TypeRef`]s and [`TypeDef`]s.
//!
//! Component schemas keep their names (`IModel`); inline objects, enums and unions are
//! named from their parent and property (`CreateIModel.extent` -> `CreateIModelExtent`,
//! `IModel.state` -> `IModelState`, array items get `Item`). All type names share one
//! [`Scope`], component names first, so an inline type never takes a component's name.
//! Objects and `allOf` are in [`objects`], enums in [`enums`], `oneOf`/`anyOf` in
//! [`unions`], and the recursion checks that run at the end in [`recursion`].

mod enums;
mod objects;
mod polymorphism;
mod recursion;
mod unions;

pub(super) use recursion::box_cycles;

use super::refs;
use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{TypeDef, TypeKind, TypeRef};
use crate::naming::{Naming, Scope};
use crate::source::references::PointedSchemas;
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Collects type definitions while schemas are lowered.
pub(super) struct TypeLowering<'a> {
    document: &'a OpenAPI,
    /// Schemas `$ref`s point at outside the components (see [`PointedSchemas`]).
    pointed: &'a PointedSchemas,
    naming: &'a Naming,
    scope: Scope,
    /// Component schema name -> Rust type name, decided before anything else is named.
    components: IndexMap<String, String>,
    /// Output order: a component's slot, then the inline types named after it.
    defs: Vec<Option<TypeDef>>,
    diagnostics: Vec<Diagnostic>,
    /// How many inline schemas deep the current lowering is (see [`MAX_INLINE_DEPTH`]).
    depth: usize,
    /// Inline schemas already given a type, by JSON pointer. A schema reached again
    /// (a shared request body, an `allOf` member merged into several structs, a
    /// recursive merge) is the same type: lowering it once keeps the work linear in the
    /// document, where copying it at every use can grow exponentially.
    inline_types: HashMap<String, TypeRef>,
    /// `allOf` members reached by `$ref`, merged, by pointer (see [`objects`]).
    merged_refs: HashMap<String, objects::MergedRef<'a>>,
    /// The `$ref`'d members being merged, to catch an `allOf` that includes itself.
    merging: Vec<String>,
    /// Base schemas with a discriminator and subtypes, by component name (see
    /// [`polymorphism`]).
    hierarchies: IndexMap<String, polymorphism::Hierarchy>,
}

/// Inline schemas nested deeper than this become `serde_json::Value` with a warning.
/// Real specs nest a handful of levels; the limit keeps lowering's recursion (a few
/// stack frames per level) far from the stack's end even in debug builds.
const MAX_INLINE_DEPTH: usize = 32;

/// A schema position, whether the document boxes it or not.
#[derive(Clone, Copy)]
pub(super) enum SchemaRef<'s> {
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
    pub(super) fn new(
        document: &'a OpenAPI,
        pointed: &'a PointedSchemas,
        naming: &'a Naming,
    ) -> Self {
        let reserved = [crate::naming::PRELUDE, crate::naming::CRATE_ROOT].concat();
        let mut scope = Scope::with_reserved(&reserved);
        let schemas = document.components.iter().flat_map(|c| c.schemas.iter());
        let error_body = super::error_body_component(document);
        let components = schemas
            .clone()
            .map(|(name, _)| {
                if let Some(renamed) = naming.renamed(&pointer(["components", "schemas", name])) {
                    return (name.clone(), scope.claim(renamed));
                }
                let mut rust_name = naming.type_name(name);
                // A schema named like a crate-root item (`Error`) takes its role
                // (`ErrorBody`), not a number, so `models::*` shadows nothing.
                if crate::naming::CRATE_ROOT.contains(&rust_name.as_str()) {
                    let is_error_body = error_body.as_deref() == Some(name.as_str());
                    rust_name.push_str(crate::naming::root_collision_suffix(is_error_body));
                }
                (name.clone(), scope.claim(&rust_name))
            })
            .collect();
        let mut this = Self {
            document,
            pointed,
            naming,
            scope,
            components,
            defs: Vec::new(),
            diagnostics: Vec::new(),
            depth: 0,
            inline_types: HashMap::new(),
            merged_refs: HashMap::new(),
            merging: Vec::new(),
            hierarchies: polymorphism::hierarchies(document),
        };
        for (name, schema) in schemas {
            this.lower_component(name, schema);
        }
        this
    }

    /// The type of component schema `name`, if the document has it.
    pub(super) fn component_type(&self, name: &str) -> Option<TypeRef> {
        self.components
            .get(name)
            .map(|rust| TypeRef::Named(rust.clone()))
    }

    /// The definitions in output order and the problems found. Recursive fields are
    /// not boxed yet: [`box_cycles`] runs once the final set of types is known.
    pub(super) fn finish(self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        let defs: Vec<TypeDef> = self.defs.into_iter().flatten().collect();
        let mut diagnostics = self.diagnostics;
        for pointer in self.naming.rename_pointers() {
            if !defs.iter().any(|def| def.origin == pointer) {
                diagnostics.push(
                    Diagnostic::warning(
                        pointer,
                        "`renames` names a type for this schema, but no type is generated here",
                    )
                    .with_hint(
                        "rename a schema that becomes a struct, enum or union, by its JSON pointer",
                    ),
                );
            }
        }
        diagnostics.extend(recursion::alias_cycles(&defs));
        (defs, diagnostics)
    }

    fn lower_component(&mut self, name: &str, schema: &ReferenceOr<Schema>) {
        let rust_name = self.components[name].clone();
        let origin = pointer(["components", "schemas", name]);
        crate::diagnostics::guard::at(&origin);
        let slot = self.defs.len();
        self.defs.push(None);
        let def = match SchemaRef::from(schema) {
            SchemaRef::Item(schema) => {
                let kind = match self.hierarchies.get(name).cloned() {
                    Some(hierarchy) => self.lower_hierarchy(&hierarchy),
                    None => self.lower_definition(schema, &origin, &rust_name),
                };
                TypeDef {
                    origin,
                    wire_name: name.to_owned(),
                    rust_name,
                    description: describe(schema),
                    deprecated: schema.schema_data.deprecated,
                    feature: None,
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
                    feature: None,
                    kind: TypeKind::Alias(target),
                }
            }
        };
        self.defs[slot] = Some(def);
    }

    /// The body of a named type: a struct, an enum, a union, or an alias.
    fn lower_definition(&mut self, schema: &Schema, origin: &str, rust_name: &str) -> TypeKind {
        if let Some(kind) = self.lower_lone_subtype(schema, rust_name) {
            return kind;
        }
        if let Some((key, single)) = unions::single_member(schema) {
            let member_origin = format!("{origin}/{key}");
            let nullable = schema.schema_data.nullable || unions::has_null_member(schema);
            return match single {
                // The member's own shape, under this name.
                SchemaRef::Item(member) if !nullable => {
                    self.lower_definition(member, &member_origin, rust_name)
                }
                member => {
                    let ty = self.lower(member, &member_origin, rust_name);
                    TypeKind::Alias(
                        if nullable && !matches!(ty, TypeRef::Nullable(_) | TypeRef::Json) {
                            TypeRef::Nullable(Box::new(ty))
                        } else {
                            ty
                        },
                    )
                }
            };
        }
        if let Some(parts) = self.object_parts(schema, origin) {
            return TypeKind::Struct(self.lower_struct(parts, rust_name));
        }
        if let Some(kind) = self.lower_enum_kind(schema) {
            return kind;
        }
        if let Some(kind) = self.lower_union_kind(schema, origin, rust_name) {
            return kind;
        }
        TypeKind::Alias(self.lower_anonymous(schema, origin, rust_name))
    }

    /// Lowers a schema in a position that needs a type; inline objects, enums and unions
    /// become new named types called `name_hint`.
    pub(super) fn lower<'s>(
        &mut self,
        schema: impl Into<SchemaRef<'s>>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        match schema.into() {
            SchemaRef::Reference(reference) => self.resolve_named(reference, origin),
            SchemaRef::Item(_) if self.depth >= MAX_INLINE_DEPTH => self.unsupported(
                origin,
                &format!("a schema nested more than {MAX_INLINE_DEPTH} levels deep"),
            ),
            SchemaRef::Item(schema) => {
                self.depth += 1;
                let ty = self.lower_inline(schema, origin, name_hint);
                self.depth -= 1;
                let nullable = schema.schema_data.nullable || unions::has_null_member(schema);
                if nullable && !matches!(ty, TypeRef::Json | TypeRef::Nullable(_)) {
                    TypeRef::Nullable(Box::new(ty))
                } else {
                    ty
                }
            }
        }
    }

    /// Convenience for operation code, which holds unboxed schemas.
    pub(super) fn lower_schema(
        &mut self,
        schema: &ReferenceOr<Schema>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        self.lower(schema, origin, name_hint)
    }

    fn lower_inline(&mut self, schema: &Schema, origin: &str, name_hint: &str) -> TypeRef {
        if let Some((key, single)) = unions::single_member(schema) {
            // `oneOf: [X, null]` and `allOf: [X]` are just X.
            return self.lower(single, &format!("{origin}/{key}"), name_hint);
        }
        if !self.needs_definition(schema, origin) {
            return self.lower_anonymous(schema, origin, name_hint);
        }
        if let Some(known) = self.inline_types.get(origin) {
            return known.clone();
        }
        let rust_name = self
            .scope
            .claim(self.naming.renamed(origin).unwrap_or(name_hint));
        // Before the body, so a schema that reaches itself refers to its own name.
        self.inline_types
            .insert(origin.to_owned(), TypeRef::Named(rust_name.clone()));
        let slot = self.defs.len();
        self.defs.push(None);
        let kind = self.lower_definition(schema, origin, &rust_name);
        self.defs[slot] = Some(TypeDef {
            origin: origin.to_owned(),
            wire_name: name_hint.to_owned(),
            rust_name: rust_name.clone(),
            description: describe(schema),
            deprecated: schema.schema_data.deprecated,
            feature: None,
            kind,
        });
        TypeRef::Named(rust_name)
    }

    /// Whether an inline schema gets a named type of its own.
    fn needs_definition(&mut self, schema: &Schema, origin: &str) -> bool {
        self.object_parts(schema, origin).is_some()
            || enums::is_enum(schema)
            || enums::const_value(schema).is_some()
            || unions::is_union(schema)
    }

    /// Types that need no definition of their own: scalars, arrays, maps, any JSON.
    fn lower_anonymous(&mut self, schema: &Schema, origin: &str, name_hint: &str) -> TypeRef {
        if let Some(fallback) = self.unmergeable(schema, origin) {
            return fallback;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                // Schemas lowered here are read from JSON, a form or a URL, where
                // binary data can only be a string. Raw bodies are `Bytes` without
                // reaching here (see `lower::operations`), so the decision is made once.
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::String,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => TypeRef::Uuid,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                // Unsigned formats only: `minimum: 0` bounds a signed type the
                // author chose (`int64`), and page sizes and offsets that say so
                // stay the `i64` pagination takes.
                VariantOrUnknownOrEmpty::Unknown(f) => match f.as_str() {
                    "uint8" => TypeRef::U8,
                    "uint16" => TypeRef::U16,
                    "uint32" => TypeRef::U32,
                    "uint64" => TypeRef::U64,
                    _ => TypeRef::I64,
                },
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                self.lower_array(array.items.as_ref(), origin, name_hint)
            }
            SchemaKind::Type(Type::Object(object)) => {
                self.lower_map(object.additional_properties.as_ref(), origin, name_hint)
            }
            SchemaKind::Any(any) if any.typ.as_deref() == Some("array") || any.items.is_some() => {
                self.lower_array(any.items.as_ref(), origin, name_hint)
            }
            SchemaKind::Any(any) if any.additional_properties.is_some() => {
                self.lower_map(any.additional_properties.as_ref(), origin, name_hint)
            }
            SchemaKind::Any(any) if any.typ.is_none() && is_unconstrained(any) => TypeRef::Json,
            SchemaKind::Any(any) => match any.typ.as_deref() {
                Some("string") => TypeRef::String,
                Some("integer") => TypeRef::I64,
                Some("number") => TypeRef::F64,
                Some("boolean") => TypeRef::Bool,
                Some("object") if is_unconstrained(any) => TypeRef::Map(Box::new(TypeRef::Json)),
                // `enum: [true, false]` without `type`: the values say boolean.
                None if enums::untyped_bool_enum(schema) => TypeRef::Bool,
                _ => self.unsupported(origin, "this combination of keywords"),
            },
            SchemaKind::AllOf { all_of } => self.lower_scalar_all_of(all_of, origin, name_hint),
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                self.unsupported(origin, "this oneOf/anyOf")
            }
            SchemaKind::Not { .. } => self.unsupported(origin, "not"),
        }
    }

    fn lower_array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        origin: &str,
        name_hint: &str,
    ) -> TypeRef {
        match items {
            Some(items) => {
                let item_origin = format!("{origin}/items");
                let hint = singular(name_hint);
                TypeRef::Vec(Box::new(self.lower(items, &item_origin, &hint)))
            }
            None => TypeRef::Vec(Box::new(TypeRef::Json)),
        }
    }

    /// A warning and the `serde_json::Value` fallback for a construct not supported yet.
    fn unsupported(&mut self, origin: &str, construct: &str) -> TypeRef {
        self.diagnostics.push(Diagnostic::warning(
            origin,
            format!("{construct} is not supported yet; using serde_json::Value"),
        ));
        TypeRef::Json
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

    /// A `$ref` to a component schema, or to a schema elsewhere in the document.
    fn resolve_named(&mut self, reference: &str, origin: &str) -> TypeRef {
        let component = refs::component_name(reference, "schemas");
        if let Some(ty) = component.as_deref().and_then(|n| self.component_type(n)) {
            return ty;
        }
        match self.pointed.get(reference) {
            Some(Some(schema)) => return self.lower_pointed(reference, schema),
            // Not a schema: `references` has said so.
            Some(None) => return TypeRef::Json,
            None => {}
        }
        let schemas = self.document.components.as_ref().map(|c| &c.schemas);
        let name = component.unwrap_or_else(|| reference.to_owned());
        let mut diagnostic = refs::dangling(reference, SCHEMA_PREFIX, &name, schemas);
        diagnostic.pointer = origin.to_owned();
        self.diagnostics.push(diagnostic);
        TypeRef::Json
    }

    /// A schema a `$ref` points at outside the components gets a named type of its
    /// own, as a component would, named after where it is
    /// (`#/components/schemas/Disk/properties/filesystem` -> `DiskFilesystem`), once
    /// per pointer however many references reach it.
    fn lower_pointed(&mut self, pointer: &str, schema: &'a Schema) -> TypeRef {
        if let Some(known) = self.inline_types.get(pointer) {
            return known.clone();
        }
        let hint = pointed_name(pointer);
        let rust_name = self.scope.claim(&self.naming.type_name(&hint));
        let named = TypeRef::Named(rust_name.clone());
        self.inline_types.insert(pointer.to_owned(), named.clone());
        let slot = self.defs.len();
        self.defs.push(None);
        let kind = self.lower_definition(schema, pointer, &rust_name);
        self.defs[slot] = Some(TypeDef {
            origin: pointer.to_owned(),
            wire_name: hint,
            rust_name,
            description: describe(schema),
            deprecated: schema.schema_data.deprecated,
            feature: None,
            kind,
        });
        named
    }

    /// Follows `$ref`s (up to 32 hops) to the schema they name, with its pointer.
    fn resolve_schema<'r>(&self, mut reference: &'r str) -> Option<(String, &'a Schema)>
    where
        'a: 'r,
    {
        let schemas = &self.document.components.as_ref()?.schemas;
        for _ in 0..32 {
            let Some(name) = refs::component_name(reference, "schemas") else {
                let schema = self.pointed.get(reference)??;
                return Some((reference.to_owned(), schema));
            };
            match schemas.get(&name)? {
                ReferenceOr::Item(schema) => {
                    return Some((pointer(["components", "schemas", name.as_str()]), schema))
                }
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }
}

fn is_unconstrained(any: &openapiv3::AnySchema) -> bool {
    any.one_of.is_empty()
        && any.all_of.is_empty()
        && any.any_of.is_empty()
        && any.not.is_none()
        && any.properties.is_empty()
        && any.enumeration.is_empty()
}

/// A type name for the schema at `pointer`, from the names along it: component and
/// property names, operation paths, `Item` for list items, `Value` for map values
/// (`#/paths/~1users~1{id}/get/responses/200/content/application~1json/schema/properties/address`
/// -> `users id get 200 address`).
fn pointed_name(pointer: &str) -> String {
    let segments: Vec<String> = pointer
        .trim_start_matches("#/")
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut words: Vec<String> = Vec::new();
    let mut iter = segments.iter().map(String::as_str).peekable();
    while let Some(segment) = iter.next() {
        match segment {
            "components" => {
                iter.next(); // the section
            }
            "paths" | "properties" | "patternProperties" | "definitions" | "$defs" | "schema"
            | "requestBody" | "responses" | "parameters" => {}
            "content" => {
                iter.next(); // the media type
            }
            "items" => words.push("Item".to_owned()),
            "additionalProperties" => words.push("Value".to_owned()),
            "allOf" | "oneOf" | "anyOf" | "prefixItems" => {
                iter.next_if(|index| index.parse::<usize>().is_ok());
            }
            other => words.extend(
                other
                    .split(['/', '{', '}'])
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned),
            ),
        }
    }
    words.join(" ")
}

/// The doc text for a schema: its description, else its title.
fn describe(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .or_else(|| unions::annotation(schema).map(str::to_owned))
}

/// The name of one item of a list called `plural`: `ErrorDetails` -> `ErrorDetail`,
/// `Entries` -> `Entry`; a name that is not a plural gets `Item` (`DataItem`).
fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    let keeps_s = ["ss", "us", "is", "Status"]
        .iter()
        .any(|end| plural.ends_with(end));
    match plural.strip_suffix('s') {
        Some(stem) if !keeps_s && !stem.is_empty() => stem.to_owned(),
        _ => format!("{plural}Item"),
    }
}

#[cfg(test)]
mod tests {
    use super::singular;

    #[test]
    fn list_items_are_named_in_the_singular() {
        assert_eq!(singular("ErrorErrorDetails"), "ErrorErrorDetail");
        assert_eq!(singular("Entries"), "Entry");
        assert_eq!(singular("Address"), "AddressItem");
        assert_eq!(singular("Status"), "StatusItem");
        assert_eq!(singular("ListResponse"), "ListResponseItem");
    }
}
