//! The `cogov` binary: parses arguments and calls the library. Exit status: 0 success, 2 bad input,
//! 1 anything else.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use cogov::commands::{self, RunOptions};
use cogov::error::{EXIT_BAD_INPUT, EXIT_OK};

const EXAMPLES: &str = "\
Examples:
  cogov compare                                  fragmented vs coordinated into output/compare/
  cogov run scenarios/coordinated.toml --replicates 5 --steps 60
  cogov run scenarios/fragmented.toml --set law.fine=1.0 --set information.sharing=shared --out output/shared
  cogov compare scenarios/fragmented.toml scenarios/lever-information-on.toml --force
  cogov check scenarios/coordinated.toml         print the fully resolved scenario";

#[derive(Parser)]
#[command(name = "cogov", version, about = "Agent-based simulator of collaborative environmental governance",
          after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario; writes timeseries.csv, summary.csv, manifest.json and figures.
    #[command(
        after_help = "Example: cogov run scenarios/coordinated.toml --replicates 5 --out output/coord"
    )]
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Run several scenarios with the same seeds and compare them (default: fragmented vs coordinated).
    #[command(
        after_help = "Example: cogov compare scenarios/fragmented.toml scenarios/lever-law-on.toml --force"
    )]
    Compare {
        /// Scenario files (TOML); none = scenarios/fragmented.toml and scenarios/coordinated.toml.
        scenarios: Vec<PathBuf>,
        /// Compare over draws of a calibration's posterior (its posterior.csv): effects with
        /// intervals that carry the parameters' uncertainty.
        #[arg(long, value_name = "FILE")]
        posterior: Option<PathBuf>,
        /// With --posterior: the number of posterior draws.
        #[arg(long, value_name = "N", default_value_t = 40, requires = "posterior")]
        draws: u32,
        #[command(flatten)]
        common: Common,
    },
    /// Run an experiment: a design over scenario parameters, with sensitivity indices for Morris/Sobol.
    #[command(after_help = "Examples:
  cogov sweep scenarios/experiments/deterrence-grid.toml
  cogov sweep scenarios/experiments/morris.toml --shard 0/4 --out output/m0   (then 1/4, 2/4, 3/4)
  cogov merge output/m0 output/m1 output/m2 output/m3 --out output/morris
  cogov sweep scenarios/experiments/morris.toml --resume                      (after a kill)")]
    Sweep {
        /// Experiment file (TOML).
        experiment: PathBuf,
        /// Run only shard I of N (0-based), e.g. --shard 0/4.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Continue an interrupted sweep in its output directory.
        #[arg(long)]
        resume: bool,
        /// With --resume: continue a sweep another build of cogov started.
        #[arg(long)]
        allow_other_build: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Calibrate a scenario's parameters to observed statistics (approximate Bayesian computation).
    #[command(after_help = "Examples:
  cogov calibrate scenarios/calibration/china-2020.toml
  cogov calibrate scenarios/calibration/china-2020.toml --resume                (after a kill)
  cogov calibrate CAL --shard 0/2 --out output/c0    (and 1/2: generation 0 on two machines)
  cogov merge output/c0 output/c1 --out output/cal
  cogov calibrate CAL --resume --out output/cal     (the next generations; or --shard I/N --from output/cal)")]
    Calibrate {
        /// Calibration file (TOML).
        calibration: PathBuf,
        /// Run only shard I of N (0-based) of the next generation, e.g. --shard 0/4.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// With --shard: the calibration directory (merged shards) whose finished generations to continue.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// Continue an interrupted calibration, or merged shards, in the output directory.
        #[arg(long)]
        resume: bool,
        /// With --resume or --from: accept a directory another build of cogov started.
        #[arg(long)]
        allow_other_build: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Explore the model in a browser: levers, sliders and live charts, served on this machine.
    #[cfg(feature = "explore")]
    #[command(after_help = "Examples:
  cogov explore                                  the shipped presets, at http://127.0.0.1:8750/
  cogov explore scenarios/china-2020.toml --open  a file as the first preset, in the browser
  cogov explore --port 0                         any free port (the address is printed)")]
    Explore {
        /// A scenario file, offered first among the presets.
        scenario: Option<PathBuf>,
        /// Port to listen on (0: any free one).
        #[arg(long, value_name = "N", default_value_t = 8750)]
        port: u16,
        /// Address to listen on. The default is this machine only; another address lets others run
        /// the model.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Override a key of the scenario file, e.g. --set law.fine=0.1 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Most agent-steps one request may ask for, scenario and baseline together (a larger one
        /// gets a message naming the size); lower it for a shared machine.
        #[arg(long, value_name = "N", default_value_t = cogov::explore::session::MAX_AGENT_STEPS,
              value_parser = positive_f64)]
        max_agent_steps: f64,
    },
    /// Merge the output directories of all shards of a sweep (or of a calibration generation) into one.
    Merge {
        /// Shard output directories (all N of them).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory of the merged sweep.
        #[arg(long, value_name = "DIR", default_value = "output/sweep/merged")]
        out: PathBuf,
        /// Overwrite an existing output directory.
        #[arg(long)]
        force: bool,
        /// Merge shards run by different builds of cogov (the manifest records each).
        #[arg(long)]
        allow_other_build: bool,
    },
    /// Regenerate the figure set (and the data behind each figure) from the shipped scenarios.
    #[command(after_help = "Examples:
  cogov reproduce --quick          a draft of every figure in well under two minutes
  cogov reproduce --out paper/figs publication quality (20 replicates)")]
    Reproduce {
        /// Output directory (default output/figures).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Fewer replicates and months, for a fast draft.
        #[arg(long)]
        quick: bool,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Overwrite an existing output directory.
        #[arg(long)]
        force: bool,
        /// No progress bar or progress lines.
        #[arg(long)]
        quiet: bool,
    },
    /// Analyse an evolutionary game file: replicator dynamics, vertex stability, agent-based twin.
    #[command(after_help = "Example: cogov game scenarios/games/wang2023-stage3.toml")]
    Game {
        /// Game file (TOML).
        game: PathBuf,
        /// Output directory (default output/game/<name>).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Overwrite an existing output directory.
        #[arg(long)]
        force: bool,
    },
    /// Check the model against closed-form results (docs/VALIDATION.md); exit 1 if a check fails.
    Validate {
        /// Output directory (default output/validation).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Smaller populations, for a fast check.
        #[arg(long)]
        quick: bool,
        /// Overwrite an existing output directory.
        #[arg(long)]
        force: bool,
    },
    /// Redraw the figures of a reproduce, run, compare or sweep directory from its saved data.
    Plot {
        /// The output directory to redraw.
        dir: PathBuf,
    },
    /// List the parameter registry: every scenario key with its unit, range, default, lever and meaning.
    #[command(after_help = "Examples:
  cogov params                     every key
  cogov params law. --lang zh      the legal regime, described in Chinese
  cogov params --format csv        every column, for a spreadsheet or pandas")]
    Params {
        /// Only keys starting with this, e.g. `law.` or `monitoring`.
        prefix: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
        /// Language of the descriptions in the text format (CSV and JSON carry both).
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
    },
    /// Validate a scenario and print it fully resolved (extends and --set applied) as TOML.
    #[command(after_help = "Example: cogov check scenarios/coordinated.toml --set law.fine=2")]
    Check {
        scenario: PathBuf,
        /// Override a scenario key, e.g. --set law.fine=1.0 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Print a shell's completion script for cogov (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:
  source <(cogov completions bash)                             this shell
  cogov completions bash > ~/.local/share/bash-completion/completions/cogov
  cogov completions zsh > ~/.zfunc/_cogov                      with fpath+=~/.zfunc
  cogov completions fish > ~/.config/fish/completions/cogov.fish")]
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) of cogov, or of one of its commands.
    #[command(after_help = "Examples:
  cogov man | man -l -                                         read it now
  cogov man > ~/.local/share/man/man1/cogov.1                  then: man cogov
  cogov man sweep > ~/.local/share/man/man1/cogov-sweep.1      then: man cogov-sweep")]
    Man {
        /// A command (run, sweep, …); without it, the page of cogov itself.
        command: Option<String>,
    },
}

