//! One name, one item: the types of `models`, the structs of `operations` and the
//! crate root's items share the crate's public names.
//!
//! Models are named first (a component keeps its spec name; see [`crate::naming`] for
//! the crate-root and operation rules that keep the common cases apart), so what is
//! left is a struct of `operations` (an operation's inputs, its typed response
//! headers, its multipart parts) whose name a model or a root item already has. It
//! gets the first free numbered name and a warning at its operation.

use crate::diagnostics::Diagnostic;
use crate::ir::{Api, Success, TypeRef};
use crate::naming::Scope;

/// Renames every `operations` struct whose name is taken elsewhere in the crate.
pub(super) fn allocate(api: &mut Api) -> Vec<Diagnostic> {
    let mut names = Scope::with_reserved(crate::naming::CRATE_ROOT);
    for def in &api.types {
        names.claim(&def.rust_name);
    }
    let mut diagnostics = Vec::new();
    let mut claim = |name: &mut String, origin: &str, what: &str| {
        let claimed = names.claim(name);
        if claimed != *name {
            diagnostics.push(
                Diagnostic::warning(
                    origin,
                    format!(
                        "{what} would be `{name}`, a name this crate already gives \
                         another public item; it is `{claimed}`"
                    ),
                )
                .with_hint("rename the schema or the operationId so they differ"),
            );
            *name = claimed;
        }
    };
    for op in &mut api.operations {
        claim(&mut op.builder_name, &op.origin, "the operation's struct");
        if let Success::ByStatus { enum_name, .. } = &mut op.success {
            claim(enum_name, &op.origin, "its responses' enum");
        }
        if let Some(errors) = &mut op.errors {
            claim(&mut errors.enum_name, &op.origin, "its error bodies' enum");
        }
        if let Some(headers) = &mut op.response_headers {
            claim(
                &mut headers.rust_name,
                &op.origin,
                "its response headers' struct",
            );
        }
        if let Some(body) = &mut op.body {
            if let Some(parts) = &mut body.multipart {
                claim(
                    &mut parts.rust_name,
                    &op.origin,
                    "its multipart parts' struct",
                );
                body.ty = TypeRef::Parts(parts.rust_name.clone());
            }
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use crate::{RuntimeDependency, Settings};

    fn settings(renames: &[(&str, &str)]) -> Settings {
        Settings {
            command: "test".to_owned(),
            renames: renames
                .iter()
                .map(|(pointer, name)| ((*pointer).to_owned(), (*name).to_owned()))
                .collect(),
            runtime: RuntimeDependency::Vendored,
            ..Settings::new("names", "names.yaml")
        }
    }

    const SPEC: &str = r##"
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /pets:
    post:
      operationId: CreatePet
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/CreatePet' }
      responses:
        '201': { description: ok }
        default:
          description: failed
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Error' }
components:
  schemas:
    CreatePet:
      type: object
      properties:
        name: { type: string }
        home: { $ref: '#/components/schemas/Point' }
        away: { type: object, properties: { x: { type: number } } }
    CreatePetInput: { type: object, properties: { id: { type: string } } }
    Point: { type: object, properties: { x: { type: number } } }
    Client: { type: object, properties: { id: { type: string } } }
    Error:
      type: object
      properties:
        error:
          type: object
          properties:
            code: { type: string }
"##;

    fn lowered(renames: &[(&str, &str)]) -> (crate::ir::Api, crate::Diagnostics) {
        crate::lower_source(SPEC, &settings(renames)).unwrap_or_else(|d| panic!("{d}"))
    }

    fn type_names(api: &crate::ir::Api) -> Vec<&str> {
        api.types.iter().map(|t| t.rust_name.as_str()).collect()
    }

    #[test]
    fn one_name_per_item_across_the_crate() {
        let (api, warnings) = lowered(&[]);
        assert_eq!(
            type_names(&api),
            // `Error` is the error body, `Client` a root name: each takes its role.
            // `CreatePet.away` is a copy of `Point`: it is `Point`, no alias.
            [
                "CreatePet",
                "CreatePetInput",
                "Point",
                "ClientModel",
                "ErrorBody",
                "ErrorBodyError"
            ]
        );
        assert_eq!(
            api.error_body,
            crate::ir::TypeRef::Named("ErrorBody".to_owned())
        );
        // The operation's struct takes `Input`; a schema has that name already, so it
        // is numbered, with a warning at the operation.
        assert_eq!(api.operations[0].builder_name, "CreatePetInput2");
        let messages: Vec<String> = warnings
            .warnings()
            .map(|w| format!("{}: {}", w.pointer, w.message))
            .collect();
        assert_eq!(
            messages,
            [
                "#/paths/~1pets/post: the operation's struct would be `CreatePetInput`, a name \
              this crate already gives another public item; it is `CreatePetInput2`"
            ]
        );
    }

    #[test]
    fn renames_name_schemas_by_pointer_and_warn_when_unused() {
        let (api, warnings) = lowered(&[
            ("#/components/schemas/Error/properties/error", "ErrorInfo"),
            ("#/components/schemas/Point", "Coordinates"),
            ("#/components/schemas/Nowhere", "Nothing"),
        ]);
        let names = type_names(&api);
        assert!(
            names.contains(&"ErrorInfo") && names.contains(&"Coordinates"),
            "{names:?}"
        );
        assert!(!names.contains(&"ErrorBodyError") && !names.contains(&"Point"));
        let unused: Vec<&str> = warnings
            .warnings()
            .filter(|w| w.message.contains("renames"))
            .map(|w| w.pointer.as_str())
            .collect();
        assert_eq!(unused, ["#/components/schemas/Nowhere"]);
    }
}
