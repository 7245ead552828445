//! Contract tests against an independent mock of the spec (hand-written test).
//!
//! [Prism](https://github.com/stoplightio/prism) serves `spec/imodels.yaml` on loopback
//! and validates every request against it: a request that breaks the spec (missing
//! required parameter, wrong body, no bearer token) gets a 4xx (422 for a bad request)
//! instead of a mocked answer. Every operation is called through the generated client
//! with valid inputs and must get the spec's success status, and its answer must decode
//! into what the client promises. Prism runs in static mode (`--dynamic=false`), so its
//! answers are the same on every run.
//!
//! Prism is an npm package pinned in `xtask/prism/`. `cargo xtask test` installs it
//! and passes its path in `PRISM_BIN`; `cargo xtask prism` installs it alone. Without
//! it this test fails rather than skips, so a green run always means the contract held.
//!
//! One `#[test]` drives one Prism through every check and reports each failing
//! operation by name; the server is stopped by a `Drop` guard even when a check panics.
//! Unix only: Prism runs in a process group of its own, under `sh`, stopped with `kill`.
//!
//! Prism serves the seed, `spec/imodels.yaml`, while the client follows it with
//! `spec/overlays/` applied: where an overlay changes an answer (single entities
//! wrapped, bodies the seed leaves out), the check reads the answer with
//! `send_raw()` and holds it to the seed's shape; Prism still validates every request
//! against the seed.
#![cfg(unix)]

use crate::support::Execute;

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use generated_client::models::{
    Changeset, CloneIModel, CreateChangeset, CreateIModel, CreateNamedVersion, Extent, ForkIModel,
    IModel, IModelState, LockLevel, LockedObjects, NamedVersion, Point, UpdateIModel, UpdateLocks,
};
use generated_client::runtime::Request;
use generated_client::{Client, Error, RawResponse, ResponseValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

const ITWIN: &str = "b1a8b7f0-5c2b-4a56-9c5b-6f0c8a2e2d11";
const IMODEL: &str = "5e19bee0-3aea-4355-a9f0-c6df9989ee7d";
const NAMED_VERSION: &str = "7c4fb6a2-0cf4-4f0e-8a5b-1b7bd0f1c0de";
const USER: &str = "3f0d7f24-9a57-4b8e-9d7b-6a1c2e4f5a60";
/// Changeset ids are SHA-1 hashes in the real API; the spec only says `string`.
const CHANGESET: &str = "d3c8a1b5e2f4071962a8b0c3d4e5f60718293a4b";

/// How long Prism may take to load the spec and listen.
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);
/// Attempts at a free port, in case another process takes the one we picked.
const PORT_ATTEMPTS: usize = 5;

#[test]
fn every_operation_passes_prism_validation_and_decodes() {
    let prism = Prism::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let failures = runtime.block_on(run_checks(&prism.base_url));
    if !failures.is_empty() {
        panic!(
            "{} of the contract checks failed against Prism {}:\n\n{}\n\n--- Prism's log ---\n{}",
            failures.len(),
            prism.base_url,
            failures.join("\n\n"),
            prism.log()
        );
    }
}