/// The manual page of `cogov` or of `cogov COMMAND`, as roff.
fn manual(command: Option<&str>) -> cogov::Result<String> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => {
            let names: Vec<String> = cli
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .filter(|n| n != "help")
                .collect();
            let Some(sub) = cli
                .find_subcommand(name)
                .filter(|_| name != "help")
                .cloned()
            else {
                return Err(cogov::InputError::Usage(format!(
                    "cogov man {name}: no such command; one of {}",
                    names.join(", ")
                ))
                .into());
            };
            let display = format!("cogov-{}", sub.get_name());
            sub.name(display.clone())
                .bin_name(display)
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| cogov::Error::io("manual page", e))?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Text,
    Csv,
    Json,
    Markdown,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LangArg {
    En,
    Zh,
}

#[derive(Args)]
struct Common {
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Number of replicates (overrides `replicates`).
    #[arg(long, value_name = "N")]
    replicates: Option<u32>,
    /// Number of monthly steps (overrides `steps`).
    #[arg(long, value_name = "N")]
    steps: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Override a scenario key, e.g. --set law.fine=1.0 (repeatable; same paths as the TOML).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Overwrite an existing output directory.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Run even if the memory estimate exceeds the memory available.
    #[arg(long)]
    allow_large_memory: bool,
    /// Format of the large tables (timeseries, regions, a sweep's results); the others are CSV.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "csv")]
    format: TableFormatArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TableFormatArg {
    Csv,
    Parquet,
}

impl Common {
    fn options(self) -> RunOptions {
        RunOptions {
            out: self.out,
            seed: self.seed,
            replicates: self.replicates,
            steps: self.steps,
            threads: self.threads,
            sets: self.sets,
            force: self.force,
            progress: !self.quiet,
            allow_large_memory: self.allow_large_memory,
            stop: None,
            format: match self.format {
                TableFormatArg::Csv => cogov::output::table::Format::Csv,
                TableFormatArg::Parquet => cogov::output::table::Format::Parquet,
            },
        }
    }
}

#[cfg(feature = "figures")]
fn reproduce(
    out: Option<PathBuf>,
    quick: bool,
    threads: Option<usize>,
    force: bool,
    quiet: bool,
) -> cogov::Result<()> {
    let opts = cogov::figures::ReproduceOptions {
        out,
        quick,
        force,
        threads,
        progress: !quiet,
    };
    cogov::figures::reproduce(&opts)
        .map(|dir| cogov::sayln!("figures written to {}", dir.display()))
}

#[cfg(not(feature = "figures"))]
fn reproduce(_: Option<PathBuf>, _: bool, _: Option<usize>, _: bool, _: bool) -> cogov::Result<()> {
    Err(cogov::Error::Feature {
        feature: "figures",
        what: "`cogov reproduce`",
    })
}

#[cfg(feature = "figures")]
fn plot(dir: &std::path::Path) -> cogov::Result<()> {
    cogov::figures::replot(dir)
        .map(|files| cogov::sayln!("redrew {} files in {}", files.len(), dir.display()))
}

#[cfg(not(feature = "figures"))]
fn plot(_: &std::path::Path) -> cogov::Result<()> {
    Err(cogov::Error::Feature {
        feature: "figures",
        what: "`cogov plot`",
    })
}

fn main() -> ExitCode {
    // A file-size limit (`ulimit -f`) must be an error naming the file, not a silent death: with
    // SIGXFSZ ignored, the write fails with EFBIG and the output layer reports it.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" before any thread starts has no other effect.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let result = match cli.command {
        Command::Run { scenario, common } => {
            commands::run(&scenario, &common.options()).map(|_| ())
        }
        Command::Compare {
            scenarios,
            posterior,
            draws,
            common,
        } => match posterior {
            Some(file) => commands::compare_posterior(&scenarios, &common.options(), &file, draws),
            None => commands::compare(&scenarios, &common.options()),
        }
        .map(|_| ()),
        Command::Params {
            prefix,
            format,
            lang,
        } => {
            use cogov::commands::params::{Lang, ParamsFormat};
            let format = match format {
                FormatArg::Text => ParamsFormat::Text,
                FormatArg::Csv => ParamsFormat::Csv,
                FormatArg::Json => ParamsFormat::Json,
                FormatArg::Markdown => ParamsFormat::Markdown,
            };
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::Zh => Lang::Zh,
            };
            commands::params::params(
                format,
                lang,
                prefix.as_deref().unwrap_or(""),
                std::path::Path::new("scenarios"),
            )
            .map(|text| cogov::say!("{text}"))
        }
        Command::Check { scenario, sets } => {
            commands::check(&scenario, &sets).map(|toml| cogov::say!("{toml}"))
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cogov", &mut script);
            cogov::say!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
        Command::Man { command } => manual(command.as_deref()).map(|page| cogov::say!("{page}")),
        Command::Sweep {
            experiment,
            shard,
            resume,
            allow_other_build,
            common,
        } => shard
            .as_deref()
            .map(commands::parse_shard)
            .transpose()
            .and_then(|shard| {
                let how = commands::SweepHow {
                    shard,
                    resume,
                    allow_other_build,
                };
                commands::sweep(&experiment, &common.options(), how)
            })
            .map(|_| ()),
        Command::Calibrate {
            calibration,
            shard,
            from,
            resume,
            allow_other_build,
            common,
        } => shard
            .as_deref()
            .map(commands::parse_shard)
            .transpose()
            .and_then(|shard| {
                let how = commands::CalibrateHow {
                    shard,
                    from,
                    resume,
                    allow_other_build,
                };
                commands::calibrate(&calibration, &common.options(), how)
            })
            .map(|_| ()),
        #[cfg(feature = "explore")]
        Command::Explore {
            scenario,
            port,
            host,
            open,
            threads,
            sets,
            max_agent_steps,
        } => if scenario.is_none() && !sets.is_empty() {
            Err(cogov::InputError::Usage(
                "--set needs a scenario file to override: cogov explore FILE --set KEY=VALUE"
                    .into(),
            ))
        } else {
            scenario
                .map(|path| cogov::scenario::load_scenario(&path, &sets).map(|s| s.params))
                .transpose()
        }
        .map_err(cogov::Error::from)
        .and_then(|scenario| {
            cogov::explore::serve(cogov::explore::ExploreOptions {
                scenario,
                host,
                port,
                open,
                threads,
                max_agent_steps,
            })
        }),
        Command::Merge {
            dirs,
            out,
            force,
            allow_other_build,
        } => commands::merge(&dirs, &out, force, allow_other_build).map(|_| ()),
        Command::Reproduce {
            out,
            quick,
            threads,
            force,
            quiet,
        } => reproduce(out, quick, threads, force, quiet),
        Command::Game { game, out, force } => {
            cogov::game::report::game_command(&game, out, force).map(|_| ())
        }
        Command::Validate { out, quick, force } => {
            let out = out.unwrap_or_else(|| PathBuf::from("output/validation"));
            cogov::validation::validate(&out, quick, force).and_then(|(dir, pass)| {
                cogov::sayln!("table and figure written to {}", dir.display());
                if pass {
                    Ok(())
                } else {
                    Err(cogov::Error::ValidationFailed)
                }
            })
        }
        Command::Plot { dir } => plot(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// A command-line number that must be finite and above zero.
#[cfg(feature = "explore")]
fn positive_f64(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "{text:?} is not allowed: a number above 0, e.g. 4e9"
        )),
    }
}
