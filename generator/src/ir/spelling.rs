//! How the IR's types are written in Rust: one spelling per type, field, argument and
//! answer, which the emitter turns into code and `changes::surface` writes into
//! `api.yaml`. Both read it from here, so the code and the API summary cannot disagree
//! about what a caller sees; they differ only in how much of each path they write
//! ([`Paths`]).
//!
//! Prelude names (`Option`, `String`, `Vec`, `Box`) are written unqualified in code
//! too: the naming scope never hands them to a generated type.

use super::{AdditionalField, Field, Success, SuccessBody, TypeRef, UnionVariant};

/// How much of each path a spelling writes, which depends on where it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// Code in `models.rs`: dependencies' items by full path (`::uuid::Uuid`), so no
    /// generated name can shadow them; models by their bare name (`IModel`).
    InModels,
    /// Code anywhere else in the generated crate: models as `crate::models::IModel`.
    InCrate,
    /// The API summary: names as a reader knows them (`Uuid`, `DateTime<Utc>`,
    /// `IModel`), which is also what `changes::diff` compares across spec updates.
    Short,
}

impl Paths {
    /// `code` in generated code, `short` in the summary.
    fn pick(self, code: &'static str, short: &'static str) -> &'static str {
        match self {
            Self::InModels | Self::InCrate => code,
            Self::Short => short,
        }
    }

    /// A model, by its Rust name.
    fn model(self, name: &str) -> String {
        match self {
            Self::InCrate => format!("crate::models::{name}"),
            Self::InModels | Self::Short => name.to_owned(),
        }
    }

    /// A JSON object with string keys: `BTreeMap<String, value>`. Shared by
    /// [`TypeRef::Map`] and a struct's extra properties, which are the same map.
    fn map(self, value: &str) -> String {
        let map = self.pick("::std::collections::BTreeMap", "BTreeMap");
        format!("{map}<String, {value}>")
    }
}

impl TypeRef {
    /// The Rust type: `Vec<crate::models::IModel>` in code, `Vec<IModel>` in the summary.
    pub fn rust(&self, paths: Paths) -> String {
        let fixed = match self {
            Self::String => "String",
            Self::Bool => "bool",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::U8 => "u8",
            Self::U16 => "u16",
            Self::U32 => "u32",
            Self::U64 => "u64",
            Self::F32 => "f32",
            Self::F64 => "f64",
            Self::Uuid => paths.pick("::uuid::Uuid", "Uuid"),
            Self::DateTime => paths.pick("::chrono::DateTime<::chrono::Utc>", "DateTime<Utc>"),
            Self::Date => paths.pick("::chrono::NaiveDate", "NaiveDate"),
            Self::Bytes => paths.pick("crate::runtime::Bytes", "Bytes"),
            // The summary keeps the crate name: a bare `Value` would say nothing.
            Self::Json => paths.pick("::serde_json::Value", "serde_json::Value"),
            Self::Vec(inner) => return format!("Vec<{}>", inner.rust(paths)),
            Self::Map(inner) => return paths.map(&inner.rust(paths)),
            Self::Nullable(inner) => return format!("Option<{}>", inner.rust(paths)),
            Self::Named(name) => return paths.model(name),
            Self::File => paths.pick("crate::runtime::FilePart", "FilePart"),
            Self::Body => paths.pick("crate::runtime::Body", "Body"),
            Self::AnyParts => paths.pick("crate::runtime::Parts", "Parts"),
            Self::Parts(name) => {
                return match paths {
                    Paths::Short => name.clone(),
                    Paths::InModels | Paths::InCrate => format!("crate::operations::{name}"),
                }
            }
        };
        fixed.to_owned()
    }

    /// Whether an argument of this type takes `impl Into<T>` (and so needs `.into()` to
    /// become the stored `T`): strings, so `&str` works, and bytes and raw bodies, so
    /// `Vec<u8>` and `&'static [u8]` do. The one rule behind [`Self::argument`] and the
    /// conversion.
    pub fn converts_argument(&self) -> bool {
        matches!(self, Self::String | Self::Bytes | Self::Body)
    }

