//! `clustersim init PATH`: a starter scenario, the baseline with every model parameter written
//! out, ready to edit.

use std::path::Path;

use anyhow::{Context, bail};

use serde_json::Value;

use crate::money::LTL_PER_EUR;
use crate::report::write_atomically;
use crate::scenario::spec::{SourceKind, SourceSpec};
use crate::scenario::{BASELINE_JSON, ScenarioFile};

/// Model parameters that are money, by their names in the file.
const MONEY_PARAMETERS: [(&str, &str); 4] = [
    ("saturation_ltl_per_member", "saturation_per_member"),
    ("absorption_base_ltl", "absorption_base"),
    ("absorption_per_member_ltl", "absorption_per_member"),
    ("added_value_per_sme_ltl", "added_value_per_sme"),
];

/// The starter scenario text in `currency` (`LTL` or `EUR`). In EUR every money value of the
/// baseline is converted at the fixed 3.4528 LTL/EUR, written under its currency-neutral name,
/// and cited to a source that marks it as needing local values.
pub fn starter_text_in(currency: &str) -> anyhow::Result<String> {
    match currency {
        "LTL" => starter_text(),
        "EUR" => {
            let mut file: ScenarioFile =
                serde_json::from_str(&starter_text()?).context("parsing the starter")?;
            file.currency = Some("EUR".into());
            let to_eur = |ltl: f64| (ltl / LTL_PER_EUR * 100.0).round() / 100.0;
            if file.budget.measures.is_empty() {
                let total = file.budget.total_ltl.or(file.budget.total).unwrap_or(0.0);
                file.budget.total = Some(to_eur(total));
            } else {
                // With measures the total is their sum; each measure's budget is converted.
                file.budget.total = None;
                for measure in &mut file.budget.measures {
                    measure.total = to_eur(measure.total);
                }
            }
            file.budget.total_ltl = None;
            let id = "local-values-needed";
            file.sources.push(SourceSpec {
                id: id.into(),
                kind: SourceKind::Assumption,
                citation: format!(
                    "Money values of the model and the competitive requests: ASSUMED placeholders converted from the Lithuanian 2007 baseline's LTL values at {LTL_PER_EUR} LTL/EUR, with the baseline's ranges. Replace them with local values for your region and period before drawing conclusions."
                ),
            });
            for (_, neutral) in MONEY_PARAMETERS {
                file.model_sources.insert(neutral.into(), id.into());
            }
            let mut value = serde_json::to_value(&file).context("writing the starter")?;
            if let Some(model) = value.get_mut("model").and_then(Value::as_object_mut) {
                for (name, neutral) in MONEY_PARAMETERS {
                    if let Some(mut param) = model.remove(name) {
                        divide_numbers(&mut param, LTL_PER_EUR);
                        model.insert(neutral.into(), param);
                    }
                }
            }
            convert_requests(value.get_mut("policy"));
            if let Some(Value::Array(variants)) = value.get_mut("policy_variants") {
                for variant in variants {
                    convert_requests(variant.get_mut("policy"));
                }
            }
            let mut text =
                serde_json::to_string_pretty(&value).context("writing the starter scenario")?;
            text.push('\n');
            Ok(text)
        }
        other => bail!("unsupported currency '{other}'; supported: LTL, EUR"),
    }
}

/// Converts a competitive rule's requests to EUR under their neutral names.
fn convert_requests(policy: Option<&mut Value>) {
    let Some(competitive) = policy
        .and_then(|policy| policy.get_mut("rule"))
        .and_then(|rule| rule.get_mut("competitive"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, neutral) in [
        ("request_ltl_per_member", "request_per_member"),
        ("request_base_ltl", "request_base"),
    ] {
        if let Some(mut amount) = competitive.remove(name) {
            divide_numbers(&mut amount, LTL_PER_EUR);
            competitive.insert(neutral.into(), amount);
        }
    }
}

/// Divides a number, or the location and scale numbers of a distribution of the location-scale
/// kinds the baseline uses (uniform, triangular, PERT, normal, truncated normal), by `rate`.
fn divide_numbers(value: &mut Value, rate: f64) {
    match value {
        Value::Number(number) => {
            if let Some(x) = number.as_f64()
                && let Some(converted) = serde_json::Number::from_f64(x / rate)
            {
                *number = converted;
            }
        }
        Value::Object(object) => {
            for (kind, inner) in object.iter_mut() {
                if [
                    "uniform",
                    "triangular",
                    "pert",
                    "normal",
                    "truncated_normal",
                ]
                .contains(&kind.as_str())
                {
                    divide_numbers(inner, rate);
                } else if let Value::Number(_) = inner {
                    divide_numbers(inner, rate);
                }
            }
        }
        _ => {}
    }
}

/// The starter scenario text.
pub fn starter_text() -> anyhow::Result<String> {
    let mut file: ScenarioFile =
        serde_json::from_str(BASELINE_JSON).context("parsing the built-in baseline")?;
    file.name = "my-scenario".into();
    file.description = format!(
        "Starter scenario copied from the Lithuania 2007–2013 baseline. Edit the budget, sectors, clusters, valleys, policy and model parameters; every field is documented in docs/SCENARIO.md. {}",
        file.description
    );
    let mut text = serde_json::to_string_pretty(&file).context("writing the starter scenario")?;
    text.push('\n');
    Ok(text)
}

/// Writes the starter scenario in `currency` to `path`, refusing to overwrite without `force`.
pub fn init(path: &Path, force: bool, currency: &str) -> anyhow::Result<()> {
    if path.exists() && !force {
        bail!(
            "'{}' already exists; pass --force to overwrite it",
            path.display()
        );
    }
    if path.is_dir() {
        bail!(
            "'{}' is a folder; give a file name such as my-scenario.json",
            path.display()
        );
    }
    write_atomically(path, starter_text_in(currency)?.as_bytes())
}
