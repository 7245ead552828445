//! When a failed attempt is worth repeating and how long to wait first. Pure
//! decisions, no I/O: [`Client::execute`](super::Client::execute) does the
//! waiting and re-sending.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use super::Error;

/// How a call is repeated after a transient failure.
///
/// Retried: connection failures (the request never left, so any method),
/// `429 Too Many Requests` for any method (the server refused the request
/// without acting on it, RFC 6585 §4, so even a `POST` is safe to send
/// again), timeouts and other transport failures, and the statuses `502`,
/// `503` and `504`. Only idempotent methods (`GET`, `HEAD`, `PUT`, `DELETE`,
/// `OPTIONS`, `TRACE`) are repeated after a failure in which the server may
/// have acted on the request; `POST` and `PATCH` only with
/// [`retry_non_idempotent(true)`](RetryPolicy::retry_non_idempotent).
///
/// The defaults follow Bentley's TypeScript clients: 4 attempts, waiting
/// 300 ms × 3ⁿ between them (here with equal jitter). A `Retry-After` header
/// (seconds or an HTTP date) replaces the computed wait.
///
/// The whole call, every attempt and wait included, ends at the policy's
/// [`deadline`](RetryPolicy::deadline) (2 minutes by default) with
/// [`Error::Deadline`], whatever the per-attempt timeout: a server that
/// answers slowly, or drips its answer, cannot hold a call for
/// attempts × timeout.
///
/// Which failures are retried can be widened with
/// [`retry_server_errors`](RetryPolicy::retry_server_errors) (every `5xx`, `500`
/// included, as Bentley's clients do) or replaced with a
/// [`classifier`](RetryPolicy::classifier) of your own; the schedule stays the
/// policy's.
///
/// ```
/// use std::time::Duration;
/// use openapi_client_runtime::{Jitter, RetryPolicy};
///
/// let patient = RetryPolicy::new()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(500))
///     .jitter(Jitter::Full);
/// let never = RetryPolicy::disabled();
/// # let _ = (patient, never);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    multiplier: f64,
    max_delay: Duration,
    max_total_delay: Duration,
    deadline: Duration,
    jitter: Jitter,
    retry_non_idempotent: bool,
    retry_server_errors: bool,
    classifier: Option<Classifier>,
}

/// A caller's retry decision; see [`RetryPolicy::classifier`].
#[derive(Clone)]
struct Classifier(Arc<dyn Fn(&RetryContext<'_>) -> bool + Send + Sync>);

impl fmt::Debug for Classifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Classifier(..)")
    }
}

impl PartialEq for Classifier {
    /// The same classifier, not an equivalent one: closures cannot be compared.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// One failed attempt, as a retry [`classifier`](RetryPolicy::classifier) sees
/// it: a non-2xx answer or an error, the method, and the attempt number.
#[derive(Clone, Copy, Debug)]
pub struct RetryContext<'a> {
    method: &'a Method,
    attempt: u32,
    outcome: Outcome<'a>,
    policy: &'a RetryPolicy,
}