    /// The type a caller passes for an input of this type (a `Client` method's
    /// argument, a setter's value, a constructor's field): `impl Into<String>`.
    pub fn argument(&self, paths: Paths) -> String {
        let stored = self.rust(paths);
        if self.converts_argument() {
            format!("impl Into<{stored}>")
        } else {
            stored
        }
    }
}

impl Field {
    /// The Rust field's type: `Option<T>` when [`Field::is_option`] (a `Nullable` is
    /// that same `Option`, not a second one), `runtime::Nullable<T>` instead when
    /// [`Field::is_tri_state`], `Box<T>` inside it when recursive.
    pub fn declared(&self, paths: Paths) -> String {
        let inner = match &self.ty {
            TypeRef::Nullable(inner) => inner.as_ref(),
            other => other,
        };
        let mut ty = inner.rust(paths);
        if self.boxed {
            ty = format!("Box<{ty}>");
        }
        if self.is_tri_state() {
            let nullable = paths.pick("crate::runtime::Nullable", "Nullable");
            ty = format!("{nullable}<{ty}>");
        } else if self.is_option() {
            ty = format!("Option<{ty}>");
        }
        ty
    }
}

impl AdditionalField {
    /// The flattened map's type: `BTreeMap<String, T>`.
    pub fn declared(&self, paths: Paths) -> String {
        paths.map(&self.value.rust(paths))
    }
}

impl UnionVariant {
    /// The variant's payload: `Box<T>` when recursive.
    pub fn declared(&self, paths: Paths) -> String {
        let ty = self.ty.rust(paths);
        if self.boxed {
            format!("Box<{ty}>")
        } else {
            ty
        }
    }
}

impl Success {
    /// What `send()` returns on success, the operation's `Output`:
    /// `ResponseValue<T>`, `ResponseValue<Bytes>`, `RawResponse`, or
    /// `ResponseValue<ByStatusEnum>`. The by-status enum lives in `operations.rs`, the
    /// only place code names it, so it has no path.
    pub fn output(&self, paths: Paths) -> String {
        let response_value = paths.pick("crate::ResponseValue", "ResponseValue");
        let body = match self {
            Self::Json { ty, .. } => ty.rust(paths),
            Self::Bytes { .. } => TypeRef::Bytes.rust(paths),
            Self::ByStatus { enum_name, .. } => enum_name.clone(),
            Self::Raw => return paths.pick("crate::RawResponse", "RawResponse").to_owned(),
        };
        format!("{response_value}<{body}>")
    }
}

