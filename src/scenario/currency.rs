//! The scenario's currency: every money value in a file is read in it, the model computes in it
//! (whole cents of that currency) and the outputs report in it, with a second currency alongside
//! only where the scenario asks for one (`also_in`) or its currency was replaced by the euro at
//! an irrevocably fixed rate (LTL, LVL, EEK, which show EUR alongside unless `"also_in": "none"`).
//!
//! A budget field or model/policy key spelt for another currency (`total_eur` in an LTL
//! scenario, `request_ltl_per_member` in an EUR one) is an error that names the currency and the
//! spelling to use, so that euros cannot be typed into a litas field silently.
//!
//! Outcome and column identifiers are spelt with the token `ltl` in the code (`allocated_ltl`,
//! `added_value_per_ltl_spent`): [`Currency::name`] writes them with the scenario's code
//! (`allocated_eur`) in every file, and [`Currency::label`] does the same for the words `LTL` in
//! human-readable labels, so an LTL scenario's outputs are unchanged and no other scenario's
//! outputs mention litas.

use std::borrow::Cow;

use serde_json::Value;

use super::json_path::JsonPath;
use super::plan::Problem;
use super::spec::BudgetSpec;

/// The currencies a scenario may declare (ISO 4217 codes), with units per euro where the rate
/// is irrevocably fixed: the euro itself and the national currencies it replaced at the rates of
/// Council Regulation (EC) No 2866/98 as amended (EEK 15.6466 from 2011, LVL 0.702804 from 2014,
/// LTL 3.45280 from 2015). The others float against the euro: they may be a scenario's currency
/// but cannot be shown alongside another one.
pub const CURRENCIES: [(&str, Option<f64>); 13] = [
    ("EUR", Some(1.0)),
    ("LTL", Some(crate::money::LTL_PER_EUR)),
    ("LVL", Some(0.702804)),
    ("EEK", Some(15.6466)),
    ("USD", None),
    ("GBP", None),
    ("PLN", None),
    ("SEK", None),
    ("DKK", None),
    ("NOK", None),
    ("CZK", None),
    ("HUF", None),
    ("CHF", None),
];

/// The codes of [`CURRENCIES`], for messages.
fn supported_codes() -> String {
    CURRENCIES
        .iter()
        .map(|(code, _)| *code)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A second currency shown alongside the scenario's own.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondCurrency {
    /// ISO 4217 code.
    pub code: &'static str,
    /// The fixed rate as the regulation writes it, e.g. `3.4528 LTL/EUR`.
    pub rate: String,
    /// Units of this currency per euro (1 for EUR).
    pub per_euro: f64,
    /// Units of the scenario's currency per euro (3.4528 for LTL).
    pub own_per_euro: f64,
}

impl SecondCurrency {
    /// An amount in the scenario's currency converted to this one through the euro rates:
    /// `value · per_euro / own_per_euro` (for LTL to EUR exactly `value / 3.4528`).
    pub fn convert(&self, value: f64) -> f64 {
        value * self.per_euro / self.own_per_euro
    }
}

/// A checked currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// ISO 4217 code of every money value of the scenario, in the model and in the outputs.
    pub code: &'static str,
    /// Price year of the file's money values, if given.
    pub price_year: Option<i32>,
    /// The currency shown alongside, if any.
    pub also_in: Option<SecondCurrency>,
}

impl Currency {
    /// Litas with euros alongside: the currency of files that declare none.
    pub fn litas() -> Self {
        Self {
            code: "LTL",
            price_year: None,
            also_in: Some(SecondCurrency {
                code: "EUR",
                rate: format!("{} LTL/EUR", crate::money::LTL_PER_EUR),
                per_euro: 1.0,
                own_per_euro: crate::money::LTL_PER_EUR,
            }),
        }
    }

    /// An amount written `CODE amount`, followed by ` (SECOND amount)` when a second currency is
    /// shown: "LTL 186,000,000 (EUR 53,869,323)". `format` writes a number.
    pub fn amount(&self, value: f64, format: impl Fn(f64) -> String) -> String {
        match &self.also_in {
            Some(second) => format!(
                "{} {} ({} {})",
                self.code,
                format(value),
                second.code,
                format(second.convert(value))
            ),
            None => format!("{} {}", self.code, format(value)),
        }
    }

    /// How the second currency's amounts are computed, for chart subtitles: `EUR = LTL / 3.4528`
    /// (`LTL = EUR × 3.4528` the other way round), if one is shown.
    pub fn conversion(&self) -> Option<String> {
        self.also_in.as_ref().map(|second| {
            if second.per_euro == 1.0 {
                format!("{} = {} / {}", second.code, self.code, second.own_per_euro)
            } else if second.own_per_euro == 1.0 {
                format!("{} = {} × {}", second.code, self.code, second.per_euro)
            } else {
                format!(
                    "{} = {} × {} / {}",
                    second.code, self.code, second.per_euro, second.own_per_euro
                )
            }
        })
    }

