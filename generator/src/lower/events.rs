//! Webhooks and callbacks -> [`Event`]s: the requests the API sends to the caller's
//! server. The client has no method for them; their payloads (the request body and
//! each response with a JSON schema) become model types like an operation's, named
//! after the webhook (`NewPetBody`), or after the operation and the callback
//! (`SubscribeOnDataBody`), with the method when the path item has several.
//! Documents them in `models.rs` and lists them in `api.yaml`.
//!
//! 3.1's `webhooks` reach lowering under [`WEBHOOKS`] (`openapiv3` types only 3.0
//! fields and `x-` extensions); callbacks are the operations' own.

use super::operations::{declared_responses, parse_method};
use super::refs;
use super::types::TypeLowering;
use crate::diagnostics::pointer::escape;
use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{Event, EventSource, Operation, Payload, StatusSpec};
use crate::naming::Naming;
use crate::source::media::is_json_media;
use crate::source::oas31::WEBHOOKS;
use indexmap::IndexMap;
use openapiv3::{OpenAPI, PathItem, ReferenceOr};

/// The events of `document`: webhooks first, then the callbacks of each of
/// `operations`, in spec order.
pub(super) fn lower_events<'d>(
    document: &'d OpenAPI,
    operations: &[Operation],
    naming: &Naming,
    types: &mut TypeLowering<'d>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Event> {
    let mut lowering = EventLowering {
        document,
        naming,
        types,
        diagnostics,
        events: Vec::new(),
    };
    if let Some(webhooks) = document.extensions.get(WEBHOOKS) {
        let typed: Result<IndexMap<String, ReferenceOr<PathItem>>, _> =
            serde::Deserialize::deserialize(webhooks);
        match typed {
            Ok(webhooks) => {
                for (name, item) in &webhooks {
                    let origin = pointer(["webhooks", name.as_str()]);
                    let ReferenceOr::Item(item) = item else {
                        lowering.diagnostics.push(Diagnostic::warning(
                            origin,
                            "this webhook's `$ref` does not resolve to a path item; no types are generated for it",
                        ));
                        continue;
                    };
                    let source = |_: &str| EventSource::Webhook { name: name.clone() };
                    lowering.path_item(item, &origin, &naming.type_name(name), &source);
                }
            }
            Err(err) => lowering.diagnostics.push(Diagnostic::warning(
                "#/webhooks",
                format!("`webhooks` is not a map of valid path items ({err}); no types are generated for them"),
            )),
        }
    }
    for (path, item) in &document.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let op_origin = pointer(["paths", path.as_str(), method]);
            let Some(operation) = operations.iter().find(|o| o.origin == op_origin) else {
                continue;
            };
            for (name, callback) in &op.callbacks {
                for (expression, item) in callback {
                    let origin = format!(
                        "{op_origin}/callbacks/{}/{}",
                        escape(name),
                        escape(expression)
                    );
                    let prefix = format!(
                        "{}{}",
                        naming.type_name(&operation.wire_name),
                        naming.type_name(name)
                    );
                    let source = |_: &str| EventSource::Callback {
                        name: name.clone(),
                        expression: expression.clone(),
                        operation: operation.rust_name.clone(),
                    };
                    lowering.path_item(item, &origin, &prefix, &source);
                }
            }
        }
    }
    lowering.events
}

struct EventLowering<'a, 'd> {
    document: &'d OpenAPI,
    naming: &'a Naming,
    types: &'a mut TypeLowering<'d>,
    diagnostics: &'a mut Vec<Diagnostic>,
    events: Vec<Event>,
}

impl EventLowering<'_, '_> {
    fn path_item(
        &mut self,
        item: &PathItem,
        origin: &str,
        prefix: &str,
        source: &dyn Fn(&str) -> EventSource,
    ) {
        let several = item.iter().count() > 1;
        for (method, op) in item.iter() {
            let origin = format!("{origin}/{method}");
            crate::diagnostics::guard::at(&origin);
            let type_name = match several {
                true => format!("{prefix}{}", self.naming.type_name(method)),
                false => prefix.to_owned(),
            };
            let request = match &op.request_body {
                Some(body) => self.request(body, &origin, &type_name),
                None => Vec::new(),
            };
            let responses = self.responses(&op.responses, &origin, &type_name);
            self.events.push(Event {
                origin,
                source: source(method),
                method: parse_method(method),
                summary: op.summary.clone(),
                request,
                responses,
            });
        }
    }

    fn request(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        origin: &str,
        type_name: &str,
    ) -> Vec<Payload> {
        let origin = format!("{origin}/requestBody");
        let (ref_origin, body) = match refs::resolve_request_body(self.document, body) {
            Ok(found) => found,
            Err(mut diagnostic) => {
                diagnostic.pointer = origin;
                self.diagnostics.push(diagnostic);
                return Vec::new();
            }
        };
        let origin = ref_origin.unwrap_or(origin);
        self.content(&body.content, &origin, &format!("{type_name}Body"))
    }

    fn responses(
        &mut self,
        responses: &openapiv3::Responses,
        origin: &str,
        type_name: &str,
    ) -> Vec<(StatusSpec, Payload)> {
        let declared = declared_responses(responses);
        let several = responses.responses.len() + usize::from(responses.default.is_some()) > 1;
        let mut out = Vec::new();
        for (status, key, response) in declared {
            let at = format!("{origin}/responses/{}", escape(&key));
            let (ref_origin, response) = match refs::resolve_response(self.document, response) {
                Ok(found) => found,
                Err(mut diagnostic) => {
                    diagnostic.pointer = at;
                    self.diagnostics.push(diagnostic);
                    continue;
                }
            };
            let at = ref_origin.unwrap_or(at);
            let hint = match several {
                true => format!("{type_name}Response{}", self.naming.type_name(&key)),
                false => format!("{type_name}Response"),
            };
            for payload in self.content(&response.content, &at, &hint) {
                out.push((status.clone(), payload));
            }
        }
        out
    }

    /// A payload for each JSON media type with a schema.
    fn content(
        &mut self,
        content: &IndexMap<String, openapiv3::MediaType>,
        origin: &str,
        hint: &str,
    ) -> Vec<Payload> {
        content
            .iter()
            .filter(|(media_type, _)| is_json_media(media_type))
            .filter_map(|(media_type, media)| {
                let schema = media.schema.as_ref()?;
                let at = format!("{origin}/content/{}/schema", escape(media_type));
                Some(Payload {
                    media_type: media_type.clone(),
                    ty: self.types.lower_schema(schema, &at, hint),
                })
            })
            .collect()
    }
}
