//! What a run reports: the outcome series per quarter (per cluster and in total) and the headline
//! outcomes at the horizon. Names here are the names in the output files.

/// Outcomes recorded per cluster and quarter. The `additional_*` ones are the funded run's value
/// minus the same cluster's value in the no-funding counterfactual of the same run, so summed over
/// clusters they give the totals; `absorbed_ltl` is the money the cluster has absorbed so far and
/// `cost_per_additional_networked_sme_ltl` its ratio to the cluster's additional networked SMEs
/// (undefined unless that is positive). The network-structure outcomes come last.
pub const CLUSTER_OUTCOMES: [&str; 20] = concat(COUNT_CLUSTER_OUTCOMES, NETWORK_OUTCOMES);

/// The per-cluster outcomes recorded every quarter.
const COUNT_CLUSTER_OUTCOMES: [&str; 12] = [
    "members",
    "links",
    "networked_smes",
    "density",
    "mean_degree",
    "joint_projects",
    "operating",
    "additional_members",
    "additional_links",
    "additional_networked_smes",
    "absorbed_ltl",
    "cost_per_additional_networked_sme_ltl",
];

/// Network-structure outcomes (the last block of both the cluster and the total outcomes),
/// measured at the end of each year only: see [`structure_measured`].
pub const NETWORK_OUTCOMES: [&str; 8] = [
    "max_degree",
    "top_decile_link_share",
    "transitivity",
    "random_transitivity",
    "components",
    "largest_component",
    "sole_member_share",
    "sole_representation",
];

/// `first` followed by `second`, at compile time (`N` must be their total length).
const fn concat<const A: usize, const B: usize, const N: usize>(
    first: [&'static str; A],
    second: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "concat: N must be A + B");
    let mut out = [""; N];
    let mut index = 0;
    while index < A {
        out[index] = first[index];
        index += 1;
    }
    while index < N {
        out[index] = second[index - A];
        index += 1;
    }
    out
}

/// Whether an outcome is a network-structure outcome.
pub fn is_network_outcome(name: &str) -> bool {
    NETWORK_OUTCOMES.contains(&name)
}

/// The sampling schedule of the network-structure outcomes: the last quarter of each year (the
/// horizon is always one). Transitivity and components cost O(m + L) and more per measurement,
/// not O(events), so they are measured four times less often than the counts; other quarters
/// leave them undefined (blank, and no rows in `summary.csv`).
pub fn structure_measured(quarter: usize) -> bool {
    quarter % 4 == 3
}

/// Outcomes recorded for the whole economy per quarter; the network-structure outcomes come last.
pub const TOTAL_OUTCOMES: [&str; 26] = concat(COUNT_TOTAL_OUTCOMES, NETWORK_OUTCOMES);

/// The whole-economy outcomes recorded every quarter.
const COUNT_TOTAL_OUTCOMES: [&str; 18] = [
    "members",
    "links",
    "networked_smes",
    "networked_share",
    "counterfactual_networked_smes",
    "additional_networked_smes",
    "density",
    "mean_degree",
    "operating_clusters",
    "clusters_formed",
    "joint_projects",
    "added_value_ltl",
    "additional_added_value_ltl",
    "allocated_ltl",
    "absorbed_ltl",
    "returned_ltl",
    "cost_per_additional_networked_sme_ltl",
    "added_value_per_ltl_spent",
];

/// Headline outcomes at the horizon, one value per run.
pub const HEADLINE_OUTCOMES: [&str; 12] = [
    "networked_smes",
    "additional_networked_smes",
    "links",
    "clusters_formed",
    "joint_projects",
    "added_value_ltl",
    "additional_added_value_ltl",
    "allocated_ltl",
    "absorbed_ltl",
    "returned_ltl",
    "cost_per_additional_networked_sme_ltl",
    "added_value_per_ltl_spent",
];

/// Number of series values per quarter for `clusters` clusters.
pub fn slots_per_quarter(clusters: usize) -> usize {
    clusters * CLUSTER_OUTCOMES.len() + TOTAL_OUTCOMES.len()
}

