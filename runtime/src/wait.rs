//! Waiting for a long-running operation: the polling loop every waiter shares.
//!
//! A generated waiter knows which operation to poll and where its state is; this
//! module knows how often to ask, when to give up, and what the answer means. The
//! loop holds no resources between polls, so dropping the future cancels the wait.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{ApiClient, Error, HttpClient, Operation, RawResponse, RequestOptions};

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
///
/// A wait that ends after the operation started ([`WaitError::Failed`],
/// [`WaitError::TimedOut`]) keeps what the answer that started it said: the
/// new resource's `id` and the `Location` it gave, when the wait was started
/// by `send_and_wait`. A failed fork or clone can so still be deleted. They
/// are `None` for a bare [`poll_until`], which saw no start answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The operation reached a state declared as failed.
    #[error("the operation failed (state `{state}`){}", started(.id))]
    #[non_exhaustive]
    Failed {
        /// The state the last poll reported.
        state: String,
        /// The id of the resource the operation started, from its start answer.
        id: Option<String>,
        /// The start answer's `Location` header, as it came.
        location: Option<String>,
    },
    /// The deadline passed while the operation was still running.
    #[error("gave up waiting after {waited:?}{}{}", last_seen(.last_state), started(.id))]
    #[non_exhaustive]
    TimedOut {
        /// How long the wait took.
        waited: Duration,
        /// The state of the last answer that named one.
        last_state: Option<String>,
        /// How many polls were answered.
        polls: u32,
        /// The id of the resource the operation started, from its start answer.
        id: Option<String>,
        /// The start answer's `Location` header, as it came.
        location: Option<String>,
    },
    /// The answer that started the operation does not say which resource to
    /// wait for.
    #[error("the answer that started the operation does not name the new resource: {0}")]
    NoId(String),
}

impl WaitError {
    /// The id of the resource the operation started, when the wait got that
    /// far and knew the start answer (see [`WaitError`]).
    pub fn id(&self) -> Option<&str> {
        match self {
            WaitError::Failed { id, .. } | WaitError::TimedOut { id, .. } => id.as_deref(),
            WaitError::NoId(_) => None,
        }
    }

    /// The `Location` header of the answer that started the operation, if it
    /// had one (see [`WaitError`]).
    pub fn location(&self) -> Option<&str> {
        match self {
            WaitError::Failed { location, .. } | WaitError::TimedOut { location, .. } => {
                location.as_deref()
            }
            WaitError::NoId(_) => None,
        }
    }

    /// Records what the start answer said on a wait that ended after it.
    fn started_as(mut self, started_id: &str, started_location: Option<&str>) -> Self {
        if let WaitError::Failed { id, location, .. } | WaitError::TimedOut { id, location, .. } =
            &mut self
        {
            *id = Some(started_id.to_owned());
            *location = started_location.map(str::to_owned);
        }
        self
    }
}