impl SuccessBody {
    /// The payload of a by-status variant (`Created(T)`), `None` for an empty body.
    pub fn payload(&self, paths: Paths) -> Option<String> {
        match self {
            Self::Json(ty) => Some(ty.rust(paths)),
            Self::Bytes => Some(TypeRef::Bytes.rust(paths)),
            Self::Empty => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, StatusVariant};

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.to_owned())
    }

    #[test]
    fn types_are_spelled_in_full_for_code_and_short_for_the_summary() {
        let map_of_lists = TypeRef::Map(Box::new(TypeRef::Vec(Box::new(named("IModel")))));
        let nullable = TypeRef::Nullable(Box::new(named("IModel")));
        // (type, in models.rs, elsewhere in the crate, api.yaml)
        let cases = [
            (TypeRef::String, "String", "String", "String"),
            (TypeRef::Uuid, "::uuid::Uuid", "::uuid::Uuid", "Uuid"),
            (
                TypeRef::DateTime,
                "::chrono::DateTime<::chrono::Utc>",
                "::chrono::DateTime<::chrono::Utc>",
                "DateTime<Utc>",
            ),
            (
                TypeRef::Json,
                "::serde_json::Value",
                "::serde_json::Value",
                "serde_json::Value",
            ),
            (
                map_of_lists,
                "::std::collections::BTreeMap<String, Vec<IModel>>",
                "::std::collections::BTreeMap<String, Vec<crate::models::IModel>>",
                "BTreeMap<String, Vec<IModel>>",
            ),
            (
                nullable,
                "Option<IModel>",
                "Option<crate::models::IModel>",
                "Option<IModel>",
            ),
        ];
        for (ty, in_models, in_crate, short) in cases {
            assert_eq!(ty.rust(Paths::InModels), in_models, "{ty:?}");
            assert_eq!(ty.rust(Paths::InCrate), in_crate, "{ty:?}");
            assert_eq!(ty.rust(Paths::Short), short, "{ty:?}");
        }
    }

    #[test]
    fn arguments_take_into_for_strings_and_bytes_only() {
        let cases = [
            (TypeRef::String, "impl Into<String>", true),
            (TypeRef::Bytes, "impl Into<crate::runtime::Bytes>", true),
            (TypeRef::Body, "impl Into<crate::runtime::Body>", true),
            (TypeRef::I64, "i64", false),
            (named("IModel"), "crate::models::IModel", false),
        ];
        for (ty, argument, converts) in cases {
            assert_eq!(ty.argument(Paths::InCrate), argument, "{ty:?}");
            assert_eq!(ty.converts_argument(), converts, "{ty:?}");
        }
    }

    #[test]
    fn fields_wrap_in_option_and_box_once() {
        let field = |ty: TypeRef, required: bool, boxed: bool| Field {
            wire_name: "node".to_owned(),
            rust_name: "node".to_owned(),
            ty,
            required,
            description: None,
            deprecated: false,
            access: Access::ReadWrite,
            default: None,
            boxed,
            default_value: None,
            constant: false,
        };
        let nullable = TypeRef::Nullable(Box::new(named("Node")));
        let list = TypeRef::Vec(Box::new(TypeRef::String));
        // (field, in models.rs, api.yaml)
        let cases = [
            (field(TypeRef::Uuid, true, false), "::uuid::Uuid", "Uuid"),
            (
                field(TypeRef::Uuid, false, false),
                "Option<::uuid::Uuid>",
                "Option<Uuid>",
            ),
            (field(list, false, false), "Vec<String>", "Vec<String>"),
            (
                field(nullable.clone(), true, true),
                "Option<Box<Node>>",
                "Option<Box<Node>>",
            ),
            (
                field(nullable, false, false),
                "crate::runtime::Nullable<Node>",
                "Nullable<Node>",
            ),
        ];
        for (field, in_models, short) in cases {
            assert_eq!(field.declared(Paths::InModels), in_models, "{field:?}");
            assert_eq!(field.declared(Paths::Short), short, "{field:?}");
        }
        let extra = AdditionalField {
            rust_name: "additional_properties".to_owned(),
            value: TypeRef::Json,
        };
        assert_eq!(
            extra.declared(Paths::InModels),
            "::std::collections::BTreeMap<String, ::serde_json::Value>"
        );
        assert_eq!(
            extra.declared(Paths::Short),
            "BTreeMap<String, serde_json::Value>"
        );
    }

    #[test]
    fn outputs_name_the_crate_in_code_only() {
        let by_status = Success::ByStatus {
            enum_name: "CreateIModelResponse".to_owned(),
            variants: vec![StatusVariant {
                status: 201,
                rust_name: "Created".to_owned(),
                body: SuccessBody::Bytes,
            }],
        };
        let json = Success::Json {
            ty: named("IModel"),
            statuses: vec![200],
            envelope: None,
        };
        // (success, elsewhere in the crate, api.yaml)
        let cases = [
            (
                json,
                "crate::ResponseValue<crate::models::IModel>",
                "ResponseValue<IModel>",
            ),
            (
                Success::Bytes {
                    statuses: vec![200],
                },
                "crate::ResponseValue<crate::runtime::Bytes>",
                "ResponseValue<Bytes>",
            ),
            (Success::Raw, "crate::RawResponse", "RawResponse"),
            (
                by_status,
                "crate::ResponseValue<CreateIModelResponse>",
                "ResponseValue<CreateIModelResponse>",
            ),
        ];
        for (success, in_crate, short) in cases {
            assert_eq!(success.output(Paths::InCrate), in_crate, "{success:?}");
            assert_eq!(success.output(Paths::Short), short, "{success:?}");
        }
        assert_eq!(
            SuccessBody::Bytes.payload(Paths::InCrate).as_deref(),
            Some("crate::runtime::Bytes")
        );
        assert_eq!(SuccessBody::Empty.payload(Paths::Short), None);
    }
}
