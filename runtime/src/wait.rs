//! Waiting for a long-running operation: the polling loop every waiter shares.
//!
//! A generated waiter knows which operation to poll and where its state is; this
//! module knows how often to ask, when to give up, and what the answer means. The
//! loop holds no resources between polls, so dropping the future cancels the wait.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use super::{Error, HttpClient, Operation, RawResponse, RequestOptions};

use tokio::time::Instant;

/// How often to poll and how long to wait in all.
///
/// The interval grows by `multiplier` after each poll that found the operation
/// still running, up to `max_interval`; a `Retry-After` the server sends with a
/// pending answer replaces the computed interval for that poll (within the
/// deadline).
///
/// ```
/// use std::time::Duration;
/// use openapi_client_runtime::WaitPolicy;
///
/// let quick = WaitPolicy::new()
///     .interval(Duration::from_millis(250))
///     .timeout(Duration::from_secs(30));
/// # let _ = quick;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WaitPolicy {
    interval: Duration,
    max_interval: Duration,
    multiplier: f64,
    timeout: Duration,
}

impl Default for WaitPolicy {
    /// Every second, for up to five minutes: what Bentley's clients do for the
    /// operations they wait for.
    fn default() -> Self {
        WaitPolicy {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            multiplier: 1.0,
            timeout: Duration::from_secs(300),
        }
    }
}

impl WaitPolicy {
    /// See [`WaitPolicy::default`].
    pub fn new() -> Self {
        WaitPolicy::default()
    }

    /// The wait before the first poll and between polls.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest wait between two polls once the interval has grown.
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// What the interval is multiplied by after each pending poll; values below
    /// `1` (or not finite) keep it constant.
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = super::retry::growth_factor(multiplier);
        self
    }

    /// The longest time the whole wait may take, polls included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The wait after `polls` pending answers, the last of which asked for
    /// `retry_after` (the server's wish wins).
    fn next_wait(&self, polls: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or_else(|| self.interval_after(polls))
    }

    /// The wait after `polls` pending answers: `interval × multiplier^polls`, capped.
    fn interval_after(&self, polls: u32) -> Duration {
        let exponent = i32::try_from(polls).unwrap_or(i32::MAX);
        let secs = self.interval.as_secs_f64() * self.multiplier.powi(exponent);
        let secs = secs.min(
            self.max_interval
                .as_secs_f64()
                .max(self.interval.as_secs_f64()),
        );
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_interval)
    }
}

/// What one poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// Still running, in this state (when the answer named one); poll again,
    /// after `retry_after` when the server asked for it.
    Pending {
        state: Option<String>,
        retry_after: Option<Duration>,
    },
    /// Finished successfully.
    Done(T),
    /// Finished in a failed state.
    Failed { state: String },
}

/// Why a wait ended without a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The operation reached a state declared as failed.
    #[error("the operation failed (state `{state}`)")]
    Failed {
        /// The state the last poll reported.
        state: String,
    },
    /// The deadline passed while the operation was still running.
    #[error("gave up waiting after {waited:?}{}", last_seen(.last_state))]
    TimedOut {
        /// How long the wait took.
        waited: Duration,
        /// The state of the last answer that named one.
        last_state: Option<String>,
        /// How many polls were answered.
        polls: u32,
    },
    /// The answer that started the operation does not say which resource to
    /// wait for.
    #[error("the answer that started the operation does not name the new resource: {0}")]
    NoId(String),
}

fn last_seen(state: &Option<String>) -> String {
    match state {
        Some(state) => format!(" (last state `{state}`)"),
        None => String::new(),
    }
}

