//! Timeouts and retries: which failures and methods are retried, how often,
//! how long the client waits (`Retry-After` included), that the body is
//! re-sent intact, per-call overrides, and the trace each call leaves.
//!
//! Through the runtime's own API: a [`TestClient`] and hand-written operations
//! (`GetItem`, `CreateItem`, `ListItems`) as a generated crate writes them, on
//! loopback servers. Hand-written.

use std::time::{Duration, Instant};

use openapi_client_runtime::{AccessToken, RequestOptions, RetryPolicy, StatusCode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    builder_for, client_for, failure, fast_retries, item_json, item_ok, received, script,
    unused_address, BareServer, Connection, CreateItem, Error, GetItem, ListItems, TestClient,
    OWNER, TOKEN,
};

async fn serve(server: &MockServer, verb: &str, responder: impl wiremock::Respond + 'static) {
    let route = if verb == "POST" {
        "/items".to_owned()
    } else {
        GetItem::path()
    };
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(responder)
        .mount(server)
        .await;
}

fn api_message(error: &Error) -> String {
    let Error::Api(api) = error else {
        panic!("expected Error::Api, got {error:?}");
    };
    api.body_text().into_owned()
}

// ------------------------------------------------------------------ Statuses

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    serve(&server, "GET", script([failure(503, "busy"), item_ok()])).await;
    let client = client_for(&server);

    let success = client.send(GetItem::new()).await.expect("retried");

    assert_eq!(success.status(), StatusCode::OK);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn each_retryable_status_is_retried() {
    for status in [429, 502, 503, 504] {
        let server = MockServer::start().await;
        serve(
            &server,
            "GET",
            script([failure(status, "transient"), item_ok()]),
        )
        .await;
        let client = client_for(&server);

        client.send(GetItem::new()).await.expect("retried");

        assert_eq!(received(&server).await.len(), 2, "status {status}");
    }
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 401, 404, 409, 500] {
        let server = MockServer::start().await;
        serve(&server, "GET", failure(status, "final")).await;
        let client = client_for(&server);

        let error = client.send(GetItem::new()).await.expect_err("error");

        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(received(&server).await.len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn max_attempts_is_respected_and_the_last_error_is_returned() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        script([
            failure(503, "attempt 1"),
            failure(503, "attempt 2"),
            failure(503, "attempt 3"),
            item_ok(),
        ]),
    )
    .await;
    let client = builder_for(&server)
        .retry_policy(fast_retries().max_attempts(3))
        .build()
        .expect("valid");

    let error = client.send(GetItem::new()).await.expect_err("gave up");

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(api_message(&error).contains("attempt 3"), "{error}");
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn the_default_policy_makes_four_attempts() {
    let server = MockServer::start().await;
    serve(&server, "GET", failure(503, "always")).await;
    // Default everything except the waiting, to keep the test fast.
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("valid");

    client.send(GetItem::new()).await.expect_err("gave up");

    assert_eq!(received(&server).await.len(), 4);
}

#[tokio::test]
async fn retries_can_be_disabled_per_client_and_per_call() {
    let server = MockServer::start().await;
    serve(&server, "GET", failure(503, "busy")).await;
    let disabled = builder_for(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid");
    let error = disabled.send(GetItem::new()).await.expect_err("503");
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(received(&server).await.len(), 1);

    let retrying = client_for(&server);
    let options = RequestOptions::new().retry(RetryPolicy::disabled());
    retrying
        .send_with(GetItem::new(), options)
        .await
        .expect_err("503");
    assert_eq!(
        received(&server).await.len(),
        2,
        "one more request, no retries"
    );
}

#[tokio::test]
async fn a_per_call_policy_overrides_the_clients() {
    let server = MockServer::start().await;
    serve(&server, "GET", script([failure(503, "busy"), item_ok()])).await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid");

    let options = RequestOptions::new().retry(fast_retries());
    let response = client
        .send_with(GetItem::new(), options)
        .await
        .expect("retried");

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(received(&server).await.len(), 2);
}

// --------------------------------------------------------------- Retry-After

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        script([
            failure(429, "slow down").insert_header("retry-after", "1"),
            item_ok(),
        ]),
    )
    .await;
    let client = client_for(&server);

    let started = Instant::now();
    client.send(GetItem::new()).await.expect("retried");
    let elapsed = started.elapsed();

    // fast_retries() would have waited 5 ms; the server asked for 1 s.
    assert!(
        elapsed >= Duration::from_millis(950),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "waited {elapsed:?}");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    serve(
        &server,
        "GET",
        script([
            failure(503, "maintenance").insert_header("retry-after", date.as_str()),
            item_ok(),
        ]),
    )
    .await;
    let client = client_for(&server);

    let started = Instant::now();
    client.send(GetItem::new()).await.expect("retried");
    let elapsed = started.elapsed();

    // The date has whole seconds, so "now + 2 s" is 1 to 2 s away.
    assert!(
        elapsed >= Duration::from_millis(900),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "waited {elapsed:?}");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_ends_the_retries_at_once() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        script([
            failure(503, "come back later").insert_header("retry-after", "120"),
            item_ok(),
        ]),
    )
    .await;
    let client = client_for(&server);

    let started = Instant::now();
    let error = client.send(GetItem::new()).await.expect_err("gave up");

    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}");
    };
    assert_eq!(api.headers()["retry-after"], "120");
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_anything_ends_the_retries_at_once() {
    // i64::MAX seconds, more than a u64 holds (once ignored, so the client
    // retried at once), a date in the year 9999: none is slept on, none panics.
    for retry_after in [
        "9223372036854775807",
        "99999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = MockServer::start().await;
        serve(
            &server,
            "GET",
            failure(503, "come back much later").insert_header("retry-after", retry_after),
        )
        .await;
        let started = Instant::now();
        let error = tokio::time::timeout(
            Duration::from_secs(10),
            client_for(&server).send(GetItem::new()),
        )
        .await
        .expect("no hang")
        .expect_err("gave up");
        assert!(started.elapsed() < Duration::from_secs(2), "{retry_after}");
        assert!(
            api_message(&error).contains("come back much later"),
            "{retry_after}: the answer is kept"
        );
        assert_eq!(received(&server).await.len(), 1, "{retry_after}");
    }
}