    /// Units of this currency per litas where both rates to the euro are irrevocably fixed
    /// ([`CURRENCIES`]): 1 for LTL, 1 / 3.4528 for EUR; `None` for a floating currency.
    pub fn per_litas(&self) -> Option<f64> {
        CURRENCIES
            .iter()
            .find(|(code, _)| *code == self.code)
            .and_then(|(_, per_euro)| *per_euro)
            .map(|per_euro| per_euro / crate::money::LTL_PER_EUR)
    }

    /// The value in the second currency, if one is shown.
    pub fn second(&self, value: f64) -> Option<f64> {
        self.also_in.as_ref().map(|second| second.convert(value))
    }

    /// An outcome or column identifier spelt with the token `ltl` (`allocated_ltl`,
    /// `added_value_per_ltl_spent`, `model.absorption_base_ltl`) written in this currency
    /// (`allocated_eur`): every `ltl` between `_`/`.` separators or at an end becomes the
    /// lower-case code. Unchanged for LTL.
    pub fn name<'a>(&self, identifier: &'a str) -> Cow<'a, str> {
        replace_token(identifier, "ltl", &self.code.to_lowercase(), |c| {
            c == '_' || c == '.'
        })
    }

    /// A key of a money value as a file in this currency spells it: `request_ltl_per_member` in
    /// LTL, the currency-neutral `request_per_member` otherwise.
    pub fn key<'a>(&self, name: &'a str) -> Cow<'a, str> {
        if self.code == "LTL" {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(name.replacen("_ltl", "", 1))
        }
    }

    /// A human-readable label with every word `LTL` written as this currency's code
    /// ("Allocated, LTL" → "Allocated, EUR"). Unchanged for LTL.
    pub fn label<'a>(&self, text: &'a str) -> Cow<'a, str> {
        replace_token(text, "LTL", self.code, |c| !c.is_ascii_alphanumeric())
    }
}

