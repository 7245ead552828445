//! `send_and_wait` for long-running operations (see [`crate::ir::LongRunning`]):
//! what to poll, where the id and state are, and what to fetch at the end. The
//! polling loop itself is the runtime's (`runtime::start_and_wait`).

use super::docs::doc_attrs;
use super::ident;
use crate::ir::{Api, IdSource, LongRunning, Operation};
use proc_macro2::TokenStream;
use quote::quote;

/// The waiter methods on `Request<Op>` of a long-running operation.
pub fn waiter(op: &Operation, api: &Api) -> Option<TokenStream> {
    let long_running = op.long_running.as_ref()?;
    let builder = ident(&op.builder_name);
    let poll = ident(&long_running.poll_method);
    let result_op = long_running
        .result_method
        .as_ref()
        .and_then(|method| api.operations.iter().find(|o| &o.rust_name == method));
    let (output, finish) = match result_op {
        Some(result) => {
            let result_builder = ident(&result.builder_name);
            let result_method = ident(&result.rust_name);
            (
                quote!(<#result_builder as runtime::Operation>::Output),
                quote!(client.#result_method(runtime::parse_id(&id)?).send().await),
            )
        }
        None => (quote!(::std::string::String), quote!(Ok(id))),
    };
    let id_source = match &long_running.id {
        IdSource::Header(name) => quote!(runtime::IdSource::Header(#name)),
        IdSource::Body(pointer) => quote!(runtime::IdSource::Body(#pointer)),
    };
    let pointer = &long_running.state_pointer;
    let done = &long_running.done;
    let failed = &long_running.failed;
    let interval = proc_macro2::Literal::u64_unsuffixed(long_running.interval_ms);
    let timeout = proc_macro2::Literal::u64_unsuffixed(long_running.timeout_ms);
    let docs = doc_attrs([Some(describe(long_running, result_op))]);
    Some(quote! {
        impl Request<#builder> {
            #docs
            pub async fn send_and_wait(self) -> Result<#output, crate::Error> {
                let policy = crate::WaitPolicy::new()
                    .interval(::std::time::Duration::from_millis(#interval))
                    .timeout(::std::time::Duration::from_millis(#timeout));
                self.send_and_wait_with(policy).await
            }

            /// [`Self::send_and_wait`] with another interval, backoff or timeout.
            pub async fn send_and_wait_with(self, policy: crate::WaitPolicy) -> Result<#output, crate::Error> {
                let state = runtime::StateField {
                    pointer: #pointer,
                    done: &[#(#done),*],
                    failed: &[#(#failed),*],
                };
                let client = self.client;
                let id = runtime::start_and_wait(
                    &client.http,
                    self.operation,
                    self.options,
                    #id_source,
                    state,
                    &policy,
                    |id| Ok(client.#poll(runtime::parse_id(id)?).operation),
                )
                .await
                .map_err(runtime::Error::parse_body)?;
                #finish
            }
        }
    })
}

fn describe(long_running: &LongRunning, result: Option<&Operation>) -> String {
    let id = match &long_running.id {
        IdSource::Header(name) => format!("the `{name}` header of the answer"),
        IdSource::Body(pointer) => format!("`{pointer}` in the answer's body"),
    };
    let quoted = |states: &[String]| {
        states
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let failed = if long_running.failed.is_empty() {
        String::new()
    } else {
        format!(
            " A {} state ends it with [`Error::Wait`](runtime::Error::Wait).",
            quoted(&long_running.failed)
        )
    };
    let finish = match result {
        Some(result) => format!(
            "then returns what [`Client::{0}`](crate::Client::{0}) answers for it.",
            result.rust_name
        ),
        None => "then returns the id.".to_owned(),
    };
    format!(
        "Sends the request and waits for the operation it starts: takes the new id from {id}, \
         polls [`Client::{poll}`](crate::Client::{poll}) every {interval} ms until `{pointer}` is {done}, \
         {finish}{failed} After {timeout} s it gives up with [`Error::Wait`](runtime::Error::Wait) \
         and the last state seen. Dropping the future stops the wait.",
        poll = long_running.poll_method,
        interval = long_running.interval_ms,
        pointer = long_running.state_pointer,
        done = quoted(&long_running.done),
        timeout = long_running.timeout_ms / 1000,
    )
}
