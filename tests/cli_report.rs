//! `clustersim report RESULTS_DIR`: re-rendering from saved results, without re-running, gives
//! the same bytes; a folder that is not a result is refused clearly.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn files_under(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for name in ["report.html", "report.md", "summary.xlsx"] {
        files.insert(name.to_string(), fs::read(folder.join(name)).unwrap());
    }
    for entry in fs::read_dir(folder.join("charts")).unwrap().flatten() {
        let name = format!("charts/{}", entry.file_name().to_string_lossy());
        files.insert(name, fs::read(entry.path()).unwrap());
    }
    files
}

#[test]
fn re_rendering_from_saved_results_gives_identical_bytes() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("result");
    clustersim()
        .args(["run", "--runs", "40", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = files_under(&out);
    assert!(before.keys().filter(|name| name.ends_with(".svg")).count() >= 10);
    // Delete the rendered files so the re-render cannot reuse them, then re-render.
    fs::remove_dir_all(out.join("charts")).unwrap();
    fs::remove_file(out.join("report.html")).unwrap();
    clustersim().arg("report").arg(&out).assert().success();
    let after = files_under(&out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &before {
        assert!(bytes == &after[name], "{name} differs after re-rendering");
    }
    // A higher resolution gives larger PNGs (10 × 6.25 inches at 200 dpi).
    clustersim()
        .args(["report", "--dpi", "200"])
        .arg(&out)
        .assert()
        .success();
    let png = fs::read(out.join("charts/networked-smes-fan.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (2000, 1250));
}

#[test]
fn report_refuses_a_folder_that_is_not_a_result() {
    let dir = TempDir::new().unwrap();
    let assert = clustersim()
        .arg("report")
        .arg(dir.path())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("manifest.json"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    clustersim()
        .args(["report", "--dpi", "10"])
        .arg(dir.path())
        .assert()
        .failure();
}
