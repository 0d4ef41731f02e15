//! `cogov explore` end to end: the binary serves on a free port and is driven over plain HTTP, as a
//! page (or any client of the published API) drives it.
#![cfg(feature = "explore")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value as Json, json};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Server {
    let mut child = common::command()
        .args(["explore", "--port", "0", "--threads", "2"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("cogov explore: http://")
        .unwrap_or_else(|| panic!("first line names the address: {line:?}"));
    Server {
        child,
        addr: url.trim_end_matches('/').to_string(),
    }
}

/// Send one request; HTTP/1.0 so the answer is delimited by the connection's end, not chunked.
fn send(s: &Server, method: &str, path: &str, body: &str) -> TcpStream {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        c,
        "{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.addr,
        body.len()
    )
    .unwrap();
    c
}

/// Status and body of one request.
fn request(s: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut text = String::new();
    send(s, method, path, body)
        .read_to_string(&mut text)
        .unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

fn post(s: &Server, path: &str, body: &Json) -> (u16, String) {
    request(s, "POST", path, &body.to_string())
}

/// A small run: three regions, few agents, a few months.
fn settings(preset: &str, extra: &[(&str, Json)]) -> Json {
    let mut set = json!({
        "steps": 6, "replicates": 3, "world.regions": 3,
        "enterprises.per_region": 30, "public.per_region": 80,
    });
    for (k, v) in extra {
        set[*k] = v.clone();
    }
    json!({ "preset": preset, "set": set })
}

/// Server-sent events of one stream, read as they arrive.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(s: &Server, run: &Json) -> Events {
        let mut r = BufReader::new(send(s, "POST", "/api/run", &run.to_string()));
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert!(line.contains(" 200 "), "{line}");
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        Events(r)
    }

    /// The next event's name and data; None at the stream's end.
    fn next(&mut self) -> Option<(String, Json)> {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            if self.0.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            } else if line.is_empty() && !name.is_empty() {
                return Some((name, serde_json::from_str(&data).unwrap()));
            }
        }
    }

    fn rest(mut self) -> Vec<String> {
        let mut names = Vec::new();
        while let Some((n, _)) = self.next() {
            names.push(n);
        }
        names
    }
}

fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|c| *c == name).unwrap();
    lines
        .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn the_pages_numbers_are_cogov_run_of_the_downloaded_toml_byte_for_byte() {
    let s = serve(&[]);
    let page = settings(
        "china-2020",
        &[("law.fine", json!(0.12)), ("seed", json!(7))],
    );
    let (status, toml) = post(&s, "/api/toml", &page);
    assert_eq!(status, 200, "{toml}");
    let dir = common::scratch("explore", "toml", true);
    let file = dir.join("page.toml");
    std::fs::write(&file, &toml).unwrap();
    let f = file.to_str().unwrap();
    let check = common::cogov(&["check", f]);
    assert!(check.status.success(), "{}", common::stderr(&check));
    let out = dir.join("out");
    let run = common::cogov(&["run", f, "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let written = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let (status, csv) = post(&s, "/api/csv", &page);
    assert_eq!(status, 200, "{csv}");
    assert_eq!(csv, written, "the page's CSV and cogov run's differ");

    // The streamed months are the same numbers, replicate by replicate.
    let mut events = Events::open(
        &s,
        &json!({ "client": "t1", "settings": page, "baseline": "fragmented" }),
    );
    let pollution = column(&csv, "pollution_mean");
    let replicates = column(&csv, "replicate");
    let mut months = 0;
    while let Some((name, data)) = events.next() {
        if name != "month" {
            assert_eq!(name, "done");
            let readings = data["readings"].as_array().unwrap();
            assert_eq!(readings[0]["metric"], "pollution_mean");
            assert!(readings[0]["en"].as_str().unwrap().contains("fragmented"));
            break;
        }
        months += 1;
        let streamed: Vec<f64> = data["scenario"]["values"]["pollution_mean"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let from_csv: Vec<f64> = (0..3)
            .map(|r| {
                let rows: Vec<usize> = (0..pollution.len())
                    .filter(|&i| replicates[i] == r as f64)
                    .collect();
                pollution[rows[months - 1]]
            })
            .collect();
        assert_eq!(streamed, from_csv, "month {months}");
    }
    assert_eq!(months, 6);
}

#[test]
fn bad_values_get_the_located_message_and_paths_are_refused() {
    let s = serve(&[]);
    let (status, body) = post(
        &s,
        "/api/check",
        &settings("fragmented", &[("law.fine", json!(-2))]),
    );
    assert_eq!(status, 422, "{body}");
    let e: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(e["error"]["key"], "law.fine");
    let en = e["error"]["en"].as_str().unwrap();
    assert!(
        en.contains("the page") && en.contains("law.fine") && en.contains("-2"),
        "{en}"
    );
    assert!(!e["error"]["zh"].as_str().unwrap().is_empty());

    for preset in ["../scenarios/fragmented.toml", "/etc/passwd"] {
        let (status, body) = post(
            &s,
            "/api/run",
            &json!({ "client": "p", "settings": { "preset": preset }, "baseline": "fragmented" }),
        );
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("preset"), "{body}");
    }
    let (status, body) = post(
        &s,
        "/api/check",
        &json!({ "preset": "fragmented", "file": "/etc/passwd" }),
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = request(&s, "POST", "/api/check", "{not json");
    assert_eq!(status, 400, "{body}");
    let (status, body) = post(
        &s,
        "/api/check",
        &settings(
            "fragmented",
            &[
                ("public.per_region", json!(3_000_000)),
                ("steps", json!(600)),
            ],
        ),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("explorer"), "{body}");
    let (status, _) = request(&s, "GET", "/scenarios/fragmented.toml", "");
    assert_eq!(status, 404);
    let (status, body) = post(
        &s,
        "/api/control",
        &json!({ "client": "nobody", "action": "step" }),
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = post(
        &s,
        "/api/run",
        &json!({ "client": "../x", "settings": settings("fragmented", &[]), "baseline": "fragmented" }),
    );
    assert_eq!(status, 422, "{body}");
}

#[test]
fn a_new_run_cancels_the_old_pause_steps_one_month_and_a_vanished_page_is_survived() {
    let s = serve(&[]);
    let long = settings("fragmented", &[("steps", json!(400))]);
    let run = |client: &str, paused: bool| json!({ "client": client, "settings": long, "baseline": "coordinated", "paused": paused });

    // A page that goes away mid-stream.
    let mut gone = Events::open(&s, &run("gone", false));
    assert_eq!(gone.next().unwrap().0, "month");
    drop(gone);

    // The same page starting a new run ends the one in flight.
    let mut first = Events::open(&s, &run("same", false));
    assert_eq!(first.next().unwrap().0, "month");
    let mut second = Events::open(&s, &run("same", true));
    let names = first.rest();
    assert!(
        !names.contains(&"done".to_string()),
        "the first run finished: {names:?}"
    );

    // The second started paused: one step, one month.
    let (status, body) = post(
        &s,
        "/api/control",
        &json!({ "client": "same", "action": "step" }),
    );
    assert_eq!(status, 200, "{body}");
    let (name, data) = second.next().unwrap();
    assert_eq!((name.as_str(), data["month"].as_u64()), ("month", Some(1)));
    second
        .0
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut line = String::new();
    let more = second.0.read_line(&mut line);
    assert!(
        more.is_err() || line.starts_with(':') || line.trim().is_empty(),
        "a paused run went on: {line:?}"
    );
    second
        .0
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let (status, _) = post(
        &s,
        "/api/control",
        &json!({ "client": "same", "action": "stop" }),
    );
    assert_eq!(status, 200);
    drop(second);

    // The server still serves a whole run.
    let mut events = Events::open(
        &s,
        &json!({ "client": "after", "settings": settings("fragmented", &[]), "baseline": "coordinated" }),
    );
    let mut names = Vec::new();
    while let Some((n, _)) = events.next() {
        names.push(n);
    }
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names.last().unwrap(), "done");
    let (status, meta) = request(&s, "GET", "/api/meta", "");
    assert_eq!(status, 200);
    let meta: Json = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["levers"].as_array().unwrap().len(), 9);
}

#[test]
fn it_listens_on_loopback_and_serves_a_file_preset_and_its_published_api() {
    let dir = common::scratch("explore", "preset", true);
    let file = dir.join("mine.toml");
    let parent = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/coordinated.toml");
    let text = format!("extends = {parent:?}\nname = \"mine\"\n[law]\nfine = 0.2\n");
    std::fs::write(&file, text).unwrap();
    let s = serve(&[file.to_str().unwrap()]);
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
    let (status, meta) = request(&s, "GET", "/api/meta", "");
    assert_eq!(status, 200);
    let meta: Json = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["presets"][0]["name"], "mine");
    assert_eq!(meta["presets"][0]["values"]["law.fine"], 0.2);
    let (status, body) = post(&s, "/api/check", &settings("mine", &[]));
    assert_eq!(status, 200, "{body}");
    let (status, api) = request(&s, "GET", "/api/openapi.json", "");
    assert_eq!(status, 200);
    let api: Json = serde_json::from_str(&api).unwrap();
    for path in [
        "/api/run",
        "/api/check",
        "/api/csv",
        "/api/toml",
        "/api/control",
        "/api/levers",
        "/api/meta",
    ] {
        assert!(api["paths"][path].is_object(), "{path} is not published");
    }
    let (status, page) = request(&s, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads something from elsewhere"
    );
}

#[test]
fn explore_refuses_set_without_a_scenario_and_a_taken_port() {
    let o = common::cogov(&["explore", "--set", "law.fine=1"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    let s = serve(&[]);
    let port = s.addr.rsplit(':').next().unwrap();
    let o = common::cogov(&["explore", "--port", port]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains(port));
}