/// Runs every check and returns one message per failed check, each naming it.
async fn run_checks(base_url: &str) -> Vec<String> {
    let client = Client::builder()
        .base_url(base_url)
        .bearer_token("contract-test-token")
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds");
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut record = |name: &'static str, result: Result<(), String>| match result {
        Ok(()) => passed.push(name),
        Err(message) => {
            failed.push(name);
            failures.push(format!("{name}: {message}"));
        }
    };

    // The 21 operations of the spec, with valid inputs.
    record("GetIModels", get_imodels(&client).await);
    record("CreateIModel", create_imodel(&client).await);
    record("GetIModel", get_imodel(&client).await);
    record("UpdateIModel", update_imodel(&client).await);
    record("DeleteIModel", delete_imodel(&client).await);
    record("CloneIModel", clone_imodel(&client).await);
    record("ForkIModel", fork_imodel(&client).await);
    record("GetChangesets", get_changesets(&client).await);
    record("CreateChangeset", create_changeset(&client).await);
    record("GetChangeset", get_changeset(&client).await);
    record("GetNamedVersions", get_named_versions(&client).await);
    record("CreateNamedVersion", create_named_version(&client).await);
    record("GetNamedVersion", get_named_version(&client).await);
    record("GetBriefcases", get_briefcases(&client).await);
    record("AcquireBriefcase", acquire_briefcase(&client).await);
    record("GetLocks", get_locks(&client).await);
    record("UpdateLocks", update_locks(&client).await);
    record("GetIModelUsers", get_imodel_users(&client).await);
    record("GetIModelUser", get_imodel_user(&client).await);
    record("GetThumbnail", get_thumbnail(&client).await);
    record("GetBaselineFile", get_baseline_file(&client).await);

    // Prism really validates: requests that break the spec are refused.
    record(
        "Prism refuses GetIModels without iTwinId",
        missing_required_query_is_refused(&client).await,
    );
    record(
        "Prism refuses CreateIModel without name",
        invalid_body_is_refused(&client).await,
    );
    record(
        "Prism refuses a request without a bearer token",
        missing_token_is_refused(base_url).await,
    );

    // Every operation of the spec has a check above, and every check is an operation.
    let mut specified = operation_ids();
    let mut checked: Vec<&str> = passed
        .iter()
        .chain(&failed)
        .copied()
        .filter(|name| !name.starts_with("Prism "))
        .collect();
    specified.sort_unstable();
    checked.sort_unstable();
    if specified != checked {
        failures.push(format!(
            "coverage: the spec's operations are {specified:?} but the checks cover {checked:?}"
        ));
    }
    failures
}

/// The `operationId`s in `spec/imodels.yaml`, read as text (one `operationId: X` a line).
fn operation_ids() -> Vec<String> {
    let spec = std::fs::read_to_string(workspace_root().join("spec/imodels.yaml"))
        .expect("read spec/imodels.yaml");
    spec.lines()
        .filter_map(|line| line.trim().strip_prefix("operationId:"))
        .map(|id| id.trim().trim_matches(['\'', '"']).to_owned())
        .collect()
}

fn itwin() -> uuid::Uuid {
    ITWIN.parse().expect("uuid")
}

fn imodel() -> uuid::Uuid {
    IMODEL.parse().expect("uuid")
}

// --- checks, one per operation -------------------------------------------------------

async fn get_imodels(client: &Client) -> Result<(), String> {
    let page = client.get_imodels(itwin()).top(5).skip(0).send().await;
    let mut raw = Request::new("GetIModels", Method::GET, "/", "/".to_owned());
    raw.query("iTwinId", ITWIN);
    raw.query("$top", &5);
    raw.query("$skip", &0);
    raw.accept("application/json");
    let list = declared(page, 200, client, raw).await?;
    let items = array_len(&list, "iModels")?;
    expect(items > 0, "Prism's example list is not empty")?;

    // The paged stream sends `$top`/`$skip` that Prism accepts. Get iModels is a
    // linked list (spec/overlays/53-list-paging.yaml) and the seed's example page
    // Prism serves has no `_links.next`: the stream yields that page once and ends.
    use futures_util::StreamExt;
    let streamed: Vec<_> = client
        .get_imodels(itwin())
        .top(10)
        .into_stream()
        .collect()
        .await;
    let streamed = streamed
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("into_stream: {}", describe(&e)))?;
    expect(
        streamed.len() == items,
        "into_stream yields Prism's example page once",
    )?;
    expect(
        streamed[0].state == Some(IModelState::Initialized),
        "state decodes to a known variant",
    )
}

async fn create_imodel(client: &Client) -> Result<(), String> {
    let mut body = CreateIModel::new(itwin(), "Bridge design");
    body.description = Some("Contract test iModel".to_owned());
    body.extent = Some(Extent {
        south_west: Some(Point {
            latitude: Some(46.13267702834806),
            longitude: Some(7.672120009938448),
        }),
        north_east: Some(Point {
            latitude: Some(46.302763954781234),
            longitude: Some(7.835541640797823),
        }),
    });
    let created: IModel = seed_shaped(client.create_imodel(body).send_raw().await, 201)?;
    expect(created.id.is_some(), "the created iModel has an id")
}

