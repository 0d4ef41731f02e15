//! `cogov explore`: the model in a browser. A local HTTP server (axum on tokio) serves one page whose
//! assets are compiled into the binary, and an API that takes parameter values — never paths —
//! validates them as a scenario file is validated, and streams a run month by month as server-sent
//! events. What the page computes lives in [`session`]; this file is the HTTP surface, documented in
//! `openapi.json` (served at `/api/openapi.json`).

// A handler answers with a response whether it succeeds or not; its early returns carry one.
#![allow(clippy::result_large_err)]

pub mod messages;
pub mod session;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use crate::error::{Error, InputError, Result};
use crate::output::stats::t975;
use crate::scenario::Params;
use crate::scenario::registry::{Lever, registry};
use session::{Ended, Gate, Presets, Settings};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");
/// The HTTP API, as an OpenAPI 3.0 document.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Runs in flight at once, over all pages (each steps its worlds on the shared thread pool).
const RUNS_AT_ONCE: usize = 4;
/// Pages remembered at once (a page that comes back after eviction simply starts a new run).
const MAX_CLIENTS: usize = 256;
/// Longest a request waits for a free run before it is told the server is busy.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// How `cogov explore` was asked to serve.
pub struct ExploreOptions {
    pub scenario: Option<Params>,
    pub host: IpAddr,
    pub port: u16,
    pub open: bool,
    pub threads: Option<usize>,
    pub max_agent_steps: f64,
}

struct App {
    presets: Presets,
    pool: rayon::ThreadPool,
    meta: String,
    openapi: String,
    clients: Mutex<HashMap<String, Arc<Gate>>>,
    runs: Arc<Semaphore>,
}

/// Serve until Ctrl-C (or SIGTERM). Prints the address first, on its own line.
pub fn serve(opts: ExploreOptions) -> Result<()> {
    let mut presets = Presets::new(opts.scenario)?;
    presets.max_agent_steps = opts.max_agent_steps;
    let pool = crate::engine::thread_pool(opts.threads)?;
    let meta = meta(&presets).to_string();
    let openapi = openapi(&presets);
    let app = Arc::new(App {
        presets,
        pool,
        meta,
        openapi,
        clients: Mutex::new(HashMap::new()),
        runs: Arc::new(Semaphore::new(RUNS_AT_ONCE)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(opts.host, opts.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            InputError::Usage(format!(
                "cannot listen on {addr}: {e} (give another --port, or 0 for any free one)"
            ))
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| Error::io("the listening socket", e))?;
        let url = format!("http://{bound}/");
        if !opts.host.is_loopback() {
            eprintln!(
                "warning: listening on {bound}: anyone who can reach this address can run the model"
            );
        }
        println!("cogov explore: {url}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        if opts.open {
            open_browser(&url);
        }
        axum::serve(listener, router(app))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Error::io("the HTTP server", e))
    })
}

/// The OpenAPI document with this server's preset names as the allowed values of a preset and a
/// baseline, so that a client (or a fuzzer) knows them from the schema alone.
fn openapi(presets: &Presets) -> String {
    let mut doc: Json = serde_json::from_str(OPENAPI).expect("the compiled-in OpenAPI document");
    let names: Vec<Json> = presets
        .list
        .iter()
        .map(|p| Json::String(p.name.clone()))
        .collect();
    let schemas = &mut doc["components"]["schemas"];
    schemas["Settings"]["properties"]["preset"]["enum"] = Json::Array(names.clone());
    schemas["RunRequest"]["properties"]["baseline"]["enum"] = Json::Array(names);
    doc.to_string()
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("warning: could not start a browser ({opener}: {e}); open {url} yourself");
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/api/openapi.json",
            get(|State(app): State<Arc<App>>| async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    app.openapi.clone(),
                )
                    .into_response()
            }),
        )
        .route("/api/meta", get(meta_handler))
        .route("/api/check", post(check))
        .route("/api/run", post(run))
        .route("/api/control", post(control))
        .route("/api/toml", post(toml_handler))
        .route("/api/csv", post(csv_handler))
        .route("/api/levers", post(levers))
        .fallback(|| async {
            problem(
                StatusCode::NOT_FOUND,
                &InputError::Usage("no such page or API".into()),
            )
        })
        .with_state(app)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// An error as the page shows it: `{"error": {"en", "zh", "key"}}`.
fn problem(status: StatusCode, e: &InputError) -> Response {
    (status, axum::Json(json!({ "error": messages::both(e) }))).into_response()
}

fn failure(e: Error) -> Response {
    match e {
        Error::Input(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e),
        other => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &InputError::Usage(other.to_string()),
        ),
    }
}

/// A JSON body, or the located reason it is not one of `T`.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> std::result::Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            &InputError::Usage(format!("{}: the request body: {e}", session::SOURCE)),
        )
    })
}

