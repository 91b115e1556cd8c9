//! Money in the scenario's own currency: an EUR scenario for 2021–2027 runs end to end, gives the
//! same outcomes as the same scenario written in LTL with every money value multiplied by the
//! fixed rate 3.4528, and a money field spelt for another currency is refused with an error that
//! names the currency and the spelling to use.

use clustersim::engine::simulate_run;
use clustersim::policy::rule_for;
use clustersim::scenario::{Scenario, load_str};
use serde_json::{Value, json};

const LTL_PER_EUR: f64 = 3.4528;

/// A 2021–2027 programme of EUR 40 M (or the same in LTL, every money value × 3.4528).
fn programme(currency: &str, factor: f64) -> Value {
    json!({
        "name": "region-2021-2027",
        "currency": currency,
        "price_year": 2021,
        "budget": {"total": 40_000_000.0 * factor, "first_year": 2021, "last_year": 2027,
            "horizon_year": 2029},
        "sectors": [
            {"id": "ict", "name": "ICT", "firms": 900, "sole_proprietor_share": 0.3,
             "cooperation_propensity": 0.1, "potential": 0.7, "max_clusters": 3},
            {"id": "food", "name": "Food", "firms": 600, "sole_proprietor_share": 0.3,
             "cooperation_propensity": 0.1, "potential": 0.6, "max_clusters": 2}
        ],
        "clusters": [
            {"id": "ict-cluster", "name": "ICT cluster", "sector": "ict", "status": "operating",
             "initial_members": 15, "initial_links": 20},
            {"id": "food-cluster", "name": "Food cluster", "sector": "food",
             "status": "forming"}
        ],
        "policy": {"rule": {"competitive": {"request_per_member": 15000.0 * factor,
            "request_base": 250000.0 * factor, "quality_sd": 0.2}}},
        "model": {"saturation_per_member": 6000.0 * factor,
            "absorption_base": 45000.0 * factor, "absorption_per_member": 4500.0 * factor,
            "added_value_per_sme": 90000.0 * factor}
    })
}

