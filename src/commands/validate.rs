//! `clustersim validate FILE`: checks a scenario and describes the resolved plan.

use std::fmt::Write as _;
use std::path::Path;

use crate::money::amount_from_cents;
use crate::report::table::thousands;
use crate::scenario::{ClusterStatus, Scenario, provenance, read_path};

/// Loads `path` and returns the plan description, or the scenario's errors.
pub fn validate(path: &Path) -> anyhow::Result<String> {
    let (scenario, text) = read_path(path)?;
    super::print_warnings(&scenario, &path.display().to_string());
    let mut out = describe(&scenario, &path.display().to_string());
    out.push_str(&describe_unsourced(&text));
    Ok(out)
}

/// The numbers of a (valid) scenario text that have neither a source nor an assumption label,
/// or a line saying every number has one.
pub fn describe_unsourced(text: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return String::new();
    };
    let unsourced = provenance::unsourced_numbers(&value);
    if unsourced.is_empty() {
        return "Sources: every number has a source or an assumption label\n".into();
    }
    let mut out = format!(
        "Values with neither a source nor an assumption label ({}; add a `source`, or name the parameter in `model_sources`):\n",
        unsourced.len()
    );
    for path in unsourced {
        let _ = writeln!(out, "  {path}");
    }
    out
}

/// The measures the budget consists of, when the file names them: budget, what each pays for,
/// eligibility, contract start and what happens to uncontracted money.
fn describe_measures(scenario: &Scenario, out: &mut String) {
    let measures = &scenario.budget.measures;
    if measures.iter().all(|measure| measure.implicit) {
        return;
    }
    let _ = writeln!(out, "Measures ({}):", measures.len());
    for measure in measures {
        let pays: Vec<&str> = [
            (measure.pays_infrastructure, "infrastructure"),
            (measure.pays_activity, "activity"),
            (measure.pays_formation, "formation"),
        ]
        .into_iter()
        .filter_map(|(pays, name)| pays.then_some(name))
        .collect();
        let _ = writeln!(
            out,
            "  {:<20} LTL {}; pays for {}; eligible: at least {} members and {} research partners; contracts start {}; uncontracted money is {}",
            measure.id,
            thousands(crate::money::amount_from_cents(measure.total_cents), 2),
            pays.join(", "),
            measure.min_members,
            measure.min_research_partners,
            measure.contracts_start,
            match measure.uncontracted {
                crate::scenario::Uncontracted::Return => "returned",
                crate::scenario::Uncontracted::Carry => "carried to the next year",
            }
        );
    }
}

