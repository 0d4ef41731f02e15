//! `cogov._native`: the library's commands for the `cogov` Python package. Scenarios come in as
//! paths or as the dicts `load` returns, tables go out as columns (numbers as little-endian bytes
//! that NumPy reads without a copy), and errors as the package's exception classes. The model runs
//! on a thread of its own with the GIL released; the calling thread checks for signals every
//! 50 ms and, on Ctrl-C, stops the run and raises `KeyboardInterrupt`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use cogov::commands::{self, RunOptions};
use cogov::output::{Cell, Table};
use cogov::scenario::{ScenarioSource, resolve_str, shipped::shipped};

/// How often the waiting thread looks for a pending signal.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A cogov error as the package's exception: bad input is `InputError` (a `ValueError`), a refused
/// or failed output is `OutputError` (an `OSError`), a stopped run `KeyboardInterrupt`, anything
/// else `CogovError`.
fn raise(py: Python<'_>, e: cogov::Error) -> PyErr {
    let class = match &e {
        cogov::Error::Stopped => {
            return pyo3::exceptions::PyKeyboardInterrupt::new_err(e.to_string());
        }
        cogov::Error::Input(_) | cogov::Error::Feature { .. } => "InputError",
        cogov::Error::Output(_) | cogov::Error::Io { .. } => "OutputError",
        _ => "CogovError",
    };
    let message = e.to_string();
    match py
        .import("cogov._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message.clone(),)))
    {
        Ok(value) => PyErr::from_value(value),
        Err(_) => pyo3::exceptions::PyRuntimeError::new_err(message),
    }
}

/// A Python value as a scenario value; `what` names it in the error.
fn toml_value(v: &Bound<'_, PyAny>, what: &str) -> PyResult<toml::Value> {
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| {
            PyTypeError::new_err(format!("{what}: the integer {v} does not fit in 64 bits"))
        })?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(toml::Value::String(s.extract::<String>()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        return Ok(toml::Value::Table(toml_table(d, what)?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items = v
            .try_iter()?
            .enumerate()
            .map(|(i, item)| toml_value(&item?, &format!("{what}[{i}]")))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(toml::Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{what}: a {} is not a scenario value; give a bool, int, float, str, list or dict",
        v.get_type().name()?
    )))
}

fn toml_table(d: &Bound<'_, PyDict>, what: &str) -> PyResult<toml::Table> {
    let mut table = toml::Table::new();
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}: keys are strings, not {}",
                k.repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ))
        })?;
        let value = toml_value(&v, &format!("{what}[{key:?}]"))?;
        table.insert(key, value);
    }
    Ok(table)
}

/// `set={"law.fine": 0.5, ...}` as the command line's `--set key=value` overrides.
fn sets(set: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<String>> {
    let Some(d) = set else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| {
            PyTypeError::new_err("set: keys are dotted key paths such as \"law.fine\"")
        })?;
        let value = toml_value(&v, &format!("set[{key:?}]"))?;
        out.push(format!("{key}={value}"));
    }
    Ok(out)
}

/// A TOML value as a Python value.
fn py_value<'py>(py: Python<'py>, v: &toml::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        toml::Value::String(s) => PyString::new(py, s).into_any(),
        toml::Value::Integer(i) => i.into_pyobject(py)?.into_any(),
        toml::Value::Float(f) => PyFloat::new(py, *f).into_any(),
        toml::Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any(),
        toml::Value::Datetime(d) => PyString::new(py, &d.to_string()).into_any(),
        toml::Value::Array(items) => {
            let items = items
                .iter()
                .map(|i| py_value(py, i))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        toml::Value::Table(t) => py_dict(py, t)?.into_any(),
    })
}

fn py_dict<'py>(py: Python<'py>, t: &toml::Table) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in t {
        d.set_item(k, py_value(py, v)?)?;
    }
    Ok(d)
}

/// A resolved scenario as the dict `load` returns: its TOML as `cogov check` prints it.
fn scenario_dict<'py>(
    py: Python<'py>,
    p: &cogov::scenario::Params,
) -> PyResult<Bound<'py, PyDict>> {
    let table: toml::Table = p
        .to_toml()
        .parse()
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("{e}")))?;
    py_dict(py, &table)
}

/// Where a scenario given from Python comes from.
enum Given {
    File(PathBuf),
    /// The TOML text of a dict.
    Text(String),
    Shipped(&'static str),
}

/// What the label of a scenario given as a dict is in error messages.
const DICT_LABEL: &str = "<scenario dict>";

fn given(item: &Bound<'_, PyAny>) -> PyResult<Given> {
    if let Ok(d) = item.cast::<PyDict>() {
        let table = toml_table(d, "scenario")?;
        return Ok(Given::Text(toml::to_string(&table).map_err(|e| {
            PyTypeError::new_err(format!("scenario: not a TOML table: {e}"))
        })?));
    }
    if item.is_instance_of::<PyBool>() || item.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "a scenario is a path or a dict from cogov.load, not {}",
            item.get_type().name()?
        )));
    }
    item.extract::<PathBuf>().map(Given::File).map_err(|_| {
        PyTypeError::new_err(format!(
            "a scenario is a path (str or os.PathLike) or a dict from cogov.load, not {}",
            item.get_type()
                .name()
                .map_or_else(|_| "?".into(), |n| n.to_string())
        ))
    })
}