fn load(value: &Value) -> Scenario {
    match load_str(&value.to_string(), "region.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    }
}

fn error(value: &Value) -> String {
    match load_str(&value.to_string(), "region.json") {
        Ok(_) => panic!("the scenario loaded"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn an_eur_scenario_gives_the_outcomes_of_the_same_scenario_in_ltl() {
    let eur = load(&programme("EUR", 1.0));
    let ltl = load(&programme("LTL", LTL_PER_EUR));
    assert_eq!(eur.currency.code, "EUR");
    // Each is counted in cents of its own currency.
    assert_eq!(eur.budget.total_cents, 4_000_000_000);
    assert_eq!(ltl.budget.total_cents, 13_811_200_000);
    let names = clustersim::engine::outcomes::HEADLINE_OUTCOMES;
    for run in 0..30 {
        let [a, b] = [&eur, &ltl].map(|scenario| {
            let rule = rule_for(&scenario.policy.rule);
            simulate_run(scenario, &scenario.parameter_slots(), rule.as_ref(), 9, run)
        });
        for ((name, x), y) in names.iter().zip(&a.headline).zip(&b.headline) {
            // Counts are identical: the hazards see the same funding effect up to the rounding
            // of money to whole cents, which moves a probability by ~1e-9 relatively, and a
            // binomial draw only changes if its uniform lands that close to a boundary.
            // Money is EUR × 3.4528 in LTL up to that rounding: every capacity (floor to the
            // cent), allocation share (largest remainder) and carried balance is rounded once
            // per cluster, quarter and simulation (funded and counterfactual) in each currency,
            // by at most 1 cent of EUR (0.034528 LTL) plus 1 cent of LTL: 0.045 LTL × (5
            // clusters at most × 36 quarters × 2 simulations × 3 roundings) ≈ 49 LTL, against
            // totals of about 10^8 LTL. Ratios of such money agree to 1e-6 relatively.
            let (x_in_ltl, tolerance) = if name.contains("per_") {
                let scale = if name.ends_with("_ltl") {
                    LTL_PER_EUR
                } else {
                    1.0
                };
                (x * scale, 1e-6 * (x * scale).abs().max(y.abs()))
            } else if name.ends_with("_ltl") {
                (x * LTL_PER_EUR, 0.045 * 5.0 * 36.0 * 2.0 * 3.0)
            } else {
                (*x, 0.0)
            };
            assert!(
                (x_in_ltl - y).abs() <= tolerance || (x.is_nan() && y.is_nan()),
                "run {run}, {name}: EUR {x} (LTL {x_in_ltl}) vs LTL {y}"
            );
        }
    }
}

/// The texts an SVG draws.
fn svg_texts(path: &std::path::Path) -> Vec<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => panic!("{}: {error}", path.display()),
    };
    let document = match roxmltree::Document::parse(&text) {
        Ok(document) => document,
        Err(error) => panic!("{}: {error}", path.display()),
    };
    document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| node.text().unwrap_or_default().trim().to_string())
        .collect()
}

fn run_programme(value: &Value) -> (tempfile::TempDir, std::path::PathBuf) {
    let folder = match tempfile::tempdir() {
        Ok(folder) => folder,
        Err(error) => panic!("{error}"),
    };
    let file = folder.path().join("region.json");
    if let Err(error) = std::fs::write(&file, value.to_string()) {
        panic!("{error}");
    }
    let out = folder.path().join("result");
    let mut command = match assert_cmd::Command::cargo_bin("clustersim") {
        Ok(command) => command,
        Err(error) => panic!("{error}"),
    };
    command
        .args(["run", "--runs", "20", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    (folder, out)
}

fn read(path: &std::path::Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => panic!("{}: {error}", path.display()),
    }
}

#[test]
fn an_eur_programme_for_2021_2027_runs_end_to_end_in_eur() {
    let (_folder, out) = run_programme(&programme("EUR", 1.0));
    // allocations.csv has EUR columns only, and they give back the EUR budget: the sum over
    // years, clusters and instruments of the mean allocated is EUR 40 M to the cent (each run
    // allocates the whole budget, so every run's sum, and the mean's, is the budget).
    let text = read(&out.join("allocations.csv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(
        header,
        [
            "year",
            "cluster",
            "instrument",
            "quantity",
            "mean_eur",
            "p5_eur",
            "p50_eur",
            "p95_eur"
        ]
    );
    let total: f64 = lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[3] == "allocated")
        .map(|cells| cells[4].parse::<f64>().unwrap_or(f64::NAN))
        .sum();
    assert!((total - 40_000_000.0).abs() < 0.05, "allocated EUR {total}");
    // Outcome names in the tables are in EUR.
    let runs = read(&out.join("runs.csv"));
    let runs_header = runs.lines().next().unwrap_or_default();
    for name in [
        "allocated_eur",
        "cost_per_additional_networked_sme_eur",
        "added_value_per_eur_spent",
        "model.absorption_base",
    ] {
        assert!(
            runs_header.split(',').any(|column| column == name),
            "{name} not in {runs_header}"
        );
    }
    let summary = read(&out.join("summary.csv"));
    assert!(summary.contains(",total,absorbed_eur,"), "summary.csv");
    // No text output mentions litas: tables, reports and every chart.
    let mut texts = vec![out.join("summary.csv"), out.join("runs.csv")];
    texts.extend(["drivers.csv", "report.md", "report.html"].map(|name| out.join(name)));
    let charts = match std::fs::read_dir(out.join("charts")) {
        // The PNGs draw the same texts as the SVGs.
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "svg")),
        Err(error) => panic!("{error}"),
    };
    texts.extend(charts);
    for path in &texts {
        let text = read(path);
        assert!(
            !text.contains("LTL") && !text.contains("_ltl"),
            "{} mentions litas",
            path.display()
        );
    }
    // The charts' money axes are in EUR.
    let charts = out.join("charts");
    let by_cluster = svg_texts(&charts.join("allocations-by-cluster.svg"));
    assert!(
        by_cluster
            .iter()
            .any(|text| text == "Allocated (EUR million)"),
        "{by_cluster:?}"
    );
    let cost = svg_texts(&charts.join("distribution-cost_per_additional_networked_sme_eur.svg"));
    assert!(
        cost.iter()
            .any(|text| text == "Money absorbed per networked SME added by funding (EUR per firm)"),
        "{cost:?}"
    );
    let flows = svg_texts(&charts.join("allocations-flows.svg"));
    assert!(
        flows
            .iter()
            .any(|text| text == "Flow in the year (EUR million)"),
        "{flows:?}"
    );
    let report = read(&out.join("report.md"));
    assert!(report.contains("Budget EUR 40,000,000,"), "{report}");
    assert!(
        report.contains("| Allocated, EUR | 40,000,000 |"),
        "{report}"
    );
    // The workbook's text cells, on every sheet, are in EUR too.
    use calamine::{Data, Reader, Xlsx};
    let bytes = match std::fs::read(out.join("summary.xlsx")) {
        Ok(bytes) => bytes,
        Err(error) => panic!("{error}"),
    };
    let mut workbook = match Xlsx::new(std::io::Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(error) => panic!("{error}"),
    };
    let mut strings = Vec::new();
    for sheet in workbook.sheet_names() {
        if let Ok(range) = workbook.worksheet_range(&sheet) {
            strings.extend(range.cells().filter_map(|(_, _, cell)| match cell {
                Data::String(text) => Some(text.clone()),
                _ => None,
            }));
        }
    }
    assert!(
        strings.iter().any(|text| text == "Allocated, EUR"),
        "{strings:?}"
    );
    assert!(strings.iter().any(|text| text == "mean_eur"), "{strings:?}");
    assert!(
        !strings
            .iter()
            .any(|text| text.contains("LTL") || text.contains("_ltl")),
        "{strings:?}"
    );
}