async fn meta_handler(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.meta.clone(),
    )
        .into_response()
}

/// Everything the page builds its controls from: keys, levers, presets and the t table.
fn meta(presets: &Presets) -> Json {
    let reg = registry();
    let cap = presets.max_agent_steps;
    let keys: Vec<Json> = reg
        .keys
        .iter()
        .map(|k| {
            let control = session::control(k);
            json!({
                "path": k.path,
                "section": k.section(),
                "unit": k.unit,
                "control": control,
                "bounds": k.valid.bounds().map(|(lo, hi)| [lo, hi]),
                "plausible": k.plausible,
                "choices": k.choices(),
                "default": serde_json::to_value(k.default_value()).unwrap_or(Json::Null),
                "allowed": k.allowed(),
                "lever": k.lever.map(|l| l.name()),
                "source": k.source,
                "en": k.en,
                "zh": k.zh,
                "edit": k.edit,
            })
        })
        .collect();
    let (on, off) = session::lever_ends(presets);
    let levers: Vec<Json> = Lever::ALL
        .iter()
        .map(|&l| {
            let text = reg.lever_text(l);
            let ends = |p: &Params| -> serde_json::Map<String, Json> {
                reg.lever(l)
                    .filter_map(|k| Some((k.path.clone(), session::value_of(p, &k.path)?)))
                    .collect()
            };
            json!({
                "name": l.name(), "number": l.number(), "term_zh": text.term_zh,
                "en": text.en, "zh": text.zh,
                "keys": reg.lever(l).map(|k| k.path.clone()).collect::<Vec<_>>(),
                "on": ends(on), "off": ends(off),
            })
        })
        .collect();
    let presets: Vec<Json> = presets
        .list
        .iter()
        .map(|p| {
            let values: serde_json::Map<String, Json> = reg
                .keys
                .iter()
                .filter_map(|k| Some((k.path.clone(), session::value_of(&p.params, &k.path)?)))
                .collect();
            json!({ "name": p.name, "values": values })
        })
        .collect();
    let t: Vec<f64> = (1..=200).map(t975).collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "keys": keys,
        "levers": levers,
        "sections": reg.sections.iter().map(|s| json!({"name": s.name, "zh": s.zh})).collect::<Vec<_>>(),
        "presets": presets,
        "charted": session::CHARTED.iter().map(|i| json!({"name": i.name(), "unit": i.unit()})).collect::<Vec<_>>(),
        "t975": t,
        "limits": { "agent_steps": cap, "bytes": session::MAX_BYTES },
    })
}

/// Resolve the page's settings on a blocking thread (validation is quick; a file preset is not read).
fn resolved(app: &App, settings: &Settings) -> std::result::Result<Params, Response> {
    session::resolve(&app.presets, settings)
        .map_err(|e| problem(StatusCode::UNPROCESSABLE_ENTITY, &e))
}

async fn check(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let settings: Settings = match body(&bytes) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match resolved(&app, &settings) {
        Ok(p) => {
            let levers: serde_json::Map<String, Json> = Lever::ALL
                .iter()
                .map(|&l| {
                    (
                        l.name().to_string(),
                        json!(session::lever_state(&app.presets, &p, l)),
                    )
                })
                .collect();
            let agents = crate::model::run::agent_counts(&p).stepped();
            axum::Json(json!({ "name": p.name, "agents": agents, "levers": levers }))
                .into_response()
        }
        Err(r) => r,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// The page's id: a new run of the same page cancels its run in flight.
    client: String,
    settings: Settings,
    /// The preset the scenario is compared with (at the scenario's seed, steps and replicates).
    baseline: String,
    /// The region of the agent view.
    #[serde(default)]
    region: usize,
    /// Start paused (the page then steps or resumes).
    #[serde(default)]
    paused: bool,
}

fn client_ok(id: &str) -> std::result::Result<(), Response> {
    if (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &InputError::OutOfRange {
                file: session::SOURCE.into(),
                key: "client".into(),
                value: format!("{id:?}"),
                allowed: "1 to 64 letters, digits, - or _".into(),
            },
        ))
    }
}