#[tokio::test]
async fn a_wait_that_would_pass_the_deadline_ends_the_call_with_the_last_answer() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        script([
            failure(503, "busy").insert_header("retry-after", "2"),
            item_ok(),
        ]),
    )
    .await;
    let client = builder_for(&server)
        .retry_policy(fast_retries().deadline(Duration::from_millis(500)))
        .build()
        .expect("valid");

    let started = Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(10), client.send(GetItem::new()))
        .await
        .expect("no hang")
        .expect_err("the 2 s wait does not fit in 500 ms");

    assert!(started.elapsed() < Duration::from_millis(400), "no sleep");
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let Error::Deadline(deadline) = &error else {
        panic!("expected Error::Deadline, got {error:?}");
    };
    assert_eq!(deadline.attempts(), 1);
    assert_eq!(deadline.deadline(), Duration::from_millis(500));
    let last = deadline.last_error().expect("the answer is kept");
    assert!(api_message(last).contains("busy"), "{last:?}");
    assert!(
        error
            .to_string()
            .starts_with("the call did not finish within its deadline of 500ms (1 attempt; the last finished one ended with: API returned 503"),
        "{error}"
    );
    assert_eq!(received(&server).await.len(), 1);
}

// ------------------------------------------------------------------- Methods

#[tokio::test]
async fn a_post_is_not_retried_by_default() {
    let server = MockServer::start().await;
    serve(&server, "POST", script([failure(503, "busy"), item_ok()])).await;
    let client = client_for(&server);

    let error = client.send(CreateItem::new()).await.expect_err("503");

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(received(&server).await.len(), 1);
}

