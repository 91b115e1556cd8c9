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
    assert_eq!(eur.budget.total_cents, ltl.budget.total_cents);
    for run in 0..30 {
        let [a, b] = [&eur, &ltl].map(|scenario| {
            let rule = rule_for(&scenario.policy.rule);
            simulate_run(scenario, &scenario.parameter_slots(), rule.as_ref(), 9, run)
        });
        let names = clustersim::engine::outcomes::HEADLINE_OUTCOMES;
        for ((name, x), y) in names.iter().zip(&a.headline).zip(&b.headline) {
            // Counts are identical. Money may differ by the rounding of the converted values to
            // whole cents: a capacity floor(100 · (base + per member · m)) can land one cent
            // apart, at most once per cluster, quarter and simulation (funded and
            // counterfactual), so 0.01 LTL × 40 quarters × 7 clusters × 2; ratios built from
            // such money by 1e-6 relatively.
            let tolerance = if name.contains("per_") {
                1e-6 * x.abs().max(y.abs())
            } else if name.contains("ltl") {
                0.01 * 40.0 * 7.0 * 2.0
            } else {
                0.0
            };
            assert!(
                (x - y).abs() <= tolerance || (x.is_nan() && y.is_nan()),
                "run {run}, {name}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn an_eur_programme_for_2021_2027_runs_end_to_end() {
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
    command
        .args(["run", "--runs", "20", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    // The EUR columns of allocations.csv give back the EUR budget: the sum over years, clusters
    // and instruments of the mean allocated in EUR is EUR 40 M to the cent (each run allocates
    // the whole budget, so every run's sum, and the mean's, is the budget).
    let text = match std::fs::read_to_string(out.join("allocations.csv")) {
        Ok(text) => text,
        Err(error) => panic!("{error}"),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = |name: &str| match header.iter().position(|h| *h == name) {
        Some(index) => index,
        None => panic!("no column {name} in {header:?}"),
    };
    let (quantity, mean_eur) = (column("quantity"), column("mean_eur"));
    let total: f64 = lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[quantity] == "allocated")
        .map(|cells| cells[mean_eur].parse::<f64>().unwrap_or(f64::NAN))
        .sum();
    assert!((total - 40_000_000.0).abs() < 0.05, "allocated EUR {total}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(
        report.contains("converted to LTL at 3.4528"),
        "the report does not say so"
    );
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
    let message = error(&programme("USD", 1.0));
    assert!(message.contains("unsupported currency 'USD'"), "{message}");
    assert!(message.contains("LTL, EUR"), "{message}");
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
    // The budget converts to the same litas within the cent rounding of the EUR total.
    assert!((eur.budget.total_cents - ltl.budget.total_cents).abs() <= 2);
    // Money values are converted, and cited to a source that says they need local values.
    let value: Value = serde_json::from_str(&text).unwrap_or_default();
    let saturation = &value["model"]["saturation_per_member"]["triangular"]["mode"];
    assert!((saturation.as_f64().unwrap_or(0.0) - 20000.0 / LTL_PER_EUR).abs() < 1e-6);
    assert_eq!(
        value["model_sources"]["saturation_ltl_per_member"],
        json!("local-values-needed")
    );
    assert!(text.contains("Replace them with local values"));
}
