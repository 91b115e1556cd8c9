//! Values that are valid but implausible: a model parameter outside its plausible range
//! ([`ParameterInfo::plausible_min`], [`ParameterInfo::plausible_max`]). Such a value runs, as
//! written, but is more often a slip than a choice — `"networking_uplift": 8` meant as 8% is a
//! ninefold added value, and `"exit_rate": 1` empties every cluster each quarter — so loading
//! warns, naming the JSON path, and `validate`, `run` and the report repeat the warning.

use super::currency::Currency;
use super::distribution::Param;
use super::json_path::JsonPath;
use super::model_parameters::{ModelParameters, ParameterInfo};
use super::plan::Problem;

/// One warning per model parameter whose value (a fixed number) or distribution (its mean, or a
/// finite end of its support) lies outside the plausible range, in [`PARAMETER_TABLE`] order,
/// with the parameter's key and unit as a scenario in `currency` writes them.
///
/// The plausible ranges of money parameters are set in litas; in a currency with an irrevocably
/// fixed rate to the euro (EUR, LVL, EEK) they are converted through the euro and rounded to
/// three significant digits. A floating currency has no fixed rate to convert them by, so its
/// money parameters are not checked for plausibility (only for validity).
///
/// [`PARAMETER_TABLE`]: super::model_parameters::PARAMETER_TABLE
pub fn implausible_parameters(
    model: &ModelParameters<Param>,
    model_path: &JsonPath,
    currency: &Currency,
) -> Vec<Problem> {
    model
        .values()
        .into_iter()
        .filter_map(|(info, param)| {
            let range = plausible_range(info, currency)?;
            implausibility(info, param, range, currency).map(|message| Problem {
                path: model_path.key(info.name_in(currency)),
                message,
            })
        })
        .collect()
}

/// The plausible range of `info` in `currency`, if it has one there.
fn plausible_range(info: &ParameterInfo, currency: &Currency) -> Option<(f64, f64)> {
    let range = (info.plausible_min, info.plausible_max);
    if !info.is_money() {
        return Some(range);
    }
    let per_litas = currency.per_litas()?;
    if per_litas == 1.0 {
        return Some(range);
    }
    Some((
        significant(range.0 * per_litas),
        significant(range.1 * per_litas),
    ))
}

/// `value` rounded to three significant digits (0 stays 0).
fn significant(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(2 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// Why `param` is implausible for `info` with the plausible range `(low, high)`, or None when it
/// is plausible.
fn implausibility(
    info: &ParameterInfo,
    param: &Param,
    (low, high): (f64, f64),
    currency: &Currency,
) -> Option<String> {
    let outside = |value: f64| value < low || value > high;
    let range = format!("[{}, {}] {}", low, high, info.unit_in(currency));
    match param {
        Param::Fixed(value) => outside(*value).then(|| {
            let mut message = format!(
                "{value} is valid but outside the plausible range {range}; it is used as written"
            );
            if high <= 1.0 && *value > 1.0 && *value <= 100.0 {
                message.push_str(&format!(
                    " — if you meant {value}%, write {}",
                    value / 100.0
                ));
            }
            message
        }),
        Param::Random(distribution) => {
            let mean = distribution.mean();
            let (support_low, support_high) = distribution.support();
            let finite_end_outside = (support_low.is_finite() && support_low < low)
                || (support_high.is_finite() && support_high > high);
            (outside(mean) || finite_end_outside).then(|| {
                format!(
                    "{distribution} (mean {mean}) is valid but reaches outside the plausible \
                     range {range}; it is used as written"
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Distribution;

    fn warnings_for(edit: impl FnOnce(&mut ModelParameters<Param>)) -> Vec<Problem> {
        let mut model = ModelParameters::<Param>::default();
        edit(&mut model);
        implausible_parameters(&model, &JsonPath::root().key("model"), &Currency::litas())
    }

    #[test]
    fn the_defaults_are_plausible() {
        assert_eq!(warnings_for(|_| {}), Vec::new());
    }

    fn in_currency(
        code: &'static str,
        edit: impl FnOnce(&mut ModelParameters<Param>),
    ) -> Vec<Problem> {
        let mut model = ModelParameters::<Param>::default();
        edit(&mut model);
        let currency = Currency {
            code,
            price_year: None,
            also_in: None,
        };
        implausible_parameters(&model, &JsonPath::root().key("model"), &currency)
    }

    #[test]
    fn money_ranges_are_converted_to_a_fixed_rate_currency() {
        // saturation: plausible from 1,000 LTL per member = 289.62 EUR, shown as 290.
        let low = |value: f64| {
            in_currency("EUR", |model| {
                model.saturation_ltl_per_member = Param::Fixed(value)
            })
        };
        assert!(low(300.0).is_empty(), "EUR 300 = LTL 1,036: plausible");
        let warnings = low(280.0);
        assert_eq!(warnings.len(), 1);
        // The key and unit as an EUR file writes them, so the warning finds its line.
        assert_eq!(warnings[0].path.to_string(), "model.saturation_per_member");
        assert!(
            warnings[0]
                .message
                .contains("[290, 2900000] EUR per member"),
            "{}",
            warnings[0].message
        );
        // In LTL the same 280 is below 1,000 LTL too, and 300 as well.
        assert_eq!(
            warnings_for(|model| model.saturation_ltl_per_member = Param::Fixed(300.0)).len(),
            1
        );
    }

    #[test]
    fn a_floating_currency_skips_only_the_money_ranges() {
        let warnings = in_currency("HUF", |model| {
            model.saturation_ltl_per_member = Param::Fixed(1e12);
            model.exit_rate = Param::Fixed(1.0);
        });
        let paths: Vec<String> = warnings.iter().map(|w| w.path.to_string()).collect();
        assert_eq!(paths, ["model.exit_rate"]);
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(significant(289.620_018_5), 290.0);
        assert_eq!(significant(2_896_200.185), 2_900_000.0);
        assert_eq!(significant(0.012_345), 0.0123);
        assert_eq!(significant(0.0), 0.0);
    }

    #[test]
    fn a_percentage_written_for_a_fraction_warns_with_the_fraction() {
        let warnings = warnings_for(|model| model.networking_uplift = Param::Fixed(8.0));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].path.to_string(), "model.networking_uplift");
        assert!(
            warnings[0].message.contains("if you meant 8%, write 0.08"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn certain_exit_and_a_thirtyfold_spillover_warn() {
        let warnings = warnings_for(|model| {
            model.exit_rate = Param::Fixed(1.0);
            model.valley_spillover = Param::Fixed(30.0);
        });
        let paths: Vec<String> = warnings.iter().map(|w| w.path.to_string()).collect();
        assert_eq!(paths, ["model.exit_rate", "model.valley_spillover"]);
    }

    #[test]
    fn a_distribution_reaching_past_the_plausible_range_warns() {
        let warnings = warnings_for(|model| {
            model.tie_dissolution_rate =
                Param::Random(Distribution::uniform(0.1, 0.9).expect("valid"));
        });
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("mean 0.5"),
            "{}",
            warnings[0].message
        );
        // Inside the plausible range: no warning.
        let warnings = warnings_for(|model| {
            model.tie_dissolution_rate =
                Param::Random(Distribution::uniform(0.1, 0.4).expect("valid"));
        });
        assert!(warnings.is_empty());
    }
}
