//! Long-running operations: the `x-long-running` extension of an operation (an
//! overlay can add it) -> [`LongRunning`], from which emit writes a waiter.
//!
//! ```yaml
//! x-long-running:
//!   poll: GetCreateIModelOperationDetails   # operationId polled with the new id
//!   id: {header: Location}                  # or {body: /iModel/id} (JSON pointer)
//!   state: /createOperation/state           # JSON pointer into the poll answer
//!   done: [successful]
//!   failed: [failed]
//!   result: GetIModel                       # optional: fetched once done
//!   interval: 1000                          # optional, milliseconds
//!   timeout: 300000                         # optional, milliseconds
//! ```
//!
//! A declaration that does not fit (an unknown operation, a poll operation that
//! does not take exactly one argument) is a located warning and no waiter.

use crate::diagnostics::Diagnostic;
use crate::ir::{IdSource, LongRunning, Operation};
use openapiv3::OpenAPI;
use serde::Deserialize;

/// The extension's name on an operation object.
pub(super) const EXTENSION: &str = "x-long-running";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Declaration {
    poll: String,
    id: IdDeclaration,
    state: String,
    done: Vec<String>,
    #[serde(default)]
    failed: Vec<String>,
    result: Option<String>,
    interval: Option<u64>,
    timeout: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum IdDeclaration {
    Header(String),
    Body(String),
}

/// Fills in [`Operation::long_running`] wherever the document declares it.
pub(super) fn detect(document: &OpenAPI, operations: &mut [Operation]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let declared = super::operation_extensions(document, EXTENSION);
    for (origin, value) in declared {
        let at = format!("{origin}/{EXTENSION}");
        match resolve(&value, operations) {
            Ok(long_running) => {
                if let Some(op) = operations.iter_mut().find(|op| op.origin == origin) {
                    op.long_running = Some(long_running);
                }
            }
            Err(message) => diagnostics.push(
                Diagnostic::warning(at, format!("{message}; no waiter is generated"))
                    .with_hint(format!(
                        "`{EXTENSION}` takes poll, id ({{header: NAME}} or {{body: /pointer}}), state, done, and optionally failed, result, interval and timeout (ms)"
                    )),
            ),
        }
    }
    diagnostics
}

fn resolve(value: &serde_json::Value, operations: &[Operation]) -> Result<LongRunning, String> {
    let declaration = Declaration::deserialize(value)
        .map_err(|error| format!("`{EXTENSION}` is not a valid declaration: {error}"))?;
    let single_argument = |wire_name: &str, role: &str| {
        let op = operations
            .iter()
            .find(|op| op.wire_name == wire_name)
            .ok_or_else(|| format!("its {role} operation `{wire_name}` is not in the document"))?;
        let arguments = op.params.iter().filter(|p| p.required).count()
            + usize::from(op.body.as_ref().is_some_and(|b| b.required));
        if arguments != 1 {
            return Err(format!(
                "its {role} operation `{wire_name}` takes {arguments} arguments, not just the new id"
            ));
        }
        Ok(op.rust_name.clone())
    };
    let poll_method = single_argument(&declaration.poll, "poll")?;
    let result_method = declaration
        .result
        .as_deref()
        .map(|result| single_argument(result, "result"))
        .transpose()?;
    if declaration.done.is_empty() {
        return Err("it lists no `done` state".to_owned());
    }
    if !declaration.state.starts_with('/') {
        return Err(format!(
            "`state` `{}` is not a JSON pointer",
            declaration.state
        ));
    }
    Ok(LongRunning {
        poll_method,
        result_method,
        id: match declaration.id {
            IdDeclaration::Header(name) => IdSource::Header(name),
            IdDeclaration::Body(pointer) => IdSource::Body(pointer),
        },
        state_pointer: declaration.state,
        done: declaration.done,
        failed: declaration.failed,
        interval_ms: declaration.interval.unwrap_or(1_000),
        timeout_ms: declaration.timeout.unwrap_or(300_000),
    })
}