/// A `429` means the server did not act on the request, so even a `POST` is
/// sent again, after the `Retry-After` the server asked for (and within the
/// policy). No timing: the policy's own backoff is 10 minutes, which the
/// deadline of 30 s cuts off at once (`Error::Deadline`, one request), so a
/// retry that happens at all waited what `Retry-After` said.
#[tokio::test]
async fn a_429_on_a_post_is_retried_after_its_retry_after() {
    let slow_down = |retry_after: Option<&str>| {
        let answer = failure(429, "slow down");
        match retry_after {
            Some(value) => answer.insert_header("retry-after", value),
            None => answer,
        }
    };
    let created = || ResponseTemplate::new(201).set_body_json(item_json());
    // (case, answers, policy max attempts, requests made, the final status or
    // `None` for the deadline)
    type Case = (&'static str, Vec<ResponseTemplate>, u32, usize, Option<u16>);
    let cases: [Case; 5] = [
        (
            "Retry-After: 0 is honoured",
            vec![slow_down(Some("0")), created()],
            4,
            2,
            Some(201),
        ),
        (
            "a date in the past is no wait",
            vec![
                slow_down(Some("Thu, 01 Jan 1970 00:00:00 GMT")),
                slow_down(Some("0")),
                created(),
            ],
            4,
            3,
            Some(201),
        ),
        (
            "within the policy's attempts",
            vec![slow_down(Some("0"))],
            3,
            3,
            Some(429),
        ),
        (
            "a Retry-After beyond max_delay ends the retries",
            vec![slow_down(Some("7200")), created()],
            4,
            1,
            Some(429),
        ),
        (
            "without Retry-After the policy's backoff would pass the deadline",
            vec![slow_down(None), created()],
            4,
            1,
            None,
        ),
    ];
    for (case, answers, attempts, requests, outcome) in cases {
        let server = MockServer::start().await;
        serve(&server, "POST", script(answers)).await;
        let policy = RetryPolicy::new()
            .max_attempts(attempts)
            .initial_backoff(Duration::from_secs(600))
            .max_delay(Duration::from_secs(3600))
            .deadline(Duration::from_secs(30));
        let client = builder_for(&server)
            .retry_policy(policy)
            .build()
            .expect("valid");

        let result = client.send(CreateItem::new()).await;

        match (outcome, &result) {
            (Some(201), Ok(success)) => assert_eq!(success.status(), 201, "{case}"),
            (Some(status), Err(error @ Error::Api(_))) => {
                assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{case}")
            }
            (None, Err(Error::Deadline(deadline))) => {
                assert_eq!(deadline.attempts(), 1, "{case}")
            }
            (expected, got) => panic!("{case}: expected {expected:?}, got {got:?}"),
        }
        let received = received(&server).await;
        assert_eq!(received.len(), requests, "{case}");
        let body = serde_json::to_vec(&CreateItem::new().body).expect("serialises");
        assert!(
            received.iter().all(|request| request.body == body),
            "{case}: the body is re-sent intact"
        );
    }
}

#[tokio::test]
async fn a_post_is_retried_with_the_same_body_when_opted_in() {
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        script([
            failure(503, "busy"),
            failure(429, "slow down"),
            ResponseTemplate::new(201).set_body_json(item_json()),
        ]),
    )
    .await;
    let client = builder_for(&server)
        .retry_policy(fast_retries().retry_non_idempotent(true))
        .build()
        .expect("valid");

    let success = client.send(CreateItem::new()).await.expect("retried");

    assert_eq!(success.status(), StatusCode::CREATED);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 3);
    let expected = serde_json::to_vec(&CreateItem::new().body).expect("serialises");
    for request in &requests {
        assert_eq!(request.body, expected, "the body is re-sent intact");
        assert_eq!(
            crate::support::header(request, "content-type"),
            Some("application/json")
        );
    }
}

