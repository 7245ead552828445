//! Long-running operations (see [`crate::ir::LongRunning`]): each gets an
//! `impl runtime::LongRunning<Client>` holding only what its spec says (where the
//! id is, what to poll, which states end the wait, what to fetch at the end).
//! `send_and_wait` itself is written once, over that trait, in `client.rs`, and
//! the polling loop is the runtime's.

use super::ident;
use crate::ir::{Api, IdSource, LongRunning, Operation};
use proc_macro2::TokenStream;
use quote::quote;

/// Whether any operation gets a waiter (then `client.rs` has `send_and_wait`).
pub(super) fn any(api: &Api) -> bool {
    api.operations.iter().any(|op| op.long_running.is_some())
}

/// `runtime::LongRunning` for a long-running operation.
pub(super) fn waiter(op: &Operation, api: &Api) -> Option<TokenStream> {
    let long_running = op.long_running.as_ref()?;
    let builder = ident(&op.builder_name);
    let poll_op = operation(api, &long_running.poll_method)?;
    let poll_builder = ident(&poll_op.builder_name);
    let poll = ident(&poll_op.rust_name);
    let result_op = long_running
        .result_method
        .as_ref()
        .and_then(|method| operation(api, method));
    let (finish_type, finish) = match result_op {
        Some(result) => {
            let result_builder = ident(&result.builder_name);
            let result_method = ident(&result.rust_name);
            (
                quote!(runtime::Then<#result_builder>),
                quote!(runtime::Then(client.#result_method(runtime::parse_id(id)?).operation)),
            )
        }
        None => (quote!(runtime::ReturnId), quote!(runtime::ReturnId)),
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
    // A wait that returns the id needs neither the client nor the id to finish.
    let finish_args = if result_op.is_some() {
        quote!(client: &Client, id: &str)
    } else {
        quote!(_: &Client, _: &str)
    };
    Some(quote! {
        impl runtime::LongRunning<Client> for #builder {
            type Poll = #poll_builder;
            type Finish = #finish_type;
            const WAIT: runtime::Wait = runtime::Wait {
                id: #id_source,
                state: runtime::StateField {
                    pointer: #pointer,
                    done: &[#(#done),*],
                    failed: &[#(#failed),*],
                },
                interval_ms: #interval,
                timeout_ms: #timeout,
            };
            fn poll(client: &Client, id: &str) -> Result<#poll_builder, runtime::Error> {
                Ok(client.#poll(runtime::parse_id(id)?).operation)
            }
            fn finish(#finish_args) -> Result<Self::Finish, runtime::Error> {
                Ok(#finish)
            }
        }
    })
}

/// `send_and_wait` and `send_and_wait_with` on every request whose operation is
/// long-running: emitted once, in `client.rs`, when the spec has such operations.
pub(super) fn request_methods() -> TokenStream {
    quote! {
        impl<O: runtime::LongRunning<Client>> Request<O> {
            /// Sends the request and waits for the operation it starts: takes the new
            /// id from the answer, polls until the operation is done, then returns what
            /// its result operation answers (or the id). The operation's method on
            /// [`Client`] says what it polls, how often and for how long. A failed
            /// state, or giving up at the timeout, is [`Error::Wait`](runtime::Error::Wait)
            /// with the last state seen. Dropping the future stops the wait.
            pub async fn send_and_wait(self) -> Result<<O::Finish as runtime::Finish>::Output, Error> {
                runtime::send_and_wait(&self.client, self.operation, self.options, None).await
            }

            /// [`Self::send_and_wait`] with another interval, backoff or timeout.
            pub async fn send_and_wait_with(self, policy: WaitPolicy) -> Result<<O::Finish as runtime::Finish>::Output, Error> {
                runtime::send_and_wait(&self.client, self.operation, self.options, Some(policy)).await
            }
        }
    }
}

fn operation<'a>(api: &'a Api, rust_name: &str) -> Option<&'a Operation> {
    api.operations.iter().find(|o| o.rust_name == rust_name)
}

/// The waiting paragraph of a long-running operation's `Client` method.
pub(super) fn waiting_doc(op: &Operation, api: &Api) -> Option<String> {
    let long_running = op.long_running.as_ref()?;
    let result = long_running
        .result_method
        .as_ref()
        .and_then(|method| operation(api, method));
    Some(describe(long_running, result))
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
            result.rust_name.trim_start_matches("r#")
        ),
        None => "then returns the id.".to_owned(),
    };
    format!(
        "Long-running: [`Request::send_and_wait`] sends the request and waits for the operation \
         it starts: takes the new id from {id}, polls [`Client::{poll}`](crate::Client::{poll}) every {interval} ms until `{pointer}` is {done}, \
         {finish}{failed} After {timeout} s it gives up with [`Error::Wait`](runtime::Error::Wait) \
         and the last state seen. Dropping the future stops the wait.",
        poll = long_running.poll_method.trim_start_matches("r#"),
        interval = long_running.interval_ms,
        pointer = long_running.state_pointer,
        done = quoted(&long_running.done),
        timeout = long_running.timeout_ms / 1000,
    )
}