async fn get_imodel(client: &Client) -> Result<(), String> {
    let model: IModel = seed_shaped(client.get_imodel(imodel()).send_raw().await, 200)?;
    expect(
        model.id.is_some() && model.created_date_time.is_some(),
        "id and createdDateTime decode",
    )
}

async fn update_imodel(client: &Client) -> Result<(), String> {
    let body = UpdateIModel {
        name: Some("Bridge design v2".to_owned()),
        description: Some("Renamed by the contract test".to_owned()),
    };
    schemaless(client.update_imodel(imodel(), body).send_raw().await, 200)
}

async fn delete_imodel(client: &Client) -> Result<(), String> {
    schemaless(client.delete_imodel(imodel()).send().await, 204)
}

async fn clone_imodel(client: &Client) -> Result<(), String> {
    let mut body = CloneIModel::new(itwin(), "Bridge design (clone)");
    body.changeset_id = Some(CHANGESET.to_owned());
    schemaless(client.clone_imodel(imodel(), body).send().await, 202)
}

async fn fork_imodel(client: &Client) -> Result<(), String> {
    let mut body = ForkIModel::new(itwin(), "Bridge design (fork)");
    body.changeset_id = Some(CHANGESET.to_owned());
    schemaless(client.fork_imodel(imodel(), body).send().await, 202)
}

async fn get_changesets(client: &Client) -> Result<(), String> {
    let mut raw = Request::new(
        "GetChangesets",
        Method::GET,
        "/{iModelId}/changesets",
        format!("/{IMODEL}/changesets"),
    );
    raw.accept("application/json");
    let list = declared(
        client.get_changesets(imodel()).send().await,
        200,
        client,
        raw,
    )
    .await?;
    expect(
        array_len(&list, "changesets")? > 0,
        "the list has Prism's example changeset",
    )
}

async fn create_changeset(client: &Client) -> Result<(), String> {
    // The live API needs a body (spec/overlays/71-changeset-push.yaml); the seed
    // declares none, so Prism refuses the one the client sends, and only for that.
    let body = CreateChangeset::new(CHANGESET, 2, 1024);
    refused(
        client.create_changeset(imodel(), body).send_raw().await,
        415,
        "request included a non-empty body",
    )
}

async fn get_changeset(client: &Client) -> Result<(), String> {
    let changeset: Changeset = seed_shaped(
        client.get_changeset(imodel(), CHANGESET).send_raw().await,
        200,
    )?;
    expect(
        changeset.push_date_time.is_some() && changeset.file_size.is_some(),
        "pushDateTime and fileSize decode",
    )
}

async fn get_named_versions(client: &Client) -> Result<(), String> {
    let mut raw = Request::new(
        "GetNamedVersions",
        Method::GET,
        "/{iModelId}/namedversions",
        format!("/{IMODEL}/namedversions"),
    );
    raw.accept("application/json");
    let list = declared(
        client.get_named_versions(imodel()).send().await,
        200,
        client,
        raw,
    )
    .await?;
    expect(
        array_len(&list, "namedVersions")? > 0,
        "the list has Prism's example named version",
    )
}

async fn create_named_version(client: &Client) -> Result<(), String> {
    let mut body = CreateNamedVersion::new("Milestone 1", CHANGESET);
    body.description = Some("Design review".to_owned());
    schemaless(
        client.create_named_version(imodel(), body).send_raw().await,
        201,
    )
}

async fn get_named_version(client: &Client) -> Result<(), String> {
    let id = NAMED_VERSION.parse().expect("uuid");
    let version: NamedVersion =
        seed_shaped(client.get_named_version(imodel(), id).send_raw().await, 200)?;
    expect(
        version
            .state
            .as_ref()
            .is_some_and(|s| s.as_str() == "visible"),
        "state decodes",
    )
}

async fn get_briefcases(client: &Client) -> Result<(), String> {
    schemaless(client.get_briefcases(imodel()).send_raw().await, 200)
}

async fn acquire_briefcase(client: &Client) -> Result<(), String> {
    schemaless(client.acquire_briefcase(imodel()).send_raw().await, 201)
}