/// Polls with `poll` until it reports [`Poll::Done`] or [`Poll::Failed`], waiting
/// by `policy` before each poll, and gives up at the policy's deadline. A poll's
/// own error ends the wait with that error.
pub async fn poll_until<T, E, F, Fut>(policy: &WaitPolicy, mut poll: F) -> Result<T, E>
where
    E: From<WaitError>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, E>>,
{
    let started = Instant::now();
    let deadline = started + policy.timeout;
    let mut polls: u32 = 0;
    let mut last_state = None;
    let mut next_wait = policy.interval;
    loop {
        let wake = Instant::now() + next_wait;
        if wake > deadline {
            return Err(WaitError::TimedOut {
                waited: started.elapsed(),
                last_state,
                polls,
            }
            .into());
        }
        tokio::time::sleep_until(wake).await;
        // A poll that is still in flight at the deadline is abandoned.
        let answer = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(answer) => answer?,
            Err(_elapsed) => {
                return Err(WaitError::TimedOut {
                    waited: started.elapsed(),
                    last_state,
                    polls,
                }
                .into())
            }
        };
        polls += 1;
        match answer {
            Poll::Done(value) => return Ok(value),
            Poll::Failed { state } => return Err(WaitError::Failed { state }.into()),
            Poll::Pending { state, retry_after } => {
                tracing::debug!(polls, state = state.as_deref(), "still running");
                if state.is_some() {
                    last_state = state;
                }
                next_wait = policy.next_wait(polls, retry_after);
            }
        }
    }
}

/// How a poll answer's JSON body says what state the operation is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateField<'a> {
    /// JSON pointer (RFC 6901) to the state in the poll answer's body.
    pub pointer: &'a str,
    /// States meaning the operation succeeded.
    pub done: &'a [&'a str],
    /// States meaning the operation failed.
    pub failed: &'a [&'a str],
}

impl StateField<'_> {
    /// Reads the state from `body` and sorts it. Anything else, a missing
    /// state or a state nobody declared (servers add states over time), counts
    /// as still running.
    pub fn classify(&self, body: &[u8], retry_after: Option<Duration>) -> Poll<()> {
        let state = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value.pointer(self.pointer).map(state_text));
        match state {
            Some(state) if self.done.contains(&state.as_str()) => Poll::Done(()),
            Some(state) if self.failed.contains(&state.as_str()) => Poll::Failed { state },
            state => Poll::Pending { state, retry_after },
        }
    }
}

/// Where the answer that starts a long-running operation names the new resource.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum IdSource<'a> {
    /// The last path segment of the URL in this header (`Location`).
    Header(&'a str),
    /// The string (or number) at this JSON pointer of the body.
    Body(&'a str),
}

impl IdSource<'_> {
    fn id_in(&self, answer: &RawResponse) -> Result<String, WaitError> {
        match *self {
            IdSource::Header(name) => {
                let value = answer
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| WaitError::NoId(format!("no readable `{name}` header")))?;
                let path = value.split(['?', '#']).next().unwrap_or_default();
                path.rsplit('/')
                    .find(|segment| !segment.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        WaitError::NoId(format!("`{name}: {value}` has no path segment"))
                    })
            }
            IdSource::Body(pointer) => serde_json::from_slice::<serde_json::Value>(answer.body())
                .ok()
                .and_then(|body| body.pointer(pointer).map(state_text))
                .ok_or_else(|| WaitError::NoId(format!("the body has nothing at `{pointer}`"))),
        }
    }
}

/// Sends `operation`, takes the id of what it started from the answer (`id`),
/// then polls the operation `poll` makes from that id until `state` says it is
/// done; returns the id. What generated `send_and_wait` methods call.
#[doc(hidden)]
pub async fn start_and_wait<O, P, F>(
    client: &HttpClient,
    operation: O,
    options: RequestOptions,
    id: IdSource<'_>,
    state: StateField<'_>,
    policy: &WaitPolicy,
    poll: F,
) -> Result<String, Error>
where
    O: Operation,
    P: Operation,
    F: FnOnce(&str) -> Result<P, Error>,
{
    let mut request = operation.request()?;
    request.options(options);
    let started = client.execute(request).await?;
    let id = id.id_in(&started)?;
    let poll = poll(&id)?;
    poll_until(policy, || async {
        let answer = client.execute(poll.request()?).await?;
        let retry_after = super::retry::retry_after(answer.headers(), std::time::SystemTime::now());
        Ok::<_, Error>(state.classify(answer.body(), retry_after))
    })
    .await?;
    Ok(id)
}

/// The id a waiter took from an answer, as the type the next operation's
/// argument has (`Uuid`, `String`, an integer).
#[doc(hidden)]
pub fn parse_id<T: FromStr, E>(id: &str) -> Result<T, Error<E>> {
    id.parse().map_err(|_| {
        Error::from(WaitError::NoId(format!(
            "`{id}` is not a valid {}",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("id")
        )))
    })
}