fn source(given: &Given, opts: &RunOptions) -> cogov::Result<ScenarioSource> {
    match given {
        Given::File(path) => commands::load(path, opts),
        Given::Text(text) => {
            let params = resolve_str(text, DICT_LABEL, &opts.sets)?.with_run_size(
                opts.seed,
                opts.steps,
                opts.replicates,
            )?;
            Ok(ScenarioSource { path: None, params })
        }
        Given::Shipped(name) => {
            let params =
                shipped(name, &opts.sets)?.with_run_size(opts.seed, opts.steps, opts.replicates)?;
            Ok(ScenarioSource { path: None, params })
        }
    }
}

/// Run `work` on a thread of its own with the GIL released, checking for signals while it runs; on
/// a signal `stop` is set, the thread is joined and the signal's exception raised.
fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    stop: Arc<AtomicBool>,
    work: impl FnOnce() -> cogov::Result<T> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    // Waited on with the GIL released, so shared with the detached closure behind a lock.
    let rx = std::sync::Mutex::new(rx);
    let worker = std::thread::Builder::new()
        .name("cogov".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start a thread: {e}"))
        })?;
    let result = loop {
        match py.detach(|| rx.lock().expect("one waiter").recv_timeout(SIGNAL_POLL)) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(signal) = py.check_signals() {
                    stop.store(true, Ordering::Relaxed);
                    py.detach(|| {
                        let _ = worker.join();
                    });
                    return Err(signal);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "the run's thread ended without a result (a bug in cogov)",
                ));
            }
        }
    };
    py.detach(|| {
        let _ = worker.join();
    });
    result.map_err(|e| raise(py, e))
}

/// A column of a table: numbers as bytes, text as a list.
fn column<'py>(py: Python<'py>, t: &Table, c: usize) -> PyResult<Bound<'py, PyTuple>> {
    let cells = t.rows.iter().map(|r| &r[c]);
    let all_int = t.rows.iter().all(|r| matches!(r[c], Cell::Int(_)));
    // Numbers, with the empty cells a table writes for a missing value: NaN.
    let numeric = t.rows.iter().all(|r| {
        matches!(&r[c], Cell::Int(_) | Cell::Num(_))
            || matches!(&r[c], Cell::Text(s) if s.is_empty())
    }) && t.rows.iter().any(|r| !matches!(r[c], Cell::Text(_)));
    if !t.rows.is_empty() && all_int {
        let mut bytes = Vec::with_capacity(8 * t.rows.len());
        for cell in cells {
            if let Cell::Int(v) = cell {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        return PyTuple::new(
            py,
            [
                PyString::new(py, "i8").into_any(),
                PyBytes::new(py, &bytes).into_any(),
            ],
        );
    }
    if numeric {
        let mut bytes = Vec::with_capacity(8 * t.rows.len());
        for cell in cells {
            // A non-finite number is what the CSV writes as an empty cell: NaN.
            let v = match cell {
                Cell::Num(v) if v.is_finite() => *v,
                Cell::Int(i) => *i as f64,
                Cell::Num(_) | Cell::Text(_) => f64::NAN,
            };
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        return PyTuple::new(
            py,
            [
                PyString::new(py, "f8").into_any(),
                PyBytes::new(py, &bytes).into_any(),
            ],
        );
    }
    let mut text = String::new();
    let items = cells
        .map(|cell| {
            cell.write_text(&mut text);
            if text.is_empty() {
                py.None().into_bound(py)
            } else {
                PyString::new(py, &text).into_any()
            }
        })
        .collect::<Vec<_>>();
    PyTuple::new(
        py,
        [
            PyString::new(py, "O").into_any(),
            PyList::new(py, items)?.into_any(),
        ],
    )
}

/// A table as `(columns, [(kind, data), ...])`.
fn table<'py>(py: Python<'py>, t: &Table) -> PyResult<Bound<'py, PyTuple>> {
    let columns = PyList::new(py, &t.columns)?;
    let data = (0..t.columns.len())
        .map(|c| column(py, t, c))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, [columns.into_any(), PyList::new(py, data)?.into_any()])
}