async fn get_locks(client: &Client) -> Result<(), String> {
    schemaless(client.get_locks(imodel()).send_raw().await, 200)
}

async fn update_locks(client: &Client) -> Result<(), String> {
    let body = UpdateLocks::new(
        2,
        vec![LockedObjects {
            lock_level: Some(LockLevel::Exclusive),
            object_ids: vec!["0x1".to_owned()],
        }],
    );
    // As with CreateChangeset: the body of spec/overlays/61-locks.yaml is not the seed's.
    refused(
        client.update_locks(imodel(), body).send_raw().await,
        415,
        "request included a non-empty body",
    )
}

async fn get_imodel_users(client: &Client) -> Result<(), String> {
    schemaless(client.get_imodel_users(imodel()).send_raw().await, 200)
}

async fn get_imodel_user(client: &Client) -> Result<(), String> {
    let user = USER.parse().expect("uuid");
    schemaless(client.get_imodel_user(imodel(), user).send_raw().await, 200)
}

async fn get_thumbnail(client: &Client) -> Result<(), String> {
    let success = client
        .get_thumbnail(imodel())
        .send()
        .await
        .map_err(|e| undeclared_or_describe(e, 200))?;
    let content_type = success
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = success.status();
    let bytes = success.into_inner();
    expect(status == StatusCode::OK, "status is 200")?;
    expect(
        content_type.as_deref() == Some("image/png"),
        "Content-Type is image/png",
    )?;
    expect(!bytes.is_empty(), "the image body is not empty")
}

async fn get_baseline_file(client: &Client) -> Result<(), String> {
    schemaless(client.get_baseline_file(imodel()).send_raw().await, 200)
}

// --- Prism validates ---------------------------------------------------------------

async fn missing_required_query_is_refused(client: &Client) -> Result<(), String> {
    let mut request = Request::new("GetIModels", Method::GET, "/", "/".to_owned());
    request.accept("application/json");
    refused(client.execute(request).await, 422, "itwinid")
}

async fn invalid_body_is_refused(client: &Client) -> Result<(), String> {
    let mut request = Request::new("CreateIModel", Method::POST, "/", "/".to_owned());
    request
        .json_body(&serde_json::json!({ "iTwinId": ITWIN }), "application/json")
        .map_err(|e| describe(&e))?;
    request.accept("application/json");
    refused(client.execute(request).await, 422, "name")
}

async fn missing_token_is_refused(base_url: &str) -> Result<(), String> {
    let anonymous = Client::builder()
        .base_url(base_url)
        .build()
        .map_err(|e| describe(&e))?;
    let result = anonymous.get_imodel(imodel()).send().await;
    refused(result.map(|s| format!("{:?}", s.status())), 401, "security")
}

// --- helpers ---------------------------------------------------------------------

/// A typed operation's result: the declared status, decoded into the model, and the
/// model carries every field Prism sent (re-serialised it equals the body of the same
/// request sent raw, so no field was dropped or misnamed).
async fn declared<T: Serialize>(
    result: Result<ResponseValue<T>, Error>,
    status: u16,
    client: &Client,
    raw_request: Request,
) -> Result<T, String> {
    let value = result.map_err(|e| undeclared_or_describe(e, status))?;
    if value.status().as_u16() != status {
        return Err(format!("status {} instead of {status}", value.status()));
    }
    let decoded = value.into_inner();
    let raw = client
        .execute(raw_request)
        .await
        .map_err(|e| format!("the same request sent raw: {}", describe(&e)))?;
    let sent: serde_json::Value = raw.json().map_err(|e| e.to_string())?;
    let round_trip = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    if round_trip != sent {
        return Err(format!(
            "the decoded model lost or changed fields\n  Prism sent: {sent}\n  decoded:    {round_trip}"
        ));
    }
    Ok(decoded)
}