fn state_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    /// A poll's own failure, or the end of a wait.
    #[derive(Debug)]
    enum Failure {
        Poll(&'static str),
        Wait(WaitError),
    }

    impl From<WaitError> for Failure {
        fn from(error: WaitError) -> Self {
            Failure::Wait(error)
        }
    }

    /// Answers `pending` times with a running state, then with `last`.
    fn scripted(
        pending: u32,
        last: Poll<&'static str>,
    ) -> impl FnMut() -> std::future::Ready<Result<Poll<&'static str>, Failure>> {
        let mut seen = 0;
        move || {
            seen += 1;
            std::future::ready(Ok(if seen <= pending {
                Poll::Pending {
                    state: Some(format!("running {seen}")),
                    retry_after: None,
                }
            } else {
                last.clone()
            }))
        }
    }

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn outcomes_of_a_wait() {
        let policy = WaitPolicy::new().interval(MS).timeout(10 * SEC);
        assert_eq!(
            poll_until(&policy, scripted(3, Poll::Done("made")))
                .await
                .ok(),
            Some("made")
        );
        let failed = Poll::Failed {
            state: "failed".into(),
        };
        match poll_until(&policy, scripted(2, failed)).await {
            Err(Failure::Wait(WaitError::Failed { state })) => assert_eq!(state, "failed"),
            other => panic!("{other:?}"),
        }
        let short = WaitPolicy::new().interval(MS).timeout(30 * MS);
        match poll_until(&short, scripted(u32::MAX, Poll::Done("never"))).await {
            Err(Failure::Wait(WaitError::TimedOut {
                last_state, polls, ..
            })) => {
                assert!(polls >= 1);
                assert_eq!(
                    last_state,
                    Some(format!("running {polls}")),
                    "the last one seen"
                );
            }
            other => panic!("{other:?}"),
        }
        let broken = || std::future::ready(Err::<Poll<()>, _>(Failure::Poll("503")));
        assert!(matches!(
            poll_until(&policy, broken).await,
            Err(Failure::Poll("503"))
        ));
    }

    #[test]
    fn intervals_grow_to_their_cap_and_yield_to_retry_after() {
        let policy = WaitPolicy::new()
            .interval(SEC)
            .multiplier(2.0)
            .max_interval(4 * SEC);
        let waits: Vec<_> = (1..=4).map(|polls| policy.next_wait(polls, None)).collect();
        assert_eq!(waits, [2 * SEC, 4 * SEC, 4 * SEC, 4 * SEC]);
        assert_eq!(policy.next_wait(2, Some(30 * SEC)), 30 * SEC);
        let constant = WaitPolicy::new().interval(SEC);
        assert_eq!(constant.next_wait(9, None), SEC, "no growth by default");
        assert_eq!(constant.multiplier(f64::NAN).next_wait(3, None), SEC);
    }

    #[tokio::test]
    async fn a_poll_in_flight_at_the_deadline_is_abandoned() {
        let policy = WaitPolicy::new().interval(MS).timeout(20 * MS);
        let hang = || async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok::<_, Failure>(Poll::Done(()))
        };
        match poll_until(&policy, hang).await {
            Err(Failure::Wait(WaitError::TimedOut {
                waited,
                polls,
                last_state,
            })) => {
                assert!(waited >= 20 * MS, "{waited:?}");
                assert_eq!((polls, last_state), (0, None));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn states_are_read_from_the_body() {
        let field = StateField {
            pointer: "/createOperation/state",
            done: &["successful"],
            failed: &["failed"],
        };
        let body = |state: &str| format!(r#"{{"createOperation":{{"state":"{state}"}}}}"#);
        assert_eq!(
            field.classify(body("successful").as_bytes(), None),
            Poll::Done(())
        );
        assert_eq!(
            field.classify(body("failed").as_bytes(), None),
            Poll::Failed {
                state: "failed".into()
            }
        );
        assert_eq!(
            field.classify(body("waitingForFile").as_bytes(), Some(SEC)),
            Poll::Pending {
                state: Some("waitingForFile".into()),
                retry_after: Some(SEC)
            }
        );
        for unreadable in ["", "<html>", "{}", r#"{"createOperation":{"state":7}}"#] {
            assert!(
                matches!(
                    field.classify(unreadable.as_bytes(), None),
                    Poll::Pending { .. }
                ),
                "{unreadable}"
            );
        }
    }
}