/// Replaces every occurrence of `token` in `text` that stands between separators (characters
/// for which `separator` holds) or the ends of the text.
fn replace_token<'a>(
    text: &'a str,
    token: &str,
    replacement: &str,
    separator: impl Fn(char) -> bool,
) -> Cow<'a, str> {
    if token == replacement || !text.contains(token) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(position) = rest.find(token) {
        let before = rest[..position].chars().next_back().or(previous);
        let after = rest[position + token.len()..].chars().next();
        out.push_str(&rest[..position]);
        if before.is_none_or(&separator) && after.is_none_or(&separator) {
            out.push_str(replacement);
        } else {
            out.push_str(token);
        }
        previous = token.chars().next_back();
        rest = &rest[position + token.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Checks `currency`, `price_year` and `also_in`; returns the currency (litas after a problem).
pub(super) fn check(
    currency: Option<&str>,
    price_year: Option<i32>,
    also_in: Option<&str>,
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
    let Some(&(code, per_euro)) = CURRENCIES.iter().find(|(known, _)| *known == code) else {
        problems.push(Problem {
            path: JsonPath::root().key("currency"),
            message: format!(
                "unsupported currency '{code}'; supported ISO 4217 codes: {}",
                supported_codes()
            ),
        });
        return Currency::litas();
    };
    let also_in = match also_in {
        Some("none") => None,
        // A currency the euro replaced at a fixed rate shows euros alongside by default.
        None if code != "EUR" && per_euro.is_some() => {
            second_currency(code, per_euro, "EUR", problems)
        }
        None => None,
        Some(second) => second_currency(code, per_euro, second, problems),
    };
    Currency {
        code,
        price_year,
        also_in,
    }
}

/// The second currency `second` beside `code` (`per_euro` units per euro), if their rate is
/// fixed.
fn second_currency(
    code: &str,
    per_euro: Option<f64>,
    second: &str,
    problems: &mut Vec<Problem>,
) -> Option<SecondCurrency> {
    let path = JsonPath::root().key("also_in");
    let Some(&(second, second_per_euro)) = CURRENCIES.iter().find(|(known, _)| *known == second)
    else {
        problems.push(Problem {
            path,
            message: format!(
                "unsupported currency '{second}'; write \"none\" or one of: {}",
                supported_codes()
            ),
        });
        return None;
    };
    if second == code {
        problems.push(Problem {
            path,
            message: format!(
                "'{second}' is the scenario's own currency; name a different one, or \"none\""
            ),
        });
        return None;
    }
    match (per_euro, second_per_euro) {
        (Some(per_euro), Some(second_per_euro)) => Some(SecondCurrency {
            code: second,
            rate: match (code, second) {
                ("EUR", _) => format!("{second_per_euro} {second}/EUR"),
                (_, "EUR") => format!("{per_euro} {code}/EUR"),
                _ => format!("{per_euro} {code}/EUR and {second_per_euro} {second}/EUR"),
            },
            per_euro: second_per_euro,
            own_per_euro: per_euro,
        }),
        _ => {
            let fixed: Vec<&str> = CURRENCIES
                .iter()
                .filter(|(other, rate)| rate.is_some() && *other != code)
                .map(|(other, _)| *other)
                .collect();
            problems.push(Problem {
                path,
                message: format!(
                    "{code} and {second} have no fixed exchange rate, so amounts cannot be shown in both; {}",
                    if per_euro.is_some() {
                        format!("a second currency for {code} is one of: {}", fixed.join(", "))
                    } else {
                        format!("{code} has no fixed rate to any currency; write \"none\" or leave also_in out")
                    }
                ),
            });
            None
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

/// The currencies money keys were ever spelt for (`total_ltl`, `absorption_base_ltl`, `total_eur`).
const SPELT_CURRENCIES: [&str; 2] = ["LTL", "EUR"];

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
                for spelt in SPELT_CURRENCIES {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: Option<&str>, also_in: Option<&str>) -> (Currency, Vec<Problem>) {
        let mut problems = Vec::new();
        let currency = check(code, None, also_in, &mut problems);
        (currency, problems)
    }

    #[test]
    fn identifiers_and_labels_are_written_in_the_currency_and_unchanged_in_litas() {
        let (eur, _) = currency(Some("EUR"), None);
        assert_eq!(eur.name("allocated_ltl"), "allocated_eur");
        assert_eq!(
            eur.name("added_value_per_ltl_spent"),
            "added_value_per_eur_spent"
        );
        assert_eq!(
            eur.name("model.absorption_base_ltl"),
            "model.absorption_base_eur"
        );
        // Only whole tokens: no `ltl` inside a word is touched.
        assert_eq!(eur.name("saltlake_ltlx"), "saltlake_ltlx");
        assert_eq!(eur.label("Allocated, LTL"), "Allocated, EUR");
        assert_eq!(eur.label("LTL per LTL"), "EUR per EUR");
        assert_eq!(eur.label("VOLTLINE"), "VOLTLINE");
        assert_eq!(eur.key("request_ltl_per_member"), "request_per_member");
        let litas = Currency::litas();
        for text in ["allocated_ltl", "Allocated, LTL", "request_ltl_per_member"] {
            assert!(matches!(litas.name(text), Cow::Borrowed(_)));
            assert!(matches!(litas.label(text), Cow::Borrowed(_)));
            assert_eq!(litas.key(text), text);
        }
    }

    #[test]
    fn the_second_currency_converts_at_the_fixed_rates() {
        // LTL → EUR divides by 3.4528 exactly as before currencies were declared.
        let (litas, problems) = currency(None, None);
        assert!(problems.is_empty());
        assert_eq!(litas, Currency::litas());
        let value = 186_000_000.0;
        assert_eq!(litas.second(value), Some(value / 3.4528));
        assert_eq!(
            litas.amount(value, |v| format!("{v:.0}")),
            "LTL 186000000 (EUR 53869323)"
        );
        // EUR → LTL multiplies.
        let (eur, problems) = currency(Some("EUR"), Some("LTL"));
        assert!(problems.is_empty());
        let converted = eur.second(100.0).unwrap_or(f64::NAN);
        assert!((converted - 345.28).abs() < 1e-9, "{converted}");
        assert_eq!(eur.conversion().as_deref(), Some("LTL = EUR × 3.4528"));
        // LVL → LTL through the euro: 1 LVL = 3.4528 / 0.702804 LTL.
        let (lats, problems) = currency(Some("LVL"), Some("LTL"));
        assert!(problems.is_empty());
        let converted = lats.second(1.0).unwrap_or(f64::NAN);
        assert!((converted - 3.4528 / 0.702804).abs() < 1e-12, "{converted}");
        // No second currency unless asked for, except beside the euro's predecessors.
        assert!(currency(Some("EUR"), None).0.also_in.is_none());
        assert!(currency(Some("PLN"), None).0.also_in.is_none());
        assert_eq!(
            currency(Some("EEK"), None).0.also_in.map(|s| s.code),
            Some("EUR")
        );
        assert!(currency(Some("LTL"), Some("none")).0.also_in.is_none());
    }

    #[test]
    fn a_pair_without_a_fixed_rate_is_refused_with_what_is_valid() {
        let (_, problems) = currency(Some("EUR"), Some("GBP"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path.to_string(), "also_in");
        assert!(
            problems[0]
                .message
                .contains("a second currency for EUR is one of: LTL, LVL, EEK"),
            "{}",
            problems[0].message
        );
        let (_, problems) = currency(Some("USD"), Some("EUR"));
        assert!(problems[0].message.contains("USD has no fixed rate"));
        let (_, problems) = currency(Some("EUR"), Some("XYZ"));
        assert!(problems[0].message.contains("unsupported currency 'XYZ'"));
    }
}