impl<'a> RetryContext<'a> {
    /// The request's method.
    pub fn method(&self) -> &'a Method {
        self.method
    }

    /// Which attempt failed, the first being `1`.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self.outcome {
            Outcome::Status(status, _) => Some(status),
            Outcome::Failed(_) => None,
        }
    }

    /// The headers of the answer, when there was one.
    pub fn headers(&self) -> Option<&'a HeaderMap> {
        match self.outcome {
            Outcome::Status(_, headers) => Some(headers),
            Outcome::Failed(_) => None,
        }
    }

    /// The error, when there was no answer.
    pub fn error(&self) -> Option<&'a Error> {
        match self.outcome {
            Outcome::Failed(error) => Some(error),
            Outcome::Status(..) => None,
        }
    }

    /// Whether the method may be repeated once the server may have seen it:
    /// idempotent, or `POST`/`PATCH` with
    /// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent) on.
    pub fn may_resend(&self) -> bool {
        self.policy.retry_non_idempotent || is_idempotent(self.method)
    }

    /// The policy's own decision, without a classifier: transient failures
    /// (see [`RetryPolicy`]) of requests that are safe to repeat. A classifier
    /// can start from it and add or remove cases.
    pub fn default_decision(&self) -> bool {
        let transient = match self.outcome {
            Outcome::Status(status, _) => {
                matches!(status.as_u16(), 429 | 502 | 503 | 504)
                    || (self.policy.retry_server_errors && status.is_server_error())
            }
            Outcome::Failed(error) => transient_error(error),
        };
        transient && (self.server_did_not_act() || self.may_resend())
    }

    /// The server did not act on the request: no connection could be made,
    /// or it answered `429 Too Many Requests`.
    fn server_did_not_act(&self) -> bool {
        match self.outcome {
            Outcome::Failed(Error::Transport(e) | Error::Timeout(e)) => e.is_connect(),
            Outcome::Status(status, _) => status == StatusCode::TOO_MANY_REQUESTS,
            Outcome::Failed(_) => false,
        }
    }
}

/// How much randomness is mixed into a computed backoff, so that clients that
/// failed together do not all come back at the same moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// Exactly the computed backoff.
    None,
    /// Anywhere between zero and the computed backoff: spreads clients best,
    /// but may retry almost at once.
    Full,
    /// Between half and all of the computed backoff: still spreads clients,
    /// and never hits an overloaded server sooner than half the schedule.
    #[default]
    Equal,
}

/// How long a call may take in all, attempts and waits included: two of the
/// default 60 s attempts.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(300),
            multiplier: 3.0,
            max_delay: Duration::from_secs(30),
            max_total_delay: Duration::from_secs(60),
            deadline: DEFAULT_DEADLINE,
            jitter: Jitter::Equal,
            retry_non_idempotent: false,
            retry_server_errors: false,
            classifier: None,
        }
    }
}