async fn run(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let req: RunRequest = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = client_ok(&req.client) {
        return r;
    }
    let params = match resolved(&app, &req.settings) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let base = match app
        .presets
        .get(&req.baseline)
        .map_err(|e| {
            let mut e = e;
            if let InputError::OutOfRange { key, .. } = &mut e {
                *key = "baseline".into();
            }
            e
        })
        .and_then(|b| session::paired_with(&b.params, &req.settings, &params))
    {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    // One run per page: a new one cancels the one in flight.
    let gate = Arc::new(Gate::new(req.paused));
    {
        let mut clients = app.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = clients.insert(req.client.clone(), gate.clone()) {
            old.cancel();
        }
        if clients.len() > MAX_CLIENTS {
            clients.retain(|_, g| !g.cancelled() && Arc::strong_count(g) > 1);
        }
    }
    let Some(permit) = permit(&app).await else {
        return busy();
    };
    let (tx, rx) = mpsc::channel::<std::result::Result<Event, Infallible>>(64);
    let worker = app.clone();
    tokio::task::spawn_blocking(move || {
        // The permit is held for the whole run: it bounds the runs in flight.
        let _permit = permit;
        let send = |event: Event| tx.blocking_send(Ok(event)).is_ok();
        let alive = || !tx.is_closed();
        let ended = session::stream(
            &worker.pool,
            &params,
            &base,
            req.region,
            &gate,
            &alive,
            |frame| {
                let data = serde_json::to_string(&frame).expect("a frame serializes");
                let ok = send(Event::default().event("month").data(data));
                if !ok {
                    gate.cancel();
                }
                ok
            },
        );
        match ended {
            Ok(Ended::Done(done)) => {
                let data = serde_json::to_string(&done).expect("a result serializes");
                send(Event::default().event("done").data(data));
            }
            Ok(Ended::Stopped) => {}
            Err(e) => {
                let data = json!({ "error": messages::both(&InputError::Usage(e.to_string())) });
                send(Event::default().event("failed").data(data.to_string()));
            }
        }
        let mut clients = worker.clients.lock().unwrap_or_else(|e| e.into_inner());
        if clients
            .get(&req.client)
            .is_some_and(|g| Arc::ptr_eq(g, &gate))
        {
            clients.remove(&req.client);
        }
    });
    Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    client: String,
    action: String,
}

async fn control(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let req: ControlRequest = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = client_ok(&req.client) {
        return r;
    }
    let gate = app
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&req.client)
        .cloned();
    let Some(gate) = gate else {
        return problem(
            StatusCode::NOT_FOUND,
            &InputError::Usage(format!(
                "{}: no run in flight for this page",
                session::SOURCE
            )),
        );
    };
    match req.action.as_str() {
        "pause" => gate.pause(),
        "resume" => gate.resume(),
        "step" => gate.step(),
        "stop" => gate.cancel(),
        other => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &InputError::OutOfRange {
                    file: session::SOURCE.into(),
                    key: "action".into(),
                    value: format!("{other:?}"),
                    allowed: "one of [\"pause\", \"resume\", \"step\", \"stop\"]".into(),
                },
            );
        }
    }
    axum::Json(json!({ "ok": true })).into_response()
}

async fn toml_handler(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let settings: Settings = match body(&bytes) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match resolved(&app, &settings) {
        Ok(p) => {
            let text = format!(
                "# Written by cogov explore {}; run it with `cogov run {}.toml`.\n{}",
                env!("CARGO_PKG_VERSION"),
                p.name,
                p.to_toml()
            );
            download("application/toml", &format!("{}.toml", p.name), text)
        }
        Err(r) => r,
    }
}

fn download(kind: &'static str, file: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One of the run permits, waiting at most [`QUEUE_WAIT`].
async fn permit(app: &Arc<App>) -> Option<tokio::sync::OwnedSemaphorePermit> {
    tokio::time::timeout(QUEUE_WAIT, app.runs.clone().acquire_owned())
        .await
        .ok()?
        .ok()
}

fn busy() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        &InputError::Usage("the explorer is busy with other runs; try again in a moment".into()),
    )
}

/// Run a model call on a blocking thread, holding one of the run permits.
async fn compute<T: Send + 'static>(
    app: Arc<App>,
    f: impl FnOnce(&App) -> Result<T> + Send + 'static,
) -> std::result::Result<T, Response> {
    let Some(permit) = permit(&app).await else {
        return Err(busy());
    };
    let worker = app.clone();
    let out = tokio::task::spawn_blocking(move || f(&worker))
        .await
        .map_err(|e| failure(Error::Invariant(format!("a run stopped: {e}"))))?;
    drop(permit);
    out.map_err(failure)
}

async fn csv_handler(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let settings: Settings = match body(&bytes) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let params = match resolved(&app, &settings) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let name = params.name.clone();
    match compute(app, move |a| session::timeseries_csv(&a.pool, &params)).await {
        Ok(text) => download(
            "text/csv; charset=utf-8",
            &format!("{name}-timeseries.csv"),
            text,
        ),
        Err(r) => r,
    }
}

async fn levers(State(app): State<Arc<App>>, bytes: Bytes) -> Response {
    let settings: Settings = match body(&bytes) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = resolved(&app, &settings) {
        return r;
    }
    match compute(app, move |a| {
        session::lever_bars(&a.pool, &a.presets, &settings)
    })
    .await
    {
        Ok(bars) => axum::Json(json!({ "bars": bars })).into_response(),
        Err(r) => r,
    }
}
