//! An operation's own error bodies -> [`ErrorBodies`]: where the non-2xx responses an
//! operation declares carry a JSON body that is not the crate-wide error body
//! ([`crate::ir::Api::error_body`]), the operation gets an enum of them by status
//! (`CreatePetError`), which a caller decodes from the `ApiError` it got. An
//! operation whose errors are all the crate-wide body (or carry none) gets nothing:
//! `ApiError::error_body` already gives it, so a document with one error schema
//! everywhere keeps its API as it was.
//!
//! A status is matched as OpenAPI says: its exact code, else its range (`4XX`),
//! else `default`; with no `default`, a status none covers is `Undeclared`.
//! Runs once the types are final (merged types are aliases of the kept one, and
//! are compared through them).

use crate::ir::{
    Api, BodyKind, ErrorBodies, ErrorVariant, StatusSpec, Success, TypeDef, TypeKind, TypeRef,
};
use crate::naming::Scope;
use std::collections::HashMap;

pub(super) fn resolve(api: &mut Api) {
    let by_name: HashMap<&str, &TypeDef> = api
        .types
        .iter()
        .map(|t| (t.rust_name.as_str(), t))
        .collect();
    let error_body = through_aliases(&api.error_body, &by_name);
    // Every name `operations.rs` has, which the enums must not take.
    let mut names = Scope::with_reserved(&["Client", "Request"]);
    for op in &api.operations {
        names.claim(&op.builder_name);
        if let Success::ByStatus { enum_name, .. } = &op.success {
            names.claim(enum_name);
        }
        if let Some(parts) = op.body.as_ref().and_then(|b| b.multipart.as_ref()) {
            names.claim(&parts.rust_name);
        }
        if let Some(headers) = &op.response_headers {
            names.claim(&headers.rust_name);
        }
    }
    let mut found = Vec::new();
    for (index, op) in api.operations.iter().enumerate() {
        let declared: Vec<(StatusSpec, Option<TypeRef>)> = op
            .responses
            .iter()
            .filter(|r| !r.status.is_success())
            .map(|r| {
                let json = r.content.iter().find_map(|c| match &c.body {
                    BodyKind::Json(ty) => Some(ty.clone()),
                    BodyKind::Bytes | BodyKind::Untyped => None,
                });
                (r.status.clone(), json)
            })
            .collect();
        let own = declared.iter().any(|(_, body)| {
            body.as_ref()
                .is_some_and(|ty| through_aliases(ty, &by_name) != error_body)
        });
        if !own {
            continue;
        }
        let order = |status: &StatusSpec| match status {
            StatusSpec::Code(_) => 0,
            StatusSpec::Range(_) => 1,
            StatusSpec::Default => 2,
        };
        let mut declared = declared;
        declared.sort_by_key(|(status, _)| order(status));
        let mut variant_names = Scope::with_reserved(&["Undeclared"]);
        let undeclared = !declared.iter().any(|(s, _)| *s == StatusSpec::Default);
        let variants = declared
            .into_iter()
            .map(|(status, body)| ErrorVariant {
                rust_name: variant_names.claim(&variant_name(&status)),
                status,
                body,
            })
            .collect();
        let op_name = op
            .builder_name
            .strip_suffix(crate::naming::OPERATION_SUFFIX)
            .unwrap_or(&op.builder_name);
        let enum_name = names.claim(&format!("{op_name}Error"));
        found.push((
            index,
            ErrorBodies {
                enum_name,
                variants,
                undeclared,
            },
        ));
    }
    for (index, errors) in found {
        api.operations[index].errors = Some(errors);
    }
}

/// The type `ty` names once aliases are followed (at most as many as there are types).
fn through_aliases(ty: &TypeRef, by_name: &HashMap<&str, &TypeDef>) -> TypeRef {
    let mut ty = ty.clone();
    for _ in 0..by_name.len() {
        let TypeRef::Named(name) = &ty else { break };
        match by_name.get(name.as_str()).map(|def| &def.kind) {
            Some(TypeKind::Alias(target)) => ty = target.clone(),
            _ => break,
        }
    }
    ty
}

/// `BadRequest`, `NotFound`... for a status's variant; `ClientError` and
/// `ServerError` for `4XX` and `5XX`; `Status418` otherwise.
fn variant_name(status: &StatusSpec) -> String {
    let code = match status {
        StatusSpec::Default => return "Default".to_owned(),
        StatusSpec::Range(3) => return "Redirection".to_owned(),
        StatusSpec::Range(4) => return "ClientError".to_owned(),
        StatusSpec::Range(5) => return "ServerError".to_owned(),
        StatusSpec::Range(digit) => return format!("Status{digit}XX"),
        StatusSpec::Code(code) => *code,
    };
    let name = match code {
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "ContentTooLarge",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        422 => "UnprocessableContent",
        423 => "Locked",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    };
    name.to_owned()
}