impl RetryPolicy {
    /// The default policy: 4 attempts, 300 ms initial backoff tripled each
    /// time, at most 30 s per wait and 60 s in total, a deadline of 2 minutes
    /// for the whole call, equal jitter, no retry of `POST`/`PATCH` once sent.
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// One attempt, never repeated.
    pub fn disabled() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts in total, the first included; `0` counts as `1`.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// What each wait is multiplied by for the next one; values below `1` (or
    /// not finite) count as `1`, a constant backoff.
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = growth_factor(multiplier);
        self
    }

    /// The longest single wait. Computed backoffs are capped to it; a longer
    /// `Retry-After` ends the retries instead, since retrying sooner than the
    /// server asked would only fail again.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest time spent waiting over the whole call, summed over all
    /// retries (time spent in the attempts themselves is not counted). A
    /// computed backoff is shortened to what is left; a `Retry-After` that does
    /// not fit ends the retries.
    pub fn max_total_delay(mut self, delay: Duration) -> Self {
        self.max_total_delay = delay;
        self
    }

    /// The longest a whole call may take, from the first attempt until the
    /// answer is read: attempts, waits between them and reading bodies (of a
    /// streamed answer, only until its headers arrive). An attempt still
    /// running at the deadline is abandoned, and a wait that would end after
    /// it is not started; either way the call fails with
    /// [`Error::Deadline`], which counts the attempts and keeps the last
    /// one's error. Each attempt is also limited by the per-attempt timeout
    /// ([`ClientBuilder::timeout`](super::ClientBuilder::timeout)), whichever
    /// ends first. Default 2 minutes; applies even to a
    /// [`disabled`](RetryPolicy::disabled) policy's single attempt.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The deadline for a whole call; see [`RetryPolicy::deadline`].
    pub(crate) fn call_deadline(&self) -> Duration {
        self.deadline
    }

    /// The randomness mixed into computed backoffs; `Retry-After` is obeyed
    /// as given.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Whether `POST` and `PATCH` are repeated after they may have reached the
    /// server. Only turn this on for calls that are safe to apply twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// Also retries `500` and every other `5xx`, as Bentley's clients do. Off by
    /// default: a `500` is often a bug that the same request hits again.
    pub fn retry_server_errors(mut self, retry: bool) -> Self {
        self.retry_server_errors = retry;
        self
    }

    /// Replaces the decision which failed attempts are retried (the schedule,
    /// attempt limit and `Retry-After` stay the policy's). The classifier sees
    /// each failure and answers whether to try again;
    /// [`RetryContext::default_decision`] is what the policy would do.
    ///
    /// ```
    /// use openapi_client_runtime::RetryPolicy;
    ///
    /// // Also retry 409 Conflict (a lock held by another client), never 429.
    /// let policy = RetryPolicy::new().classifier(|failure| match failure.status() {
    ///     Some(status) if status == 409 => failure.may_resend(),
    ///     Some(status) if status == 429 => false,
    ///     _ => failure.default_decision(),
    /// });
    /// # let _ = policy;
    /// ```
    pub fn classifier(
        mut self,
        classifier: impl Fn(&RetryContext<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.classifier = Some(Classifier(Arc::new(classifier)));
        self
    }

    /// Whether to retry after attempt number `attempt` (1-based) ended in
    /// `outcome`, having already waited `waited` in total; and if so, how long
    /// to wait and why.
    pub(crate) fn next_retry(
        &self,
        method: &Method,
        attempt: u32,
        waited: Duration,
        outcome: Outcome<'_>,
    ) -> Option<Retry> {
        if attempt >= self.max_attempts {
            return None;
        }
        let context = RetryContext {
            method,
            attempt,
            outcome,
            policy: self,
        };
        let retry = match &self.classifier {
            Some(classifier) => (classifier.0)(&context),
            None => context.default_decision(),
        };
        if !retry {
            return None;
        }
        let reason = RetryReason::of(outcome);
        let remaining = self.max_total_delay.saturating_sub(waited);
        let delay = match outcome {
            Outcome::Status(_, headers) => retry_after(headers, SystemTime::now()),
            Outcome::Failed(_) => None,
        };
        let delay = match delay {
            // The server's wish is not shortened: if it is too long, give up.
            Some(delay) if delay > self.max_delay || delay > remaining => return None,
            Some(delay) => delay,
            None => {
                if remaining.is_zero() {
                    return None;
                }
                self.backoff(attempt, fastrand::f64()).min(remaining)
            }
        };
        Some(Retry { delay, reason })
    }

    /// The wait after attempt `attempt`: `initial × multiplier^(attempt-1)`,
    /// capped and jittered with `random` in `[0, 1)`.
    fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let cap = self.max_delay.as_secs_f64();
        let secs = (self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent)).min(cap);
        let secs = match self.jitter {
            Jitter::None => secs,
            Jitter::Full => secs * random,
            Jitter::Equal => secs / 2.0 + secs / 2.0 * random,
        };
        // `min` above already maps infinity to the cap; NaN cannot occur because
        // the multiplier is finite and at least 1, but never panic on it.
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_delay)
    }
}

/// A factor a wait grows by: below `1` or not finite (NaN, infinity) is `1`, no
/// growth, so computed waits stay finite and never shrink.
pub(crate) fn growth_factor(multiplier: f64) -> f64 {
    if multiplier.is_finite() && multiplier >= 1.0 {
        multiplier
    } else {
        1.0
    }
}

/// `GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS` and `TRACE` (RFC 9110 §9.2.2).
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// What one attempt ended in, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Outcome<'a> {
    /// A response with a non-2xx status.
    Status(StatusCode, &'a HeaderMap),
    /// No response.
    Failed(&'a Error),
}

/// The decision to retry: how long to wait, and why (for the trace event).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Retry {
    pub(crate) delay: Duration,
    pub(crate) reason: RetryReason,
}

