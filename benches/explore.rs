//! How fast the explorer answers a change. Run: `cargo bench --bench explore`.
//!
//! Starts the release `cogov explore` on a free loopback port and posts the page's default request
//! (china-2020 against fragmented, the default size, 5 replicates, 120 months) as the page does,
//! reading the server-sent events as they arrive. Two cases, each repeated: a run from a quiet
//! server ("cold"), and a change while a run is in flight (the page's usual case: the new run of the
//! same page cancels the old one). For each it reports the time from sending the request to the
//! first month's event and to the `done` event, as median and slowest over the repeats. The page
//! adds its debounce (60 ms after the last edit) before it sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REPEATS: usize = 9;

fn body(client: &str, fine: f64) -> String {
    format!(
        r#"{{"client":"{client}","settings":{{"preset":"china-2020","set":{{"replicates":5,"law.fine":{fine}}}}},"baseline":"fragmented","region":0}}"#
    )
}

/// An open SSE response: reads the chunked body and yields the event names as they arrive.
struct Events {
    reader: BufReader<TcpStream>,
    pending: String,
}

impl Events {
    fn post(addr: &str, body: &str) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect to the explorer");
        stream.set_nodelay(true).ok();
        write!(
            stream,
            "POST /api/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send the request");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).expect("the status line");
        assert!(
            line.starts_with("HTTP/1.1 200"),
            "the explorer answered {line:?}"
        );
        loop {
            line.clear();
            reader.read_line(&mut line).expect("a header");
            if line == "\r\n" {
                break;
            }
        }
        Events {
            reader,
            pending: String::new(),
        }
    }

    /// The next event's name, or None at the end of the stream.
    fn next(&mut self) -> Option<String> {
        loop {
            if let Some(cut) = self.pending.find("\n\n") {
                let block: String = self.pending.drain(..cut + 2).collect();
                if let Some(name) = block
                    .lines()
                    .find_map(|l| l.strip_prefix("event:").map(|n| n.trim().to_string()))
                {
                    return Some(name);
                }
                continue;
            }
            let mut size = String::new();
            if self.reader.read_line(&mut size).ok()? == 0 {
                return None;
            }
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                return None;
            }
            let mut chunk = vec![0; n + 2];
            self.reader.read_exact(&mut chunk).ok()?;
            self.pending.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }

    /// Seconds since `from` to the first month and to `done`.
    fn time(mut self, from: Instant) -> (f64, f64) {
        let mut first = None;
        while let Some(name) = self.next() {
            match name.as_str() {
                "month" if first.is_none() => first = Some(from.elapsed().as_secs_f64()),
                "done" => {
                    return (
                        first.expect("a month before done"),
                        from.elapsed().as_secs_f64(),
                    );
                }
                "failed" => panic!("the run failed"),
                _ => {}
            }
        }
        panic!("the stream ended without done");
    }
}

fn summary(name: &str, times: &mut [(f64, f64)]) {
    let stat = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() - 1])
    };
    let (fm, fx) = stat(&mut times.iter().map(|t| t.0).collect());
    let (dm, dx) = stat(&mut times.iter().map(|t| t.1).collect());
    println!(
        "{name:<40} first month {:>6.0} ms median, {:>6.0} ms slowest; whole run {:>6.0} ms median, {:>6.0} ms slowest",
        fm * 1e3,
        fx * 1e3,
        dm * 1e3,
        dx * 1e3
    );
}

fn main() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_cogov"))
        .args(["explore", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start cogov explore");
    let mut first = String::new();
    BufReader::new(server.stdout.as_mut().expect("its stdout"))
        .read_line(&mut first)
        .expect("its address");
    let addr = first
        .trim()
        .strip_prefix("cogov explore: http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the explorer's first line: {first:?}"))
        .to_string();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "cogov explore at {addr}, {cores} cores; china-2020 against fragmented, 5 replicates, 120 months"
    );

    // One run to warm the server (page cache, allocator) before anything is timed.
    Events::post(&addr, &body("warm", 0.3)).time(Instant::now());

    let mut cold = Vec::new();
    for i in 0..REPEATS {
        let started = Instant::now();
        cold.push(Events::post(&addr, &body(&format!("cold{i}"), 0.3)).time(started));
        std::thread::sleep(Duration::from_millis(200));
    }
    summary("a run on a quiet server", &mut cold);

    let mut change = Vec::new();
    for i in 0..REPEATS {
        // A run in flight: wait for its first months, then change a value.
        let mut old = Events::post(&addr, &body("page", 0.3 + 0.01 * i as f64));
        for _ in 0..3 {
            old.next();
        }
        let started = Instant::now();
        let new = Events::post(&addr, &body("page", 0.2 + 0.01 * i as f64));
        change.push(new.time(started));
        drop(old);
    }
    summary("a change while a run is in flight", &mut change);

    server.kill().ok();
    server.wait().ok();
}