fn options(
    replicates: Option<u32>,
    seed: Option<u64>,
    steps: Option<u32>,
    threads: Option<usize>,
    set: Option<&Bound<'_, PyDict>>,
) -> PyResult<RunOptions> {
    Ok(RunOptions {
        seed,
        replicates,
        steps,
        threads,
        sets: sets(set)?,
        ..RunOptions::default()
    })
}

/// The resolved, validated scenario in `path` (with `set` applied) as a dict.
#[pyfunction]
#[pyo3(signature = (path, set=None))]
fn load<'py>(
    py: Python<'py>,
    path: PathBuf,
    set: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let sets = sets(set)?;
    let params = py
        .detach(|| {
            commands::load(
                &path,
                &RunOptions {
                    sets,
                    ..RunOptions::default()
                },
            )
        })
        .map_err(|e| raise(py, e))?
        .params;
    scenario_dict(py, &params)
}

/// A scenario given as a path, a dict or a shipped name, resolved and validated, as a dict.
#[pyfunction]
#[pyo3(signature = (scenario, set=None))]
fn resolve<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    set: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let given = given(scenario)?;
    let opts = options(None, None, None, None, set)?;
    let params = source(&given, &opts).map_err(|e| raise(py, e))?.params;
    scenario_dict(py, &params)
}

/// The shipped scenario `name` (compiled in) as a dict.
#[pyfunction]
#[pyo3(signature = (name, set=None))]
fn load_shipped<'py>(
    py: Python<'py>,
    name: &str,
    set: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let params = shipped(name, &sets(set)?).map_err(|e| raise(py, e.into()))?;
    scenario_dict(py, &params)
}

/// The names of the shipped scenarios.
#[pyfunction]
fn shipped_names() -> Vec<&'static str> {
    cogov::scenario::shipped::SHIPPED
        .iter()
        .map(|(n, _)| *n)
        .collect()
}

/// Run `scenarios` (`command` is `run` for one, `compare` for several; none: the shipped
/// fragmented and coordinated) and return `(tables, manifest_json)`.
#[pyfunction]
#[pyo3(signature = (command, scenarios, replicates=None, seed=None, steps=None, threads=None, set=None))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    command: &str,
    scenarios: &Bound<'py, PyList>,
    replicates: Option<u32>,
    seed: Option<u64>,
    steps: Option<u32>,
    threads: Option<usize>,
    set: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let mut given_list = scenarios
        .iter()
        .map(|item| given(&item))
        .collect::<PyResult<Vec<_>>>()?;
    if given_list.is_empty() {
        given_list = vec![Given::Shipped("fragmented"), Given::Shipped("coordinated")];
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut opts = options(replicates, seed, steps, threads, set)?;
    opts.stop = Some(stop.clone());
    let command = command.to_string();
    let simulation = interruptible(py, stop, move || {
        let sources = given_list
            .iter()
            .map(|g| source(g, &opts))
            .collect::<cogov::Result<Vec<_>>>()?;
        commands::distinct_names(&sources)?;
        let mut sim = commands::simulate(&command, sources, &opts)?;
        sim.manifest.detail("interface", "python");
        let tables = sim.tables();
        let manifest = sim.manifest.to_json(Default::default());
        Ok((tables, manifest))
    })?;
    let (tables, manifest) = simulation;
    let out = PyDict::new(py);
    for (stem, t) in &tables {
        out.set_item(stem, table(py, t)?)?;
    }
    PyTuple::new(
        py,
        [out.into_any(), PyString::new(py, &manifest).into_any()],
    )
}

/// Run the experiment in `path` into `out` as `cogov sweep` does; returns the published directory.
#[pyfunction]
#[pyo3(signature = (path, out, force=false, resume=false, replicates=None, seed=None, steps=None, threads=None, set=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    path: PathBuf,
    out: PathBuf,
    force: bool,
    resume: bool,
    replicates: Option<u32>,
    seed: Option<u64>,
    steps: Option<u32>,
    threads: Option<usize>,
    set: Option<&Bound<'py, PyDict>>,
) -> PyResult<PathBuf> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut opts = options(replicates, seed, steps, threads, set)?;
    opts.stop = Some(stop.clone());
    opts.out = Some(out);
    opts.force = force;
    let how = commands::SweepHow {
        resume,
        ..commands::SweepHow::default()
    };
    interruptible(py, stop, move || commands::sweep(&path, &opts, how))
}

/// The parameter registry: one row per key.
#[pyfunction]
fn params<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
    table(py, &commands::params::registry_table())
}

/// The version of the library inside the module.
#[pyfunction]
fn version() -> &'static str {
    cogov::output::BUILD.version
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // A library returns its results; it never prints them.
    cogov::console::silence();
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(resolve, m)?)?;
    m.add_function(wrap_pyfunction!(load_shipped, m)?)?;
    m.add_function(wrap_pyfunction!(shipped_names, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(params, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
