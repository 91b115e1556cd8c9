//! The scenario's currency: every money value in a file is read in it, and converted to litas
//! at the fixed rate (3.4528 LTL/EUR) for the model and the outputs, which report LTL with EUR
//! alongside.
//!
//! A budget field or model/policy key spelt for another currency (`total_eur` in an LTL
//! scenario, `request_ltl_per_member` in an EUR one) is an error that names the currency and the
//! spelling to use, so that euros cannot be typed into a litas field silently.

use serde_json::Value;

use super::json_path::JsonPath;
use super::plan::Problem;
use super::spec::BudgetSpec;
use crate::money::LTL_PER_EUR;

/// The currencies a scenario may declare, with litas per unit.
pub const CURRENCIES: [(&str, f64); 2] = [("LTL", 1.0), ("EUR", LTL_PER_EUR)];

/// A checked currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// Litas per unit (1 for LTL, 3.4528 for EUR).
    pub ltl_per_unit: f64,
    /// Price year of the file's money values, if given.
    pub price_year: Option<i32>,
}

impl Currency {
    /// Litas, the currency of files that declare none.
    pub fn litas() -> Self {
        Self {
            code: "LTL",
            ltl_per_unit: 1.0,
            price_year: None,
        }
    }
}

/// Checks `currency` and `price_year`; returns the currency (litas after a problem).
pub(super) fn check(
    currency: Option<&str>,
    price_year: Option<i32>,
    problems: &mut Vec<Problem>,
) -> Currency {
    if let Some(year) = price_year
        && !(1900..=2200).contains(&year)
    {
        problems.push(Problem {
            path: JsonPath::root().key("price_year"),
            message: format!("a year between 1900 and 2200 is expected (got {year})"),
        });
    }
    let code = currency.unwrap_or("LTL");
    match CURRENCIES.iter().find(|(known, _)| *known == code) {
        Some(&(code, ltl_per_unit)) => Currency {
            code,
            ltl_per_unit,
            price_year,
        },
        None => {
            problems.push(Problem {
                path: JsonPath::root().key("currency"),
                message: format!(
                    "unsupported currency '{code}'; supported ISO 4217 codes: LTL, EUR (fixed rate 3.4528 LTL/EUR)"
                ),
            });
            Currency::litas()
        }
    }
}

/// The budget total in the scenario's currency: exactly one of `total`, `total_ltl` (LTL
/// scenarios) and `total_eur` (EUR scenarios).
pub(super) fn budget_total(
    budget: &BudgetSpec,
    currency: &Currency,
    problems: &mut Vec<Problem>,
) -> Option<f64> {
    let path = JsonPath::root().key("budget");
    let given: Vec<(&str, f64)> = [
        ("total", budget.total),
        ("total_ltl", budget.total_ltl),
        ("total_eur", budget.total_eur),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|value| (key, value)))
    .collect();
    match given.as_slice() {
        [] => {
            problems.push(Problem {
                path,
                message: format!(
                    "the budget needs its total: write \"total\" (in the scenario's currency, {})",
                    currency.code
                ),
            });
            None
        }
        [(key, value)] => {
            if let Some(spelt) = key.strip_prefix("total_")
                && !spelt.eq_ignore_ascii_case(currency.code)
            {
                problems.push(Problem {
                    path: path.key(*key),
                    message: format!(
                        "budget.{key} is in {} but the scenario's currency is {}; write the amount in {} as \"total\", or declare \"currency\": \"{}\"",
                        spelt.to_uppercase(),
                        currency.code,
                        currency.code,
                        spelt.to_uppercase()
                    ),
                });
                return None;
            }
            Some(*value)
        }
        _ => {
            let keys: Vec<&str> = given.iter().map(|(key, _)| *key).collect();
            problems.push(Problem {
                path: path.key(given[1].0),
                message: format!(
                    "the budget total is given {} times ({}); give it once",
                    given.len(),
                    keys.join(", ")
                ),
            });
            None
        }
    }
}

/// Pushes a problem for every key under `file` (outside `sources`, `model_sources` and
/// descriptions) spelt for a currency other than `currency`: a key containing `_ltl` in a non-LTL
/// scenario, or `_eur` in a non-EUR one. `total_…` in `budget` is left to [`budget_total`].
pub fn check_keys(file: &Value, currency: &Currency, problems: &mut Vec<Problem>) {
    if let Value::Object(root) = file {
        for (key, value) in root {
            if key != "sources" && key != "model_sources" && key != "budget" {
                walk(
                    value,
                    &JsonPath::root().key(key.clone()),
                    currency,
                    problems,
                );
            }
        }
    }
}

fn walk(value: &Value, path: &JsonPath, currency: &Currency, problems: &mut Vec<Problem>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_path = path.key(key.clone());
                for (spelt, _) in CURRENCIES {
                    let marker = format!("_{}", spelt.to_lowercase());
                    if spelt != currency.code && key.contains(&marker) {
                        let neutral = key.replacen(&marker, "", 1);
                        problems.push(Problem {
                            path: child_path.clone(),
                            message: format!(
                                "'{key}' is a value in {spelt} but the scenario's currency is {}; write it in {} as '{neutral}'",
                                currency.code, currency.code
                            ),
                        });
                    }
                }
                walk(child, &child_path, currency, problems);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &path.index(index), currency, problems);
            }
        }
        _ => {}
    }
}
