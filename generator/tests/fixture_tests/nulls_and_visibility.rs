//! Behaviour of the `nulls_and_visibility` fixture's generated client on the wire
//! (hand-written test, copied into the fixture crate as `tests/behaviour.rs` and run
//! by `generator/tests/fixtures_compile.rs`): a nullable field is sent as `null`,
//! left out, or sent as a value; a read-only field is never sent; a response without
//! a write-only field decodes; a missing field takes its `default`; an integer enum
//! keeps a value it does not know; a `const` is sent without the caller setting it.

mod support;

use fixture_nulls_and_visibility::models::{
    Event, EventKind, Size, Widget, WidgetLevel, WidgetPatch, WidgetPriority, WidgetShape,
};
use fixture_nulls_and_visibility::runtime::Nullable;
use fixture_nulls_and_visibility::Client;
use serde_json::{json, Value};

use support::Recorder;

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .build()
        .expect("valid settings")
}

/// The JSON body of a raw request.
fn body(request: &str) -> Value {
    let body = request.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).expect("a JSON body")
}

#[tokio::test]
async fn a_patch_sends_null_leaves_out_absent_fields_and_never_sends_read_only_ones() {
    let recorder = Recorder::start().await;
    let client = client(recorder.url());
    // (the patch, the body on the wire)
    let cases = [
        (
            WidgetPatch {
                color: Nullable::Null,
                ..WidgetPatch::default()
            },
            json!({"color": null}),
        ),
        (WidgetPatch::default(), json!({})),
        (
            WidgetPatch {
                name: Some("w".to_owned()),
                color: "blue".to_owned().into(),
                size: Nullable::Value(Size::V4),
                ..WidgetPatch::default()
            },
            json!({"name": "w", "color": "blue", "size": 4}),
        ),
        (
            WidgetPatch {
                size: Nullable::Null,
                // Read-only: set by the server, so never sent, even when set here.
                id: Some("w1".to_owned()),
                ..WidgetPatch::default()
            },
            json!({"size": null}),
        ),
    ];
    for (patch, expected) in cases {
        let label = format!("{patch:?}");
        client
            .update_widget("w1", patch)
            .send()
            .await
            .expect("204 No Content");
        let request = recorder.take_one();
        assert!(request.starts_with("PATCH /widgets/w1 "), "{request}");
        assert_eq!(body(&request), expected, "{label}");
    }
}

#[tokio::test]
async fn a_widget_decodes_without_write_only_fields_with_defaults_and_unknown_enum_values() {
    // A response with neither the write-only `secret` (required in the spec) nor any
    // field that has a default.
    let sent = json!({
        "id": "w1",
        "name": "gear",
        "note": null,
        "color": null,
        "size": 8,
        "level": 10,
        "count": 4000000000u64,
        "total": 18446744073709551615u64,
    });
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{sent}",
        sent.to_string().len()
    );
    let recorder = Recorder::answering(response).await;
    let widget = client(recorder.url())
        .get_widget("w1")
        .send()
        .await
        .expect("the widget decodes")
        .into_inner();
    assert_eq!(widget.id.as_deref(), Some("w1"));
    assert_eq!(widget.secret, None);
    // A required nullable field is an `Option`; an optional one tells null from absent.
    assert_eq!(widget.note, None);
    assert_eq!(widget.color, Nullable::Null);
    assert_eq!(widget.tags, Nullable::Absent);
    // An integer enum keeps a value the spec does not list.
    assert!(
        matches!(widget.size, Some(Size::Unknown(value)) if value.value() == 8),
        "{:?}",
        widget.size
    );
    // So is one written without `type: integer`.
    assert_eq!(widget.level, Some(WidgetLevel::V10));
    // Unsigned formats hold values a signed type of their width cannot.
    assert_eq!(widget.count, Some(4_000_000_000_u32));
    assert_eq!(widget.total, Some(u64::MAX));
    // Missing fields take the spec's defaults.
    assert_eq!(widget.priority, Some(WidgetPriority::V2));
    assert_eq!(widget.shape, Some(WidgetShape::Round));
    assert_eq!(widget.label.as_deref(), Some("untitled"));
    assert_eq!(widget.visible, Some(true));
    assert_eq!(widget.ratio, Some(1.5));
    // A default that is not a plain value (a date) is documentation only.
    assert_eq!(widget.created, None);
}

#[test]
fn integer_enums_decode_known_and_unknown_values_and_send_them_back() {
    // (JSON, the value)
    let cases = [
        ("1", Size::V1),
        ("4", Size::V4),
        ("3", Size::from(3)),
        ("-7", Size::from(-7)),
    ];
    for (json, size) in cases {
        assert_eq!(serde_json::from_str::<Size>(json).unwrap(), size, "{json}");
        assert_eq!(serde_json::to_string(&size).unwrap(), json);
    }
    // A listed value is its variant however it is made; `Unknown` holds the others.
    assert_eq!(Size::from(4), Size::V4);
    assert!(matches!(Size::from(3), Size::Unknown(value) if value.value() == 3));
    // A present field keeps its value rather than the default.
    let widget: Widget = serde_json::from_value(json!({"name": "n", "priority": 9})).unwrap();
    assert_eq!(widget.priority, Some(WidgetPriority::from(9)));
}

#[tokio::test]
async fn a_const_is_sent_without_the_caller_setting_it() {
    let recorder = Recorder::start().await;
    client(recorder.url())
        .send_event(Event::new("changed"))
        .send()
        .await
        .expect("204 No Content");
    assert_eq!(
        body(&recorder.take_one()),
        json!({"kind": "widget.changed", "version": 2, "test": false, "name": "changed"})
    );
    assert_eq!(EventKind::VALUE, "widget.changed");
}

#[test]
fn a_const_decodes_when_absent_or_equal_and_not_when_different() {
    // (JSON, whether it decodes)
    let cases = [
        (json!({"name": "n"}), true),
        (json!({"name": "n", "kind": "widget.changed", "version": 2}), true),
        (json!({"name": "n", "kind": "widget.removed"}), false),
        (json!({"name": "n", "version": 3}), false),
        (json!({"name": "n", "test": true}), false),
    ];
    for (json, decodes) in cases {
        let decoded = serde_json::from_value::<Event>(json.clone());
        assert_eq!(decoded.is_ok(), decodes, "{json}: {decoded:?}");
    }
}
