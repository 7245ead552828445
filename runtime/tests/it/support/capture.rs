//! A minimal `tracing` subscriber that keeps the runtime's spans and events
//! as text, so tests can look at fields without a subscriber dependency.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Fields by name, values as `Debug` text.
pub type Fields = BTreeMap<String, String>;

#[derive(Default)]
pub struct Captured {
    pub spans: BTreeMap<u64, (String, Fields)>,
    pub events: Vec<Fields>,
}

#[derive(Clone, Default)]
pub struct Capture {
    next_id: Arc<AtomicU64>,
    pub captured: Arc<Mutex<Captured>>,
}

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Only this crate: hyper and friends have their own events.
        metadata.target().starts_with("openapi_client_runtime")
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = Fields::new();
        attributes.record(&mut Visitor(&mut fields));
        let name = attributes.metadata().name().to_owned();
        self.captured
            .lock()
            .expect("not poisoned")
            .spans
            .insert(id, (name, fields));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut captured = self.captured.lock().expect("not poisoned");
        if let Some((_, fields)) = captured.spans.get_mut(&span.into_u64()) {
            values.record(&mut Visitor(fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        event.record(&mut Visitor(&mut fields));
        self.captured
            .lock()
            .expect("not poisoned")
            .events
            .push(fields);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