/// A readable description of a checked scenario.
pub fn describe(scenario: &Scenario, file: &str) -> String {
    let mut out = String::new();
    let budget = &scenario.budget;
    let _ = writeln!(out, "{file}: valid scenario '{}'", scenario.name);
    let _ = writeln!(
        out,
        "Budget: {} over {}–{}, projected to {} ({} quarters); unabsorbed money is {}",
        scenario
            .currency
            .amount(amount_from_cents(budget.total_cents), |value| thousands(
                value, 2
            )),
        budget.first_year,
        budget.last_year,
        budget.horizon_year,
        budget.quarters(),
        match budget.unabsorbed {
            crate::scenario::Unabsorbed::CarryOver =>
                "carried over (returned at the end of the funding period)",
            crate::scenario::Unabsorbed::Return => "returned at once",
        }
    );
    let currency = &scenario.currency;
    if currency.code != "LTL" || currency.price_year.is_some() {
        let _ = writeln!(
            out,
            "Money is read in {}{}{}",
            currency.code,
            currency
                .price_year
                .map(|year| format!(" at {year} prices"))
                .unwrap_or_default(),
            match &currency.also_in {
                Some(second) => format!(
                    " and computed in it; tables, charts and reports show {} alongside at {}",
                    second.code, second.rate
                ),
                None => " and computed and reported in it".into(),
            }
        );
    }
    for (year, cents) in budget.yearly_cents.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}: {} {}",
            budget.first_year + year as i32,
            scenario.currency.code,
            thousands(amount_from_cents(*cents), 2)
        );
    }
    describe_measures(scenario, &mut out);
    let _ = writeln!(out, "Sectors ({}):", scenario.sectors.len());
    for sector in &scenario.sectors {
        let _ = writeln!(
            out,
            "  {:<18} {:>9} firms ({} sole proprietorships); propensity {}; potential {}",
            sector.id,
            thousands(sector.firms as f64, 0),
            thousands(sector.sole_firms as f64, 0),
            sector.cooperation_propensity,
            sector.potential
        );
    }
    let _ = writeln!(out, "Clusters ({}):", scenario.clusters.len());
    for cluster in &scenario.clusters {
        let status = match cluster.status {
            ClusterStatus::Operating => format!(
                "operating{}, {} members, {} links",
                match cluster.founded_quarter {
                    Some(quarter) => format!(" from {}", budget.period_label(quarter)),
                    None => String::new(),
                },
                cluster.initial_members,
                cluster.initial_links
            ),
            ClusterStatus::Forming if cluster.generated => "forming (generated initiative)".into(),
            ClusterStatus::Forming => "forming".to_string(),
        };
        let valleys: Vec<&str> = cluster
            .valleys
            .iter()
            .map(|&v| scenario.valleys[v].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  {:<18} sector {}; {status}; valleys: {}",
            cluster.id,
            scenario.sectors[cluster.sector].id,
            if valleys.is_empty() {
                "none".to_string()
            } else {
                valleys.join(", ")
            }
        );
    }
    let _ = writeln!(out, "Valleys ({}):", scenario.valleys.len());
    for valley in &scenario.valleys {
        let _ = writeln!(
            out,
            "  {:<18} {} ({}); opens {}",
            valley.id, valley.name, valley.city, valley.opening_year
        );
    }
    let _ = writeln!(
        out,
        "Policy: {}",
        scenario
            .currency
            .label(&scenario.policy.describe(&scenario.clusters))
    );
    if !scenario.policy_variants.is_empty() {
        let _ = writeln!(
            out,
            "Policy variants for compare ({}):",
            scenario.policy_variants.len()
        );
        for variant in &scenario.policy_variants {
            let _ = writeln!(
                out,
                "  {:<22} {}",
                variant.name,
                scenario
                    .currency
                    .label(&variant.policy.describe(&scenario.clusters))
            );
        }
    }
    let slots = scenario.parameter_slots();
    let random = slots.iter().filter(|slot| slot.param.is_random()).count();
    let _ = writeln!(
        out,
        "Parameters ({} of {} uncertain, drawn once per run):",
        random,
        slots.len()
    );
    for slot in &slots {
        let _ = writeln!(
            out,
            "  {:<44} {}  [valid {} to {}]",
            slot.label, slot.param, slot.min, slot.max
        );
    }
    if let Some(correlations) = &scenario.correlations {
        let k = correlations.slots.len();
        let _ = writeln!(
            out,
            "Rank correlations (imposed by Iman–Conover within blocks of {} runs; unlisted pairs 0):",
            crate::model::parameters::CORRELATION_BLOCK_RUNS
        );
        for i in 0..k {
            for j in i + 1..k {
                let rank = correlations.rank[i * k + j];
                if rank != 0.0 {
                    let _ = writeln!(
                        out,
                        "  {} ~ {}  {rank}",
                        correlations.labels[i], correlations.labels[j]
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "Simulation: {} runs, seed {}",
        scenario.runs, scenario.seed
    );
    if !scenario.observations.is_empty() {
        let _ = writeln!(
            out,
            "Observations ({}, shown in the members chart where inside {}–{}):",
            scenario.observations.len(),
            budget.first_year,
            budget.horizon_year
        );
        for observation in &scenario.observations {
            let _ = writeln!(
                out,
                "  {:<18} {} members at {}",
                scenario.clusters[observation.cluster].id, observation.members, observation.date
            );
        }
    }
    out
}