// ----------------------------------------------------------------- Transport

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get() {
    let bare = BareServer::start(vec![Connection::Drop, Connection::Answer]);
    let client = TestClient::builder()
        .base_url(bare.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    let success = client.send(GetItem::new()).await.expect("retried");

    assert_eq!(success.status(), StatusCode::OK);
    assert_eq!(bare.requests().len(), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_not_retried_for_a_post() {
    let bare = BareServer::start(vec![Connection::Drop, Connection::Answer]);
    let client = TestClient::builder()
        .base_url(bare.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    let error = client.send(CreateItem::new()).await.expect_err("dropped");

    // The server may have acted on it, so the caller decides.
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(bare.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // Nothing listens at first; the server appears before the second attempt.
    let address = unused_address();
    let client = TestClient::builder()
        .base_url(format!("http://{address}"))
        .bearer_token(TOKEN)
        .retry_policy(fast_retries().initial_backoff(Duration::from_millis(600)))
        .build()
        .expect("valid");
    let started = Instant::now();
    let bare = BareServer::start_later(
        address,
        Duration::from_millis(300),
        vec![Connection::Answer],
    );

    // The bare server answers 200 to anything (undeclared for CreateItem, which
    // declares 201); what matters is that it was reached.
    let result = client.send(CreateItem::new()).await;
    let Err(Error::UndeclaredStatus(raw)) = result else {
        panic!("expected the bare server's 200: {result:?}");
    };
    assert_eq!(raw.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "no backoff, so the first attempt was not refused: {:?}",
        started.elapsed()
    );
    let requests = bare.requests();
    assert_eq!(requests.len(), 1, "the refused attempt never arrived");
    assert!(
        requests[0].starts_with("POST /items HTTP/1.1"),
        "{}",
        requests[0]
    );
}

#[tokio::test]
async fn a_refused_connection_gives_up_as_a_transport_error() {
    let address = unused_address();
    let client = TestClient::builder()
        .base_url(format!("http://{address}"))
        .bearer_token(TOKEN)
        .retry_policy(fast_retries().max_attempts(2))
        .build()
        .expect("valid");

    let error = client.send(GetItem::new()).await.expect_err("refused");

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(error.to_string(), "HTTP transport error: could not connect");
}

// ------------------------------------------------------------------ Timeouts

async fn slow_server() -> MockServer {
    let server = MockServer::start().await;
    serve(&server, "GET", item_ok().set_delay(Duration::from_secs(3))).await;
    serve(&server, "POST", item_ok().set_delay(Duration::from_secs(3))).await;
    server
}

#[tokio::test]
async fn the_client_timeout_fires() {
    let server = slow_server().await;
    let client = builder_for(&server)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid");

    let started = Instant::now();
    let error = client.send(GetItem::new()).await.expect_err("timed out");

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_per_call_timeout_replaces_the_clients() {
    let server = slow_server().await;
    // The client would wait 60 s; this call waits 200 ms.
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid");

    let started = Instant::now();
    let options = RequestOptions::new().timeout(Duration::from_millis(200));
    let error = client
        .send_with(GetItem::new(), options)
        .await
        .expect_err("timed out");

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_timed_out_get_is_retried_and_a_post_is_not() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        script([item_ok().set_delay(Duration::from_secs(3)), item_ok()]),
    )
    .await;
    serve(&server, "POST", item_ok().set_delay(Duration::from_secs(3))).await;
    let client = builder_for(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .expect("valid");

    client
        .send(GetItem::new())
        .await
        .expect("second attempt is fast");
    let error = client.send(CreateItem::new()).await.expect_err("timed out");

    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    let requests = received(&server).await;
    let count = |verb: &str| {
        requests
            .iter()
            .filter(|r| r.method.as_str() == verb)
            .count()
    };
    assert_eq!((count("GET"), count("POST")), (2, 1));
}

// ------------------------------------------------------------------- Tracing

#[tokio::test]
async fn each_call_is_one_span_with_a_retry_event_and_no_secrets() {
    let capture = crate::support::capture::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(script([
            failure(503, "busy"),
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "items": [] })),
        ]))
        .mount(&server)
        .await;
    let secret = "eyJ-very-secret-token";
    let client = TestClient::builder()
        .base_url(server.uri())
        .token_fn(move || std::future::ready(Ok(AccessToken::bearer(secret))))
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    client
        .send(ListItems {
            top: Some(5),
            ..ListItems::new()
        })
        .await
        .expect("retried");

    let captured = capture.captured.lock().expect("not poisoned");
    let spans: Vec<_> = captured
        .spans
        .values()
        .filter(|(name, _)| name == "api_request")
        .collect();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0].1;
    assert_eq!(fields["operation"], "ListItems");
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["path"], "/items");
    assert_eq!(fields["status"], "200");
    assert_eq!(fields["attempts"], "2");

    let retries: Vec<_> = captured
        .events
        .iter()
        .filter(|event| event.get("message").map(String::as_str) == Some("retrying"))
        .collect();
    assert_eq!(retries.len(), 1, "{:?}", captured.events);
    assert_eq!(retries[0]["attempt"], "1");
    assert_eq!(retries[0]["reason"], "status 503");
    assert_eq!(retries[0]["delay_ms"], "5");

    let everything = format!("{:?} {:?}", captured.spans, captured.events);
    for leak in [secret, OWNER, "$top", "127.0.0.1", "Bearer"] {
        assert!(
            !everything.contains(leak),
            "`{leak}` was traced: {everything}"
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_only_when_asked_and_classifiers_decide() {
    // (policy, statuses answered in turn, requests expected, call succeeds)
    let policies: [(&str, RetryPolicy, &[u16], usize, bool); 4] = [
        ("default", fast_retries(), &[500, 200], 1, false),
        (
            "retry_server_errors",
            fast_retries().retry_server_errors(true),
            &[500, 507, 200],
            3,
            true,
        ),
        (
            "classifier retrying 409",
            fast_retries().classifier(|failure| {
                failure.status() == Some(StatusCode::CONFLICT) || failure.default_decision()
            }),
            &[409, 503, 200],
            3,
            true,
        ),
        (
            "classifier refusing all",
            fast_retries().classifier(|_| false),
            &[503, 200],
            1,
            false,
        ),
    ];
    for (name, policy, statuses, requests, succeeds) in policies {
        let server = MockServer::start().await;
        let answers = statuses.iter().map(|&status| match status {
            200 => item_ok(),
            status => failure(status, name),
        });
        serve(&server, "GET", script(answers)).await;
        let client = builder_for(&server)
            .retry_policy(policy)
            .build()
            .expect("valid");
        let result = client.send(GetItem::new()).await;
        assert_eq!(result.is_ok(), succeeds, "{name}: {result:?}");
        assert_eq!(received(&server).await.len(), requests, "{name}");
    }
}

#[tokio::test]
async fn an_api_error_says_how_long_to_wait() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        ResponseTemplate::new(429).insert_header("Retry-After", "120"),
    )
    .await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("valid");
    match client.send(GetItem::new()).await {
        Err(Error::Api(error)) => {
            assert_eq!(error.status(), 429);
            assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
        }
        other => panic!("{other:?}"),
    }
}