#[test]
fn an_eur_comparison_reports_in_eur() {
    let folder = match tempfile::tempdir() {
        Ok(folder) => folder,
        Err(error) => panic!("{error}"),
    };
    let file = folder.path().join("region.json");
    if let Err(error) = std::fs::write(&file, programme("EUR", 1.0).to_string()) {
        panic!("{error}");
    }
    let out = folder.path().join("result");
    let mut command = match assert_cmd::Command::cargo_bin("clustersim") {
        Ok(command) => command,
        Err(error) => panic!("{error}"),
    };
    let assert = command
        .args(["compare", "--policies", "competitive,equal", "--runs", "12"])
        .arg("--out")
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        printed.contains("Cost per additional networked SME, EUR"),
        "{printed}"
    );
    assert!(!printed.contains("LTL"), "{printed}");
    let table = read(&out.join("comparison.csv"));
    assert!(
        table.contains(",cost_per_additional_networked_sme_eur,"),
        "{table}"
    );
    let runs = read(&out.join("comparison_runs.csv"));
    assert!(
        runs.lines()
            .next()
            .unwrap_or_default()
            .contains("added_value_per_eur_spent"),
        "comparison_runs.csv"
    );
    for name in [
        "comparison.csv",
        "comparison_pairs.csv",
        "report.md",
        "report.html",
    ] {
        let text = read(&out.join(name));
        assert!(
            !text.contains("LTL") && !text.contains("_ltl"),
            "{name} mentions litas"
        );
    }
    let efficient = svg_texts(&out.join("charts").join("compare-efficient-set.svg"));
    assert!(
        efficient
            .iter()
            .any(|text| text == "Cost per additional networked SME, EUR (mean) · lower is better"),
        "{efficient:?}"
    );
    // `clustersim report` reads the EUR names back and renders the same report.
    let before = read(&out.join("report.md"));
    let mut command = match assert_cmd::Command::cargo_bin("clustersim") {
        Ok(command) => command,
        Err(error) => panic!("{error}"),
    };
    command.arg("report").arg(&out).assert().success();
    assert_eq!(read(&out.join("report.md")), before);
}