/// Density of a network with `members` members and `links` links: L / (m(m−1)/2), 0 if m < 2.
pub fn density(members: u64, links: u64) -> f64 {
    if members < 2 {
        0.0
    } else {
        links as f64 / (members as f64 * (members as f64 - 1.0) / 2.0)
    }
}

/// Mean degree 2L/m, 0 without members.
pub fn mean_degree(members: u64, links: u64) -> f64 {
    if members == 0 {
        0.0
    } else {
        2.0 * links as f64 / members as f64
    }
}

/// `numerator / denominator`, or NaN (undefined, left out of summaries and blank in files)
/// when the denominator is not positive.
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

/// Money absorbed per additional networked SME: undefined (NaN) unless funding added at least
/// one networked SME.
pub fn cost_per_additional(absorbed_ltl: f64, additional: f64) -> f64 {
    if additional > 0.0 {
        ratio(absorbed_ltl, additional)
    } else {
        f64::NAN
    }
}

/// The headline outcomes from the totals block of the last quarter.
pub fn headline_from_totals(totals: &[f64]) -> Vec<f64> {
    let get = |name: &str| {
        TOTAL_OUTCOMES
            .iter()
            .position(|n| *n == name)
            .map_or(f64::NAN, |index| totals[index])
    };
    HEADLINE_OUTCOMES.iter().map(|name| get(name)).collect()
}

/// Whether an outcome is a count (integer-valued in every run).
pub fn is_count(name: &str) -> bool {
    matches!(
        name,
        "members"
            | "links"
            | "networked_smes"
            | "additional_networked_smes"
            | "counterfactual_networked_smes"
            | "additional_members"
            | "additional_links"
            | "joint_projects"
            | "operating"
            | "operating_clusters"
            | "clusters_formed"
            | "max_degree"
            | "components"
            | "largest_component"
    )
}

/// A sketch percentile as reported: counts rounded to the nearest integer (exact below 50, where
/// the sketch's buckets are narrower than 1); other values as the sketch gives them (accurate to
/// 1% relative, exact when all runs agree).
pub fn present_percentile(value: f64, count: bool) -> f64 {
    if count && value.is_finite() {
        value.round()
    } else {
        value
    }
}

/// Decimals of a *mean* of `name` wherever it is printed (run table, report, workbook headline
/// sheet, chart labels): ratios of LTL to LTL two, counts one (a mean of whole numbers is rarely
/// whole: 9.5 clusters formed must not print as 10 in one place and 9.50 in another), money and
/// other amounts none. CSV files keep every digit.
pub fn mean_decimals(name: &str) -> usize {
    if name.ends_with("per_ltl_spent") {
        2
    } else if is_count(name) {
        1
    } else {
        0
    }
}

/// Decimals of an interval bound or percentile of `name` wherever it is printed: as for the mean,
/// except counts, whose percentiles and extremes are whole numbers. Rounding is monotone and the
/// mean's decimals are at least the bounds', so a mean inside its interval prints inside it.
pub fn bound_decimals(name: &str) -> usize {
    if is_count(name) {
        0
    } else {
        mean_decimals(name)
    }
}

/// Human label of a headline outcome, with its unit (tables, reports and charts).
pub fn headline_label(name: &str) -> &str {
    match name {
        "networked_smes" => "Networked SMEs",
        "additional_networked_smes" => "Additional networked SMEs (vs no funding)",
        "links" => "Cooperation links",
        "clusters_formed" => "New clusters formed",
        "joint_projects" => "Joint projects (cumulative)",
        "added_value_ltl" => "Added value from networking, LTL",
        "additional_added_value_ltl" => "Additional added value (vs no funding), LTL",
        "allocated_ltl" => "Allocated, LTL",
        "absorbed_ltl" => "Absorbed (spent), LTL",
        "returned_ltl" => "Returned, LTL",
        "cost_per_additional_networked_sme_ltl" => "Cost per additional networked SME, LTL",
        "added_value_per_ltl_spent" => "Additional added value per LTL spent",
        other => other,
    }
}
