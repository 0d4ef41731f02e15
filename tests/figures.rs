//! The figure set: `cogov reproduce --quick` twice gives the same bytes, and `cogov plot` redraws the
//! same bytes from the saved data.

mod common;

use common::cogov;

fn scratch(name: &str) -> PathBuf {
    common::scratch("figures", name, false)
}

use std::path::{Path, PathBuf};

/// Every file under `dir` but the manifests (which record timings), by path.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::files_under(dir)
        .into_iter()
        .filter(|n| !n.ends_with("manifest.json"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn reproduce_is_byte_identical_and_plot_redraws_the_same_bytes() {
    let (a, b) = (scratch("a"), scratch("b"));
    for dir in [&a, &b] {
        let o = cogov(&["reproduce", "--quick", "--out", dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (fa, fb) = (files(&a), files(&b));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    for id in [
        "fig1-compare",
        "fig2-levers",
        "fig3-deterrence",
        "fig4-river",
        "fig5-networks",
        "fig6-feedback",
        "fig7-participation",
        "fig9-pricing",
    ] {
        for ext in ["png", "svg", "csv"] {
            assert!(
                names.contains(&format!("{id}.{ext}").as_str()),
                "missing {id}.{ext}"
            );
        }
    }
    assert_eq!(fa.len(), fb.len());
    for ((na, xa), (nb, xb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(xa == xb, "{na} differs between two reproduce runs");
    }
    let manifest = common::assert_manifest_matches(&a);
    assert_eq!(manifest["command"], "reproduce");
    assert_eq!(manifest["quick"], true);
    assert!(
        manifest["inputs"]["fragmented.toml"].is_string(),
        "the shipped scenarios are recorded as inputs"
    );

    // Redrawing from the saved tables gives the same figures, and the manifest follows.
    for (name, _) in fa.iter().filter(|(n, _)| n.ends_with(".png")) {
        std::fs::remove_file(a.join(name)).unwrap();
    }
    let o = cogov(&["plot", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&a), fa, "cogov plot must redraw the same bytes");
    let manifest = common::assert_manifest_matches(&a);
    let redrawn = &manifest["redrawn"][0]["files"];
    assert!(
        redrawn
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "fig1-compare.png"),
        "{redrawn}"
    );

    let index = std::fs::read_to_string(a.join("figures.md")).unwrap();
    assert_eq!(index.matches("- **fig").count(), 12);
}

#[test]
fn plot_redraws_a_run_directory_identically() {
    let dir = scratch("run");
    let o = cogov(&[
        "run",
        "scenarios/coordinated.toml",
        "--out",
        dir.to_str().unwrap(),
        "--steps",
        "12",
        "--replicates",
        "2",
        "--set",
        "world.regions=2",
        "--set",
        "public.per_region=500",
        "--set",
        "enterprises.per_region=100",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = (
        std::fs::read(dir.join("run.png")).unwrap(),
        std::fs::read(dir.join("run.svg")).unwrap(),
    );
    std::fs::remove_file(dir.join("run.png")).unwrap();
    let o = cogov(&["plot", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        before
            == (
                std::fs::read(dir.join("run.png")).unwrap(),
                std::fs::read(dir.join("run.svg")).unwrap()
            )
    );
    common::assert_manifest_matches(&dir);
    let o = cogov(&["plot", std::env::temp_dir().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a directory without data is bad input"
    );
}