/// Why an attempt is repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// A status the policy (or its classifier) retries.
    Status(StatusCode),
    /// No connection could be made, so nothing was sent.
    Connect,
    /// The attempt ran out of time.
    Timeout,
    /// Sending the request or reading the response failed part-way.
    Transport,
}

impl RetryReason {
    fn of(outcome: Outcome<'_>) -> RetryReason {
        match outcome {
            Outcome::Status(status, _) => RetryReason::Status(status),
            Outcome::Failed(Error::Timeout(error) | Error::Transport(error))
                if error.is_connect() =>
            {
                RetryReason::Connect
            }
            Outcome::Failed(Error::Timeout(_) | Error::ReadTimeout(_)) => RetryReason::Timeout,
            Outcome::Failed(_) => RetryReason::Transport,
        }
    }
}

/// Failures without an answer that may heal by waiting.
fn transient_error(error: &Error) -> bool {
    match error {
        Error::Timeout(_) | Error::ReadTimeout(_) => true,
        // A redirect loop or a refused redirect fails the same way again.
        Error::Transport(error) => !error.is_redirect(),
        // Bad input and token-provider failures do not heal by waiting.
        _ => false,
    }
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::Status(status) => write!(f, "status {}", status.as_u16()),
            RetryReason::Connect => f.write_str("connection failed"),
            RetryReason::Timeout => f.write_str("timed out"),
            RetryReason::Transport => f.write_str("transport error"),
        }
    }
}

