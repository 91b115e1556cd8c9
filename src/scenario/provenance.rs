//! Where each number in a scenario file comes from: a source id (published data, or an explicit
//! assumption) or nothing.
//!
//! A number is *sourced* when the nearest object around it that carries a `source` field names a
//! source (a sector's `source` covers its firm count, shares and potential; `policy.source`
//! covers the policy's rule and shares), or, for a model parameter, when `model_sources` names a
//! source for that parameter or for `default`. The `sources` list itself, the `simulation`
//! settings (run count and seed) and `price_year` (which says how to read the money, not what
//! happened) are not checked.
//! `clustersim validate` lists the numbers that are not sourced; a test walks the shipped
//! scenarios and requires none.

use serde_json::Value;

/// JSON paths (e.g. `model.tie_rate`, `sectors[2].firms`) of the numbers in `file` (the parsed
/// JSON of a scenario file) that have neither a source nor an assumption label, in file order.
pub fn unsourced_numbers(file: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Value::Object(root) = file else {
        return out;
    };
    let model_sources = root.get("model_sources").and_then(Value::as_object);
    let model_default = model_sources.is_some_and(|sources| sources.contains_key("default"));
    for (key, value) in root {
        match key.as_str() {
            "sources" | "simulation" | "model_sources" | "price_year" => {}
            "model" => {
                if let Value::Object(parameters) = value {
                    for (name, param) in parameters {
                        // A money parameter may be named in either spelling in each place
                        // (`absorption_base` in `model`, `absorption_base_ltl` in
                        // `model_sources`).
                        let parameter = super::ParameterInfo::find(name).map(|info| info.name);
                        let named = model_sources.is_some_and(|sources| {
                            sources.keys().any(|key| {
                                key == name
                                    || (parameter.is_some()
                                        && super::ParameterInfo::find(key).map(|info| info.name)
                                            == parameter)
                            })
                        });
                        if !(named || model_default) {
                            walk(param, &format!("model.{name}"), false, &mut out);
                        }
                    }
                }
            }
            _ => walk(value, key, false, &mut out),
        }
    }
    out
}

/// Pushes the paths of numbers under `value` (at `path`) not covered by a `source` field;
/// `covered` says whether an enclosing object already has one.
fn walk(value: &Value, path: &str, covered: bool, out: &mut Vec<String>) {
    match value {
        Value::Number(_) if !covered => out.push(path.to_string()),
        Value::Object(object) => {
            let covered = covered || object.get("source").is_some_and(Value::is_string);
            for (key, child) in object {
                walk(child, &format!("{path}.{key}"), covered, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                walk(child, &format!("{path}[{index}]"), covered, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_without_a_source_are_listed_with_their_paths() {
        let file = json!({
            "budget": {"total_ltl": 5, "first_year": 2007, "source": "p"},
            "sectors": [{"firms": 3, "source": "s"}, {"firms": 4}],
            "policy": {"rule": {"competitive": {"quality_sd": 0.2}}, "cap_share": 0.4},
            "model": {"tie_rate": 0.1, "exit_rate": {"uniform": {"min": 0, "max": 1}}},
            "model_sources": {"tie_rate": "m"},
            "simulation": {"runs": 10, "seed": 1}
        });
        assert_eq!(
            unsourced_numbers(&file),
            [
                "sectors[1].firms",
                "policy.rule.competitive.quality_sd",
                "policy.cap_share",
                "model.exit_rate.uniform.min",
                "model.exit_rate.uniform.max",
            ]
        );
    }

    #[test]
    fn a_default_model_source_covers_every_parameter() {
        let file = json!({"model": {"tie_rate": 0.1}, "model_sources": {"default": "m"}});
        assert!(unsourced_numbers(&file).is_empty());
    }
}