/// ` (resource `id`)` when the id is known.
fn started(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" (resource `{id}`)"),
        None => String::new(),
    }
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
    let deadline = later(started, policy.timeout);
    let mut polls: u32 = 0;
    let mut last_state = None;
    let mut next_wait = policy.interval;
    loop {
        // A wait past the deadline (a server's `Retry-After` may ask for
        // centuries) ends the wait now rather than sleeping in vain.
        let wake = Instant::now().checked_add(next_wait);
        let Some(wake) = wake.filter(|wake| *wake <= deadline) else {
            return Err(WaitError::TimedOut {
                waited: started.elapsed(),
                last_state,
                polls,
                id: None,
                location: None,
            }
            .into());
        };
        tokio::time::sleep_until(wake).await;
        // A poll that is still in flight at the deadline is abandoned.
        let answer = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(answer) => answer?,
            Err(_elapsed) => {
                return Err(WaitError::TimedOut {
                    waited: started.elapsed(),
                    last_state,
                    polls,
                    id: None,
                    location: None,
                }
                .into())
            }
        };
        polls += 1;
        match answer {
            Poll::Done(value) => return Ok(value),
            Poll::Failed { state } => {
                return Err(WaitError::Failed {
                    state,
                    id: None,
                    location: None,
                }
                .into())
            }
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

/// `start + after`, or a time so far ahead that nothing waits that long when
/// the sum does not fit (`Instant` panics on overflow).
fn later(start: Instant, after: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);
    start
        .checked_add(after)
        .or_else(|| start.checked_add(CENTURY))
        .unwrap_or(start)
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

/// What a generated long-running operation knows about its wait (from the
/// spec's `x-long-running`): where the answer names the new resource, which
/// operation to poll with that id, which states end the wait, and what to fetch
/// at the end. `send_and_wait` on the generated request is written once, over
/// this trait; each operation supplies only this data.
#[doc(hidden)]
pub trait LongRunning<C>: Operation {
    /// The operation polled with the new id.
    type Poll: Operation;
    /// What the wait ends with: [`Then`] another operation, or [`ReturnId`].
    type Finish: Finish;
    /// The id, the state and the default pacing.
    const WAIT: Wait;
    /// The poll operation for `id`, built through the client's method.
    fn poll(client: &C, id: &str) -> Result<Self::Poll, Error>;
    /// What to do once the state is done, for `id`.
    fn finish(client: &C, id: &str) -> Result<Self::Finish, Error>;
}

/// The data of one wait: see [`LongRunning::WAIT`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    pub id: IdSource<'static>,
    pub state: StateField<'static>,
    /// The spec's interval and timeout, used when the caller gives no policy.
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

impl Wait {
    fn policy(&self) -> WaitPolicy {
        WaitPolicy::new()
            .interval(Duration::from_millis(self.interval_ms))
            .timeout(Duration::from_millis(self.timeout_ms))
    }
}

/// The last step of a wait, after the state said done.
#[doc(hidden)]
pub trait Finish: Send {
    /// What `send_and_wait` returns.
    type Output: Send;
    /// Runs the step for `id`.
    fn run<E: DeserializeOwned + Send>(
        self,
        client: &HttpClient,
        id: String,
    ) -> impl Future<Output = Result<Self::Output, Error<E>>> + Send;
}

/// A wait that ends by sending this operation (built from the id) and
/// returning its answer.
#[doc(hidden)]
pub struct Then<O>(pub O);

impl<O: Operation> Finish for Then<O> {
    type Output = O::Output;
    async fn run<E: DeserializeOwned + Send>(
        self,
        client: &HttpClient,
        _id: String,
    ) -> Result<O::Output, Error<E>> {
        super::send(client, self.0, RequestOptions::new()).await
    }
}

/// A wait that ends with the new resource's id.
#[doc(hidden)]
pub struct ReturnId;

impl Finish for ReturnId {
    type Output = String;
    async fn run<E: DeserializeOwned + Send>(
        self,
        _client: &HttpClient,
        id: String,
    ) -> Result<String, Error<E>> {
        Ok(id)
    }
}

/// Sends `operation`, waits as its [`LongRunning::WAIT`] says (with `policy`,
/// or the spec's pacing when `None`), then runs its [`LongRunning::Finish`]
/// step. What generated `send_and_wait` methods call.
#[doc(hidden)]
pub async fn send_and_wait<C, O>(
    client: &C,
    operation: O,
    options: RequestOptions,
    policy: Option<WaitPolicy>,
) -> Result<<O::Finish as Finish>::Output, Error<C::ErrorBody>>
where
    C: ApiClient + Sync,
    C::ErrorBody: Send,
    O: LongRunning<C>,
{
    let wait = O::WAIT;
    let policy = policy.unwrap_or_else(|| wait.policy());
    let id = start_and_wait(client.http(), operation, options, wait, &policy, |id| {
        O::poll(client, id)
    })
    .await
    .map_err(Error::parse_body)?;
    let finish = O::finish(client, &id).map_err(Error::parse_body)?;
    finish.run(client.http(), id).await
}

/// Sends `operation`, takes the id of what it started from the answer, then
/// polls the operation `poll` makes from that id until the state is done;
/// returns the id.
async fn start_and_wait<O, P, F>(
    client: &HttpClient,
    operation: O,
    options: RequestOptions,
    wait: Wait,
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
    let id = wait.id.id_in(&started)?;
    let location = started
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok());
    let poll = poll(&id)?;
    poll_until(policy, || async {
        let answer = client.execute(poll.request()?).await?;
        let retry_after = super::retry::retry_after(answer.headers(), std::time::SystemTime::now());
        Ok::<_, Error>(wait.state.classify(answer.body(), retry_after))
    })
    .await
    .map_err(|error| match error {
        Error::Wait(wait) => Error::from(wait.started_as(&id, location)),
        other => other,
    })?;
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
            Err(Failure::Wait(WaitError::Failed { state, id, .. })) => {
                assert_eq!((state.as_str(), id), ("failed", None))
            }
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
    async fn endless_waits_neither_panic_nor_sleep() {
        // A server asking for i64::MAX seconds (or more than a u64 holds):
        // the wait ends at once, before the deadline, instead of overflowing
        // `Instant` (a panic) or sleeping until the deadline.
        for retry_after in [Duration::from_secs(i64::MAX as u64), Duration::MAX] {
            let policy = WaitPolicy::new().interval(MS).timeout(10 * SEC);
            let mut calls = 0;
            let poll = || {
                calls += 1;
                std::future::ready(Ok::<_, Failure>(Poll::<()>::Pending {
                    state: Some("queued".to_owned()),
                    retry_after: Some(retry_after),
                }))
            };
            let started = std::time::Instant::now();
            match poll_until(&policy, poll).await {
                Err(Failure::Wait(WaitError::TimedOut {
                    polls, last_state, ..
                })) => assert_eq!((polls, last_state.as_deref()), (1, Some("queued"))),
                other => panic!("{other:?}"),
            }
            assert_eq!(calls, 1);
            assert!(started.elapsed() < SEC, "{:?}", started.elapsed());
        }
        // A caller's endless timeout is no overflow either.
        let forever = WaitPolicy::new().interval(MS).timeout(Duration::MAX);
        assert_eq!(
            poll_until(&forever, scripted(1, Poll::Done("made")))
                .await
                .ok(),
            Some("made")
        );
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
                ..
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

    /// `send_and_wait` end to end against a server on loopback, with the two
    /// endings a generated operation can have.
    mod send_and_wait {
        use super::super::*;
        // The runtime's root: `crate` here, `crate::runtime` in a vendored copy.
        use super::super::super::client::tests::Client;
        use super::super::super::{ClientBuilder, Method, Request};
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        /// `POST /jobs`, answered with `202` and the new job's `Location`.
        #[derive(Debug, Clone)]
        struct StartJob;

        /// `GET /jobs/{id}`: the job's state, and in the end the job itself.
        #[derive(Debug, Clone)]
        struct GetJob(String);

        impl Operation for StartJob {
            type Output = RawResponse;
            fn request(&self) -> Result<Request, Error> {
                Ok(Request::new(
                    "StartJob",
                    Method::POST,
                    "/jobs",
                    "/jobs".to_owned(),
                ))
            }
            fn decode(raw: RawResponse) -> Result<RawResponse, Error> {
                Ok(raw)
            }
        }

        impl Operation for GetJob {
            type Output = serde_json::Value;
            fn request(&self) -> Result<Request, Error> {
                let path = format!("/jobs/{}", self.0);
                Ok(Request::new("GetJob", Method::GET, "/jobs/{id}", path))
            }
            fn decode(raw: RawResponse) -> Result<serde_json::Value, Error> {
                Ok(raw.json()?)
            }
        }

        const WAIT: Wait = Wait {
            id: IdSource::Header("Location"),
            state: StateField {
                pointer: "/job/state",
                done: &["done"],
                failed: &["failed"],
            },
            interval_ms: 1,
            timeout_ms: 5_000,
        };

        impl LongRunning<Client> for StartJob {
            type Poll = GetJob;
            type Finish = Then<GetJob>;
            const WAIT: Wait = WAIT;
            fn poll(_: &Client, id: &str) -> Result<GetJob, Error> {
                Ok(GetJob(id.to_owned()))
            }
            fn finish(_: &Client, id: &str) -> Result<Then<GetJob>, Error> {
                Ok(Then(GetJob(id.to_owned())))
            }
        }

        /// The same start, waited for without a result operation.
        #[derive(Debug, Clone)]
        struct StartJobForId;

        impl Operation for StartJobForId {
            type Output = RawResponse;
            fn request(&self) -> Result<Request, Error> {
                StartJob.request()
            }
            fn decode(raw: RawResponse) -> Result<RawResponse, Error> {
                Ok(raw)
            }
        }

        impl LongRunning<Client> for StartJobForId {
            type Poll = GetJob;
            type Finish = ReturnId;
            const WAIT: Wait = WAIT;
            fn poll(_: &Client, id: &str) -> Result<GetJob, Error> {
                Ok(GetJob(id.to_owned()))
            }
            fn finish(_: &Client, _: &str) -> Result<ReturnId, Error> {
                Ok(ReturnId)
            }
        }

        /// A server that starts job 42, reports it running `running` times,
        /// then done.
        async fn server(running: u64) -> (MockServer, Client) {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/jobs"))
                .respond_with(ResponseTemplate::new(202).insert_header("Location", "/jobs/42"))
                .expect(1)
                .mount(&server)
                .await;
            let state = |state: &str| {
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"job": {"id": "42", "state": state}}))
            };
            Mock::given(method("GET"))
                .and(path("/jobs/42"))
                .respond_with(state("running"))
                .up_to_n_times(running)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/jobs/42"))
                .respond_with(state("done"))
                .mount(&server)
                .await;
            let client = ClientBuilder::<Client>::new()
                .base_url(server.uri())
                .build()
                .expect("client");
            (server, client)
        }

        async fn gets(server: &MockServer) -> usize {
            let requests = server.received_requests().await.unwrap_or_default();
            requests
                .iter()
                .filter(|r| r.method.as_str() == "GET")
                .count()
        }

        #[tokio::test]
        async fn then_fetches_the_result_after_the_last_poll() {
            let (server, client) = server(2).await;
            let job = send_and_wait(&client, StartJob, RequestOptions::new(), None)
                .await
                .expect("the job finishes");
            assert_eq!(job["job"]["state"], "done");
            // Two polls found it running, the third done, then the result.
            assert_eq!(gets(&server).await, 4);
        }

        #[tokio::test]
        async fn return_id_ends_with_the_id_and_fetches_nothing_more() {
            let (server, client) = server(1).await;
            let policy = WaitPolicy::new().interval(Duration::from_millis(2));
            let id = send_and_wait(&client, StartJobForId, RequestOptions::new(), Some(policy))
                .await
                .expect("the job finishes");
            assert_eq!(id, "42");
            assert_eq!(gets(&server).await, 2);
        }

        #[tokio::test]
        async fn a_wait_shorter_than_the_job_times_out() {
            let (_server, client) = server(1_000).await;
            let policy = WaitPolicy::new()
                .interval(Duration::from_millis(5))
                .timeout(Duration::from_millis(40));
            let error = send_and_wait(&client, StartJob, RequestOptions::new(), Some(policy))
                .await
                .expect_err("the job outlasts the wait");
            let Error::Wait(wait) = &error else {
                panic!("{error:?}");
            };
            assert!(matches!(**wait, WaitError::TimedOut { .. }), "{wait:?}");
            // What the start answer said is kept.
            assert_eq!((wait.id(), wait.location()), (Some("42"), Some("/jobs/42")));
        }

        #[tokio::test]
        async fn a_failed_job_keeps_its_id_and_location() {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/jobs"))
                .respond_with(
                    ResponseTemplate::new(202)
                        .insert_header("Location", "https://x.test/jobs/7?v=1"),
                )
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path("/jobs/7"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(serde_json::json!({"job": {"state": "failed"}})),
                )
                .mount(&server)
                .await;
            let client = ClientBuilder::<Client>::new()
                .base_url(server.uri())
                .build()
                .expect("client");
            let error = send_and_wait(&client, StartJob, RequestOptions::new(), None)
                .await
                .expect_err("the job fails");
            let Error::Wait(wait) = &error else {
                panic!("{error:?}");
            };
            match &**wait {
                WaitError::Failed {
                    state,
                    id,
                    location,
                    ..
                } => {
                    assert_eq!(state, "failed");
                    assert_eq!(id.as_deref(), Some("7"));
                    assert_eq!(location.as_deref(), Some("https://x.test/jobs/7?v=1"));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                error.to_string(),
                "the operation failed (state `failed`) (resource `7`)"
            );
        }
    }
}