/// `Retry-After` as a wait from `now`: delay-seconds or an HTTP date (a date
/// in the past means "now"). Unparseable values are ignored; a number of
/// seconds too large for a `u64` saturates to [`Duration::MAX`] (the server
/// asked for a very long wait, not for none). Whoever sleeps on the result
/// must cap it: it is the server's word.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn no_jitter() -> RetryPolicy {
        RetryPolicy::new().jitter(Jitter::None)
    }

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().expect("valid value"));
        headers
    }

    fn status_retry(
        policy: &RetryPolicy,
        method: Method,
        attempt: u32,
        status: u16,
    ) -> Option<Retry> {
        let headers = HeaderMap::new();
        let status = StatusCode::from_u16(status).expect("valid status");
        policy.next_retry(
            &method,
            attempt,
            Duration::ZERO,
            Outcome::Status(status, &headers),
        )
    }

    #[test]
    fn default_schedule_is_bentleys() {
        let policy = no_jitter();
        let delays: Vec<_> = (1..=3)
            .map(|attempt| policy.backoff(attempt, 0.5))
            .collect();
        assert_eq!(delays, [300 * MS, 900 * MS, 2700 * MS]);
        assert_eq!(
            status_retry(&policy, Method::GET, 3, 503).map(|r| r.delay),
            Some(2700 * MS)
        );
        assert_eq!(
            status_retry(&policy, Method::GET, 4, 503),
            None,
            "4 attempts in all"
        );
    }

    #[test]
    fn jitter_stays_in_its_range() {
        let full = RetryPolicy::new().jitter(Jitter::Full);
        assert_eq!(full.backoff(1, 0.0), Duration::ZERO);
        assert_eq!(full.backoff(1, 0.5), 150 * MS);
        let equal = RetryPolicy::new();
        assert_eq!(equal.backoff(1, 0.0), 150 * MS);
        assert_eq!(equal.backoff(2, 0.5), Duration::from_micros(675_000));
        for _ in 0..100 {
            let delay = status_retry(&equal, Method::GET, 1, 503)
                .expect("retried")
                .delay;
            assert!(delay >= 150 * MS && delay <= 300 * MS, "{delay:?}");
        }
    }

    #[test]
    fn delays_are_capped_and_never_panic() {
        let policy = no_jitter().max_delay(Duration::from_secs(1));
        assert_eq!(policy.backoff(40, 0.5), Duration::from_secs(1));
        assert_eq!(
            policy.clone().multiplier(f64::NAN).backoff(9, 0.5),
            300 * MS
        );
        assert_eq!(policy.clone().multiplier(0.1).backoff(9, 0.5), 300 * MS);
        let huge = no_jitter()
            .initial_backoff(Duration::MAX)
            .max_delay(Duration::MAX);
        assert_eq!(huge.backoff(u32::MAX, 0.5), Duration::MAX);
    }

    #[test]
    fn total_budget_shortens_backoff_and_then_stops() {
        let policy = no_jitter().max_total_delay(Duration::from_millis(1000));
        let headers = HeaderMap::new();
        let outcome = Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, &headers);
        let retry = policy.next_retry(&Method::GET, 3, 800 * MS, outcome);
        assert_eq!(retry.map(|r| r.delay), Some(200 * MS));
        assert_eq!(policy.next_retry(&Method::GET, 3, 1000 * MS, outcome), None);
    }

    #[test]
    fn retryable_statuses() {
        let policy = no_jitter();
        for status in [429, 502, 503, 504] {
            let retry = status_retry(&policy, Method::GET, 1, status).expect("retried");
            assert_eq!(retry.reason.to_string(), format!("status {status}"));
        }
        for status in [400, 401, 403, 404, 409, 500, 501] {
            assert_eq!(
                status_retry(&policy, Method::GET, 1, status),
                None,
                "{status}"
            );
        }
    }

    #[test]
    fn only_idempotent_methods_unless_opted_in() {
        let policy = no_jitter();
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
            Method::TRACE,
        ] {
            assert!(
                status_retry(&policy, method.clone(), 1, 503).is_some(),
                "{method}"
            );
        }
        for method in [Method::POST, Method::PATCH] {
            for status in [502, 503, 504] {
                assert!(
                    status_retry(&policy, method.clone(), 1, status).is_none(),
                    "{method} {status}"
                );
            }
            // A 429 was not acted on: any method is sent again.
            assert!(
                status_retry(&policy, method.clone(), 1, 429).is_some(),
                "{method}"
            );
            let opted_in = policy.clone().retry_non_idempotent(true);
            assert!(
                status_retry(&opted_in, method.clone(), 1, 503).is_some(),
                "{method}"
            );
        }
        assert!(status_retry(&RetryPolicy::disabled(), Method::GET, 1, 503).is_none());
        assert_eq!(RetryPolicy::new().max_attempts(0), RetryPolicy::disabled());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&with_retry_after("2"), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&with_retry_after(" 0 "), now),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(
            retry_after(&with_retry_after(&later), now),
            Some(Duration::from_secs(5))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(
            retry_after(&with_retry_after(&earlier), now),
            Some(Duration::ZERO)
        );
        // RFC 850 and asctime dates are obsolete but must still be accepted.
        let epoch = SystemTime::UNIX_EPOCH;
        assert_eq!(
            retry_after(&with_retry_after("Thursday, 01-Jan-70 00:00:07 GMT"), epoch),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&with_retry_after("Thu Jan  1 00:00:07 1970"), epoch),
            Some(Duration::from_secs(7))
        );
        // Huge values saturate instead of being ignored or overflowing.
        assert_eq!(
            retry_after(&with_retry_after("9223372036854775807"), now),
            Some(Duration::from_secs(9_223_372_036_854_775_807))
        );
        assert_eq!(
            retry_after(&with_retry_after("99999999999999999999999"), now),
            Some(Duration::MAX)
        );
        assert_eq!(
            retry_after(&with_retry_after("Fri, 31 Dec 9999 23:59:59 GMT"), now)
                .map(|wait| wait > Duration::from_secs(200 * 365 * 86_400)),
            Some(true)
        );
        for junk in ["-1", "1.5", "soon", "", "+5"] {
            assert_eq!(retry_after(&with_retry_after(junk), now), None, "{junk:?}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn retry_after_replaces_backoff_or_ends_the_retries() {
        let policy = no_jitter()
            .max_delay(Duration::from_secs(10))
            .max_total_delay(Duration::from_secs(20));
        let retry = |value: &str, waited: Duration| {
            let headers = with_retry_after(value);
            let outcome = Outcome::Status(StatusCode::TOO_MANY_REQUESTS, &headers);
            policy
                .next_retry(&Method::GET, 1, waited, outcome)
                .map(|r| r.delay)
        };
        assert_eq!(retry("2", Duration::ZERO), Some(Duration::from_secs(2)));
        assert_eq!(retry("0", Duration::ZERO), Some(Duration::ZERO));
        assert_eq!(retry("11", Duration::ZERO), None, "longer than max_delay");
        for huge in [
            "9223372036854775807",
            "18446744073709551616",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(retry(huge, Duration::ZERO), None, "{huge}");
        }
        assert_eq!(
            retry("5", Duration::from_secs(16)),
            None,
            "longer than what is left"
        );
        assert_eq!(
            retry("4", Duration::from_secs(16)),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            retry("junk", Duration::ZERO),
            Some(300 * MS),
            "falls back to backoff"
        );
    }

    #[test]
    fn invalid_requests_and_auth_failures_are_not_retried() {
        let policy = no_jitter();
        let invalid = Error::InvalidRequest("bad".to_owned());
        let auth = Error::Auth("no token".into());
        for error in [&invalid, &auth] {
            assert_eq!(
                policy.next_retry(&Method::GET, 1, Duration::ZERO, Outcome::Failed(error)),
                None
            );
        }
    }

    #[test]
    fn server_errors_preset_retries_every_5xx() {
        let policy = no_jitter().retry_server_errors(true);
        for status in [500, 501, 502, 503, 504, 507, 429] {
            assert!(
                status_retry(&policy, Method::GET, 1, status).is_some(),
                "{status}"
            );
        }
        for status in [400, 404, 409] {
            assert!(
                status_retry(&policy, Method::GET, 1, status).is_none(),
                "{status}"
            );
        }
        assert!(
            status_retry(&policy, Method::POST, 1, 500).is_none(),
            "the preset does not make POST safe to repeat"
        );
    }

    #[test]
    fn a_classifier_replaces_the_decision_but_not_the_schedule() {
        let policy = no_jitter().classifier(|failure| match failure.status() {
            Some(status) if status == StatusCode::CONFLICT => failure.may_resend(),
            Some(status) if status == StatusCode::SERVICE_UNAVAILABLE => false,
            _ => failure.default_decision(),
        });
        let cases = [
            (Method::GET, 409, 1, Some(300 * MS)),
            (Method::GET, 409, 2, Some(900 * MS)),
            (Method::GET, 409, 4, None),
            (Method::POST, 409, 1, None),
            (Method::GET, 503, 1, None),
            (Method::GET, 502, 1, Some(300 * MS)),
            (Method::GET, 404, 1, None),
        ];
        for (method, status, attempt, expected) in cases {
            let delay = status_retry(&policy, method.clone(), attempt, status).map(|r| r.delay);
            assert_eq!(delay, expected, "{method} {status} attempt {attempt}");
        }
        let seen = std::sync::Mutex::new(Vec::new());
        let seen = Arc::new(seen);
        let record = Arc::clone(&seen);
        let policy = no_jitter().classifier(move |failure| {
            let error = failure.error().map(ToString::to_string);
            record
                .lock()
                .expect("not poisoned")
                .push((failure.attempt(), failure.status(), error));
            false
        });
        let invalid = Error::InvalidRequest("bad".to_owned());
        assert_eq!(status_retry(&policy, Method::PUT, 2, 500), None);
        assert_eq!(
            policy.next_retry(&Method::GET, 1, Duration::ZERO, Outcome::Failed(&invalid)),
            None
        );
        assert_eq!(
            *seen.lock().expect("not poisoned"),
            [
                (2, Some(StatusCode::INTERNAL_SERVER_ERROR), None),
                (1, None, Some("invalid request: bad".to_owned()))
            ]
        );
        assert_ne!(policy, no_jitter(), "a classifier makes another policy");
        assert_eq!(policy.clone(), policy, "clones share the classifier");
    }
}
