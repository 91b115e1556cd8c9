//! The calibration charts and report (`write_calibration_outputs`, and `clustersim report DIR`
//! on a calibration folder), on the hand-written calibration folder tests/data/calibration:
//! a posterior over two inputs of tests/data/minimal.json, three targets (one a misfit) and three
//! generations.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use clustersim::report::calibration::write_calibration_outputs;
use clustersim::scenario::load_path;
use tempfile::TempDir;

const FIXTURE: &str = "tests/data/calibration";

/// A copy of the fixture folder in a fresh temporary folder.
fn fixture() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let folder = dir.path().join("calibration");
    fs::create_dir(&folder).unwrap();
    for entry in fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    (dir, folder)
}

/// Polylines with more than two points (data series, by the charts' convention) in an SVG.
fn series_polylines(svg: &str) -> usize {
    svg.split("<polyline")
        .skip(1)
        .filter(|element| {
            let points = element.split("points=\"").nth(1).unwrap_or("");
            let points = &points[..points.find('"').unwrap_or(0)];
            points.split_whitespace().count() > 2
        })
        .count()
}

/// The weighted `p`-quantile of a column of posterior.csv (the smallest value whose cumulative
/// weight reaches p), computed here independently of the library.
fn weighted_quantile(column: usize, p: f64) -> f64 {
    let text = fs::read_to_string(Path::new(FIXTURE).join("posterior.csv")).unwrap();
    let mut pairs: Vec<(f64, f64)> = text
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<f64> = line.split(',').map(|c| c.parse().unwrap()).collect();
            (cells[2 + column], cells[1])
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cumulative = 0.0;
    for (value, weight) in pairs {
        cumulative += weight;
        if cumulative >= p - 1e-12 {
            return value;
        }
    }
    unreachable!()
}

#[test]
fn writes_the_charts_and_a_report_that_lists_misfits_first() {
    let (_dir, folder) = fixture();
    let scenario = load_path(Path::new("tests/data/minimal.json")).unwrap();
    write_calibration_outputs(&folder, &scenario).unwrap();
    for name in ["calibration-fit", "calibration-inputs"] {
        for extension in ["svg", "png"] {
            let path = folder.join("charts").join(format!("{name}.{extension}"));
            assert!(
                fs::metadata(&path).unwrap().len() > 1000,
                "{}",
                path.display()
            );
        }
    }
    // One posterior histogram (polygon) and one prior outline (polyline) per calibrated input.
    let inputs = fs::read_to_string(folder.join("charts/calibration-inputs.svg")).unwrap();
    assert_eq!(inputs.matches("<polygon").count(), 2);
    assert_eq!(series_polylines(&inputs), 2);
    assert!(inputs.contains("model.formation_rate") && inputs.contains("width ×0.3"));
    // Two means (prior and posterior) per target; the misfit's panel is tagged.
    let fit = fs::read_to_string(folder.join("charts/calibration-fit.svg")).unwrap();
    assert_eq!(fit.matches("<circle").count(), 6);
    assert!(
        fit.lines().any(|line| line.trim() == "misfit"),
        "the misfit tag"
    );

    let report = fs::read_to_string(folder.join("report.md")).unwrap();
    let misfits = report.find("## Misfits").expect("a Misfits section");
    let fit_section = report.find("## Fit per target").unwrap();
    assert!(misfits < fit_section, "misfits are listed first");
    assert!(
        report.contains(
            "| `ict-members-2012` | members of ICT cluster at 2012-12-31, all firms | 40 (a lower \
             bound) | at least 40 | 15.2 (9 to 22) | 31 |"
        ),
        "{report}"
    );
    assert!(report.contains(
        "Misfits (listed first below): ict-members-2012 (observed 40, closest simulated 31)."
    ));
    assert!(report.contains("effective sample size of 160 after 3 generations"));
    assert!(report.contains("| 2 | 2.50 | 200 | 1,480 | 13.5% | 160 |"));

    // Which inputs narrowed: formation_rate's posterior 90% width against its triangular
    // (0.01, 0.03, 0.06) prior's, whose 5th and 95th percentiles are 0.01 + √(0.05 · 0.05 · 0.02)
    // and 0.06 − √(0.05 · 0.03 · 0.05).
    let prior_width =
        (0.06 - (0.05f64 * 0.03 * 0.05).sqrt()) - (0.01 + (0.05f64 * 0.05 * 0.02).sqrt());
    let ratio = (weighted_quantile(1, 0.95) - weighted_quantile(1, 0.05)) / prior_width;
    assert!(ratio < 0.5, "the fixture narrows formation_rate ({ratio})");
    assert!(
        report.contains(&format!("| {ratio:.2} | narrowed |")),
        "ratio {ratio:.2}:\n{report}"
    );
    // join_funding_response's two groups span its prior: as wide as the prior.
    assert!(report.contains("About as wide as the prior: model.join\\_funding\\_response."));

    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(html.contains("Misfits") && html.contains("calibration-inputs"));
}