#[test]
fn a_second_currency_is_shown_only_when_asked_for() {
    let mut value = programme("EUR", 1.0);
    value["also_in"] = json!("LTL");
    let (_folder, out) = run_programme(&value);
    let text = read(&out.join("allocations.csv"));
    let header = text.lines().next().unwrap_or_default();
    assert_eq!(
        header,
        "year,cluster,instrument,quantity,mean_eur,p5_eur,p50_eur,p95_eur,mean_ltl,p5_ltl,p50_ltl,p95_ltl"
    );
    // The LTL columns are the EUR ones × 3.4528.
    for line in text.lines().skip(1) {
        let cells: Vec<f64> = line
            .split(',')
            .skip(4)
            .filter_map(|c| c.parse().ok())
            .collect();
        if cells.len() == 8 {
            for (eur, ltl) in cells[..4].iter().zip(&cells[4..]) {
                assert!(
                    (eur * LTL_PER_EUR - ltl).abs() <= 1e-9 * ltl.abs().max(1.0),
                    "{line}"
                );
            }
        }
    }
    let flows = svg_texts(&out.join("charts").join("allocations-flows.svg"));
    assert!(flows.iter().any(|text| text == "LTL million"), "{flows:?}");
    let report = read(&out.join("report.md"));
    assert!(
        report.contains("Budget EUR 40,000,000 (LTL 138,112,000),"),
        "{report}"
    );
}

#[test]
fn a_second_currency_without_a_fixed_rate_or_equal_to_the_first_is_refused() {
    let mut value = programme("EUR", 1.0);
    value["currency"] = json!("PLN");
    value["also_in"] = json!("EUR");
    let message = error(&value);
    assert!(
        message.contains("PLN and EUR have no fixed exchange rate"),
        "{message}"
    );
    assert!(message.contains("also_in"), "{message}");

    let mut value = programme("EUR", 1.0);
    value["also_in"] = json!("USD");
    let message = error(&value);
    assert!(
        message.contains("EUR and USD have no fixed exchange rate")
            && message.contains("one of: LTL, LVL, EEK"),
        "{message}"
    );

    let mut value = programme("EUR", 1.0);
    value["also_in"] = json!("EUR");
    let message = error(&value);
    assert!(
        message.contains("'EUR' is the scenario's own currency"),
        "{message}"
    );
}

#[test]
fn a_floating_currency_runs_on_its_own_and_litas_show_euros_unless_told_not_to() {
    // PLN: no second currency by default.
    let mut value = programme("EUR", 1.0);
    value["currency"] = json!("PLN");
    assert!(load(&value).currency.also_in.is_none());
    // LTL: EUR alongside by default (as before currencies were declared), or none.
    let ltl = load(&programme("LTL", LTL_PER_EUR));
    assert_eq!(ltl.currency.also_in.as_ref().map(|s| s.code), Some("EUR"));
    let mut value = programme("LTL", LTL_PER_EUR);
    value["also_in"] = json!("none");
    assert!(load(&value).currency.also_in.is_none());
}