/// An answer an overlay reshapes, read raw and held to the seed's shape: the
/// declared status, a body that decodes as `T`, and nothing lost in decoding.
fn seed_shaped<T: DeserializeOwned + Serialize>(
    result: Result<RawResponse, Error>,
    status: u16,
) -> Result<T, String> {
    let raw = result.map_err(|e| describe(&e))?;
    if raw.status().as_u16() != status {
        return Err(format!("status {} instead of {status}", raw.status()));
    }
    let decoded: T = raw.json().map_err(|e| e.to_string())?;
    let sent: serde_json::Value = raw.json().map_err(|e| e.to_string())?;
    let round_trip = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    if round_trip != sent {
        return Err(format!(
            "the decoded model lost or changed fields\n  Prism sent: {sent}\n  decoded:    {round_trip}"
        ));
    }
    Ok(decoded)
}

/// A schemaless operation's result: the declared status and Prism's empty body.
fn schemaless(result: Result<RawResponse, Error>, status: u16) -> Result<(), String> {
    let raw = result.map_err(|e| describe(&e))?;
    if raw.status().as_u16() != status {
        return Err(format!("status {} instead of {status}", raw.status()));
    }
    expect(
        raw.body().is_empty(),
        "Prism sends no body where the spec declares none",
    )
}

/// Prism refused the request with `status`, and its problem report mentions `needle`.
fn refused<T: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    needle: &str,
) -> Result<(), String> {
    match result {
        Err(Error::Api(error)) if error.status().as_u16() == status => {
            let body = error.body_text();
            expect(
                body.to_lowercase().contains(needle),
                &format!("Prism's answer mentions `{needle}`: {body}"),
            )
        }
        other => Err(format!(
            "expected Error::Api with status {status}, got {other:?}"
        )),
    }
}

fn undeclared(raw: &RawResponse, status: u16) -> String {
    format!(
        "undeclared status {} instead of {status}; body: {}",
        raw.status(),
        String::from_utf8_lossy(raw.body())
    )
}

/// An undeclared 2xx instead of `status`, or any other error described.
fn undeclared_or_describe(error: Error, status: u16) -> String {
    match error {
        Error::UndeclaredStatus(raw) => undeclared(&raw, status),
        other => describe(&other),
    }
}

/// An error, with Prism's whole problem report when it answered with one.
fn describe<E: std::fmt::Debug>(error: &generated_client::runtime::Error<E>) -> String {
    use generated_client::runtime::Error;
    match error {
        Error::Api(api) if api.status() == StatusCode::UNPROCESSABLE_ENTITY => format!(
            "Prism answered 422: the request breaks the spec. Prism says: {}",
            api.body_text()
        ),
        Error::Api(api) => format!("Prism answered {}: {}", api.status(), api.body_text()),
        Error::Decode(decode) => format!("{decode}; body: {}", decode.body_text()),
        other => format!("{other} ({other:?})"),
    }
}

/// The length of the array property `key` of a model, read through its JSON form.
fn array_len<T: Serialize>(model: &T, key: &str) -> Result<usize, String> {
    let value = serde_json::to_value(model).map_err(|e| e.to_string())?;
    value[key]
        .as_array()
        .map(Vec::len)
        .ok_or_else(|| format!("`{key}` is not an array in {value}"))
}

fn expect(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(format!("expected: {what}"))
    }
}

// --- the Prism process ----------------------------------------------------------------

/// The workspace root: this crate's parent folder.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generated-client/ has a parent")
        .to_owned()
}

/// `PRISM_BIN` if set, else the copy `cargo xtask prism` installs; missing is a failure.
fn prism_binary() -> PathBuf {
    let installed = workspace_root().join("target/prism/node_modules/.bin/prism");
    let from_env = std::env::var_os("PRISM_BIN").filter(|v| !v.is_empty());
    let candidate = from_env.clone().map_or(installed.clone(), PathBuf::from);
    if candidate.is_file() {
        return candidate;
    }
    panic!(
        "the Prism mock server is not installed: {}. \
         Run `cargo xtask test` (installs it and runs every test) or `cargo xtask prism` \
         (installs it into target/prism/), then run this test again.",
        match from_env {
            Some(path) => format!("PRISM_BIN is {path:?}, which is not a file"),
            None => format!(
                "PRISM_BIN is not set and {} does not exist",
                installed.display()
            ),
        }
    );
}

/// A running Prism, stopped (with every process it started) when dropped.
struct Prism {
    child: Child,
    /// Closing this tells the watchdog shell to stop Prism; see [`WATCHDOG`].
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<Vec<u8>>>,
    base_url: String,
}

