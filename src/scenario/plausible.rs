//! Values that are valid but implausible: a model parameter outside its plausible range
//! ([`ParameterInfo::plausible_min`], [`ParameterInfo::plausible_max`]). Such a value runs, as
//! written, but is more often a slip than a choice — `"networking_uplift": 8` meant as 8% is a
//! ninefold added value, and `"exit_rate": 1` empties every cluster each quarter — so loading
//! warns, naming the JSON path, and `validate`, `run` and the report repeat the warning.

use super::distribution::Param;
use super::json_path::JsonPath;
use super::model_parameters::{ModelParameters, ParameterInfo};
use super::plan::Problem;

/// One warning per model parameter whose value (a fixed number) or distribution (its mean, or a
/// finite end of its support) lies outside the plausible range, in [`PARAMETER_TABLE`] order.
///
/// [`PARAMETER_TABLE`]: super::model_parameters::PARAMETER_TABLE
pub fn implausible_parameters(
    model: &ModelParameters<Param>,
    model_path: &JsonPath,
) -> Vec<Problem> {
    model
        .values()
        .into_iter()
        .filter_map(|(info, param)| {
            implausibility(info, param).map(|message| Problem {
                path: model_path.key(info.name),
                message,
            })
        })
        .collect()
}

/// Why `param` is implausible for `info`, or None when it is plausible.
fn implausibility(info: &ParameterInfo, param: &Param) -> Option<String> {
    let (low, high) = (info.plausible_min, info.plausible_max);
    let outside = |value: f64| value < low || value > high;
    let range = format!("[{}, {}] {}", low, high, info.unit);
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
        implausible_parameters(&model, &JsonPath::root().key("model"))
    }

    #[test]
    fn the_defaults_are_plausible() {
        assert_eq!(warnings_for(|_| {}), Vec::new());
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