#[test]
fn old_scenario_files_still_load_in_litas_with_euros_alongside() {
    let text = read(std::path::Path::new(
        "tests/data/stylised-baseline-2007.json",
    ));
    let scenario = match load_str(&text, "stylised-baseline-2007.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(scenario.currency.code, "LTL");
    assert_eq!(scenario.budget.total_cents, 18_600_000_000);
    let second = scenario.currency.also_in.as_ref().map(|s| s.code);
    assert_eq!(second, Some("EUR"));
}

#[test]
fn a_budget_field_for_another_currency_is_refused() {
    let mut value = programme("EUR", 1.0);
    value["budget"] = json!({"total_ltl": 40000000, "first_year": 2021, "last_year": 2027,
        "horizon_year": 2029});
    let message = error(&value);
    assert!(message.contains("budget.total_ltl"), "{message}");
    assert!(
        message.contains("is in LTL but the scenario's currency is EUR"),
        "{message}"
    );

    let mut value = programme("LTL", 1.0);
    value["budget"]["total_eur"] = value["budget"]["total"].take();
    if let Some(budget) = value["budget"].as_object_mut() {
        budget.remove("total");
    }
    let message = error(&value);
    assert!(
        message.contains("is in EUR but the scenario's currency is LTL"),
        "{message}"
    );
}

#[test]
fn a_model_or_policy_money_key_for_another_currency_is_refused() {
    let mut value = programme("EUR", 1.0);
    value["model"] = json!({"saturation_ltl_per_member": 6000.0});
    let message = error(&value);
    assert!(
        message.contains("model.saturation_ltl_per_member"),
        "{message}"
    );
    assert!(
        message.contains("write it in EUR as 'saturation_per_member'"),
        "{message}"
    );

    let mut value = programme("EUR", 1.0);
    value["policy"]["rule"] = json!({"competitive": {"request_ltl_per_member": 1.0}});
    let message = error(&value);
    assert!(message.contains("request_ltl_per_member"), "{message}");
}

#[test]
fn an_unsupported_currency_is_refused_with_the_supported_ones() {
    let message = error(&programme("LIT", 1.0));
    assert!(message.contains("unsupported currency 'LIT'"), "{message}");
    assert!(message.contains("EUR, LTL, LVL, EEK, USD"), "{message}");
}

#[test]
fn init_currency_eur_writes_a_valid_starter_with_converted_values_marked_for_replacement() {
    let text = match clustersim::commands::init::starter_text_in("EUR") {
        Ok(text) => text,
        Err(error) => panic!("{error:#}"),
    };
    let eur = match load_str(&text, "starter.json") {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    let ltl = match load_str(
        &clustersim::commands::init::starter_text().unwrap_or_default(),
        "s",
    ) {
        Ok(scenario) => scenario,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(eur.currency.code, "EUR");
    // The budget is the sum of the measures' litas budgets in euros, each rounded to the cent:
    // within half a euro cent (0.5 × 3.4528 litas cents) per measure.
    let in_litas_cents = eur.budget.total_cents as f64 * LTL_PER_EUR;
    let measures = eur.budget.measures.len().max(1) as f64;
    assert!((in_litas_cents - ltl.budget.total_cents as f64).abs() <= measures * 0.5 * LTL_PER_EUR);
    // Money values are converted, and cited to a source that says they need local values.
    let value: Value = serde_json::from_str(&text).unwrap_or_default();
    let saturation = &value["model"]["saturation_per_member"]["triangular"]["mode"];
    assert!((saturation.as_f64().unwrap_or(0.0) - 20000.0 / LTL_PER_EUR).abs() < 1e-6);
    assert_eq!(
        value["model_sources"]["saturation_per_member"],
        json!("local-values-needed")
    );
    // So every money parameter is cited: the starter has no unsourced money value.
    let unsourced = clustersim::commands::validate::describe_unsourced(&text);
    assert!(!unsourced.contains("saturation"), "{unsourced}");
    assert!(text.contains("Replace them with local values"));
}

#[test]
fn an_eur_sensitivity_analysis_names_its_money_outcomes_in_eur() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("region.json");
    std::fs::write(&file, programme("EUR", 1.0).to_string()).expect("scenario written");
    let out = folder.path().join("result");
    assert_cmd::Command::cargo_bin("clustersim")
        .expect("binary is built")
        .args(["sensitivity", "--samples", "8", "--trajectories", "2"])
        .args(["--replications", "2", "--dpi", "60", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let table = read(&out.join("sensitivity.csv"));
    assert!(table.contains("\nadditional_added_value_eur,"), "{table}");
    assert!(!table.contains("_ltl"), "{table}");
    let report = read(&out.join("report.md"));
    assert!(
        report.contains("Additional added value (EUR), "),
        "{report}"
    );
    assert!(!report.contains("LTL"), "{report}");
}

#[test]
fn calibration_targets_name_money_quantities_in_the_scenarios_currency() {
    use clustersim::calibration::targets::targets_from_str;
    let targets = |quantity: &str| {
        json!({"targets": [{"name": "absorbed", "quantity": quantity, "cluster": "ict-cluster",
            "date": 2024.9, "observed": 1_000_000.0, "uncertainty": {"sd": 100_000.0},
            "source": "test"}]})
        .to_string()
    };
    let eur = load(&programme("EUR", 1.0));
    let parsed = targets_from_str(&targets("absorbed_eur"), "targets.json", &eur);
    assert!(parsed.is_ok(), "{:?}", parsed.err().map(|e| e.to_string()));
    // The LTL spelling is summary.csv's name only in LTL scenarios.
    let refused = targets_from_str(&targets("absorbed_ltl"), "targets.json", &eur)
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("unknown quantity 'absorbed_ltl'"),
        "{refused}"
    );
    assert!(refused.contains("absorbed_eur"), "{refused}");
    assert!(!refused.contains("absorbed_ltl,"), "{refused}");
    let ltl = load(&programme("LTL", LTL_PER_EUR));
    assert!(targets_from_str(&targets("absorbed_ltl"), "targets.json", &ltl).is_ok());
}