/// Runs Prism (`"$@"`) in the background and exits with its status. The shell leads a
/// process group of its own, and stops that whole group when its standard input (a pipe
/// from this test) reaches end of file, so Prism also stops when the test process dies
/// without running destructors (Ctrl-C, a harness timeout).
const WATCHDOG: &str = r#"
exec 3<&0
"$@" </dev/null 3<&- &
prism=$!
(read -r _ <&3; kill -s TERM -- "-$$") &
watchdog=$!
exec 3<&-
wait "$prism"
status=$?
kill "$watchdog" 2>/dev/null
exit "$status"
"#;

impl Prism {
    fn start() -> Prism {
        let binary = prism_binary();
        let spec = workspace_root().join("spec/imodels.yaml");
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let mut prism = Prism::spawn(&binary, &spec, port);
            match prism.wait_until_listening(port) {
                Ok(()) => return prism,
                Err(Startup::PortTaken) => last_log = prism.log(),
                Err(Startup::Failed(why)) => {
                    panic!(
                        "Prism did not start: {why}\n--- Prism's log ---\n{}",
                        prism.log()
                    )
                }
            }
        }
        panic!(
            "Prism found every port it was given taken ({PORT_ATTEMPTS} tries)\n--- Prism's log ---\n{last_log}"
        );
    }

    fn spawn(binary: &Path, spec: &Path, port: u16) -> Prism {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("prism-watchdog") // `$0`; Prism's command line is `"$@"`
            .arg(binary)
            .arg("mock")
            .arg(spec)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            // Violations are errors, examples are static (deterministic), no ANSI colours.
            .args(["--errors", "--dynamic=false"])
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {} through sh: {e}", binary.display()));
        let output = Arc::new(Mutex::new(Vec::new()));
        // Drained continuously so a chatty Prism never blocks on a full pipe.
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = Arc::clone(&output);
            std::thread::spawn(move || drain(stream, &output));
        }
        Prism {
            stdin: child.stdin.take(),
            child,
            output,
            base_url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn wait_until_listening(&mut self, port: u16) -> Result<(), Startup> {
        let started = Instant::now();
        let listening = format!("Prism is listening on http://127.0.0.1:{port}");
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Give the drain threads a moment to collect the last words.
                std::thread::sleep(Duration::from_millis(200));
                let log = self.log();
                return Err(if log.contains("EADDRINUSE") {
                    Startup::PortTaken
                } else {
                    Startup::Failed(format!("it exited with {status}"))
                });
            }
            if self.log().contains(&listening)
                && TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > STARTUP_DEADLINE {
                return Err(Startup::Failed(format!(
                    "it did not listen on port {port} within {STARTUP_DEADLINE:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Everything Prism printed so far, stdout and stderr interleaved.
    fn log(&self) -> String {
        let output = self.output.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&output).into_owned()
    }
}

enum Startup {
    PortTaken,
    Failed(String),
}

impl Drop for Prism {
    fn drop(&mut self) {
        // The group id is the shell's PID (`process_group(0)`); until it is reaped
        // below, that PID cannot be reused, so the signals reach only our processes.
        let group = format!("-{}", self.child.id());
        let signal = |name: &str| {
            let _ = Command::new("kill")
                .args(["-s", name, "--", &group])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        drop(self.stdin.take());
        signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            // `kill -0` succeeds while any process of the group (even a zombie) remains;
            // the leader is a zombie until reaped, so look at its state instead.
            match std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())) {
                Ok(stat)
                    if stat
                        .rsplit(')')
                        .next()
                        .is_some_and(|s| s.trim_start().starts_with('Z')) =>
                {
                    break
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(50)),
                Err(_) => break,
            }
        }
        signal("KILL");
        let _ = self.child.wait();
    }
}

fn drain(mut stream: Box<dyn Read + Send>, output: &Mutex<Vec<u8>>) {
    let mut buffer = [0_u8; 8192];
    while let Ok(read) = stream.read(&mut buffer) {
        if read == 0 {
            break;
        }
        output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(&buffer[..read]);
    }
}

/// A port that was free a moment ago: bound on loopback, then released.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("bind a loopback port")
}