#[test]
fn re_rendering_gives_the_same_bytes() {
    let (_dir, folder) = fixture();
    let scenario = load_path(Path::new("tests/data/minimal.json")).unwrap();
    write_calibration_outputs(&folder, &scenario).unwrap();
    let files = [
        "report.md",
        "report.html",
        "charts/calibration-fit.svg",
        "charts/calibration-inputs.png",
    ];
    let first: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(folder.join(f)).unwrap())
        .collect();
    write_calibration_outputs(&folder, &scenario).unwrap();
    for (file, bytes) in files.iter().zip(first) {
        assert!(
            fs::read(folder.join(file)).unwrap() == bytes,
            "{file} changed"
        );
    }
}

#[test]
fn without_misfits_the_report_says_so() {
    let (_dir, folder) = fixture();
    let fit = fs::read_to_string(folder.join("fit.csv")).unwrap();
    fs::write(
        folder.join("fit.csv"),
        fit.replace("false,true,31", "true,false,31"),
    )
    .unwrap();
    let scenario = load_path(Path::new("tests/data/minimal.json")).unwrap();
    write_calibration_outputs(&folder, &scenario).unwrap();
    let report = fs::read_to_string(folder.join("report.md")).unwrap();
    assert!(!report.contains("## Misfits"));
    assert!(report.contains("No target is a misfit"));
}

#[test]
fn the_report_command_re_renders_a_calibration_folder() {
    let (_dir, folder) = fixture();
    let output = Command::cargo_bin("clustersim")
        .unwrap()
        .arg("report")
        .arg(&folder)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("re-rendered charts/, report.html and report.md in"),
        "{stdout}"
    );
    assert!(folder.join("charts/calibration-fit.png").exists());
    assert!(!folder.join("summary.xlsx").exists());
}

#[test]
fn bad_calibration_folders_get_clear_errors() {
    let stderr = |folder: &Path| {
        let output = Command::cargo_bin("clustersim")
            .unwrap()
            .arg("report")
            .arg(folder)
            .assert()
            .failure();
        let text = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
        assert!(!text.contains("panicked"), "{text}");
        text
    };
    let (_dir, folder) = fixture();
    fs::remove_file(folder.join("scenario.json")).unwrap();
    assert!(
        stderr(&folder)
            .contains("holds a calibration (posterior.csv, fit.csv) but no scenario.json")
    );

    let (_dir, folder) = fixture();
    let fit = fs::read_to_string(folder.join("fit.csv")).unwrap();
    fs::write(folder.join("fit.csv"), fit.replace(",sd,", ",roughly,")).unwrap();
    let text = stderr(&folder);
    assert!(
        text.contains("fit.csv line 2: kind must be sd, interval, at_least or at_most"),
        "{text}"
    );
    assert!(
        !folder.join("report.md").exists(),
        "nothing is written on a bad file"
    );

    let (_dir, folder) = fixture();
    let posterior = fs::read_to_string(folder.join("posterior.csv")).unwrap();
    fs::write(
        folder.join("posterior.csv"),
        posterior.replace("model.formation_rate", "model.tie_rate"),
    )
    .unwrap();
    let text = stderr(&folder);
    assert!(
        text.contains("posterior.csv:1:4: 'model.tie_rate' is a fixed value"),
        "{text}"
    );

    let (_dir, folder) = fixture();
    fs::write(folder.join("generations.csv"), "generation,tolerance\n").unwrap();
    assert!(stderr(&folder).contains("generations.csv does not start with the expected header"));
}
