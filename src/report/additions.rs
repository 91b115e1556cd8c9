//! What the funding added, cluster by cluster, at the horizon: additional members, links and
//! networked SMEs (the funded run minus the same run without funding), the money each cluster
//! absorbed and its cost per additional networked SME. Read from `summary.csv` (its last period)
//! for the report's section, the workbook's "By cluster" sheet and the `additional-by-cluster`
//! chart.

use super::document::{Block, Column, Row, Section, Span, Table};
use super::results::{ResultSet, SummaryRow};
use super::table::thousands;
use crate::engine::outcomes::{bound_decimals, mean_decimals};

/// The outcomes of one cluster at the horizon (means over runs unless said otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterAddition {
    /// Cluster id.
    pub id: String,
    /// Cluster name.
    pub name: String,
    /// Additional members.
    pub members: f64,
    /// Additional cooperation links.
    pub links: f64,
    /// Additional networked SMEs.
    pub networked: f64,
    /// 5th and 95th percentiles of the additional networked SMEs over runs.
    pub networked_interval: (Option<f64>, Option<f64>),
    /// Money absorbed (scenario currency).
    pub absorbed: f64,
    /// Mean cost per additional networked SME over the runs where it is defined (scenario currency).
    pub cost: Option<f64>,
    /// Runs where the cost is defined (those where the cluster gained networked SMEs).
    pub cost_runs: u64,
}

/// Per-cluster additions at the last period of `summary.csv`, in the scenario's cluster order;
/// empty for a result written before they were recorded.
pub fn by_cluster(results: &ResultSet) -> Vec<ClusterAddition> {
    let Some(last) = results.summary.last().map(|row| row.period.clone()) else {
        return Vec::new();
    };
    let find = |cluster: &str, outcome: &str| -> Option<&SummaryRow> {
        results
            .summary
            .iter()
            .rev()
            .take_while(|row| row.period == last)
            .find(|row| row.cluster == cluster && row.outcome == outcome)
    };
    results
        .scenario
        .clusters
        .iter()
        .map_while(|cluster| {
            let mean = |outcome: &str| find(&cluster.id, outcome).and_then(|row| row.mean);
            let networked = find(&cluster.id, "additional_networked_smes")?;
            let cost = find(&cluster.id, "cost_per_additional_networked_sme_ltl")?;
            Some(ClusterAddition {
                id: cluster.id.clone(),
                name: cluster.name.clone(),
                members: mean("additional_members")?,
                links: mean("additional_links")?,
                networked: networked.mean?,
                networked_interval: (networked.percentiles[0], networked.percentiles[4]),
                absorbed: mean("absorbed_ltl")?,
                cost: cost.mean,
                cost_runs: cost.n,
            })
        })
        .collect()
}

fn column(heading: &str, numeric: bool) -> Column {
    Column {
        heading: heading.to_string(),
        numeric,
        nowrap: false,
    }
}

/// The report's section "What the funding added, by cluster", or None for results without the
/// per-cluster outcomes.
pub(crate) fn section(results: &ResultSet) -> Option<Section<'static>> {
    let clusters = by_cluster(results);
    if clusters.is_empty() || clusters.len() != results.scenario.clusters.len() {
        return None;
    }
    let runs = results.runs.count() as u64;
    let count = |name: &str, value: f64| thousands(value, mean_decimals(name));
    let bound = |value: Option<f64>| {
        value.map_or("–".to_string(), |v| {
            thousands(v, bound_decimals("additional_networked_smes"))
        })
    };
    let rows: Vec<Row> = clusters
        .iter()
        .map(|cluster| Row {
            cells: vec![
                Span::text(&cluster.name),
                Span::text(count("additional_members", cluster.members)),
                Span::text(count("additional_links", cluster.links)),
                Span::text(count("additional_networked_smes", cluster.networked)),
                Span::text(format!(
                    "{} – {}",
                    bound(cluster.networked_interval.0),
                    bound(cluster.networked_interval.1)
                )),
                Span::text(thousands(cluster.absorbed, 0)),
                Span::text(
                    cluster
                        .cost
                        .map_or("undefined".to_string(), |cost| thousands(cost, 0)),
                ),
                Span::text(format!(
                    "{} of {}",
                    thousands(cluster.cost_runs as f64, 0),
                    thousands(runs as f64, 0)
                )),
            ],
            strong: false,
        })
        .collect();
    let sum = |field: fn(&ClusterAddition) -> f64| clusters.iter().map(field).sum::<f64>();
    let total = vec![
        Span::text("All clusters"),
        Span::text(count("additional_members", sum(|c| c.members))),
        Span::text(count("additional_links", sum(|c| c.links))),
        Span::text(count("additional_networked_smes", sum(|c| c.networked))),
        Span::text("–"),
        Span::text(thousands(sum(|c| c.absorbed), 0)),
        Span::text("–"),
        Span::text("–"),
    ];
    // The cheapest cluster among those where the cost is defined in at least half the runs (a
    // mean over a few lucky runs would flatter a cluster that rarely gains anyone).
    let cheapest = clusters
        .iter()
        .filter(|cluster| cluster.cost_runs * 2 >= runs.max(1))
        .filter_map(|cluster| Some((cluster, cluster.cost?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let currency = &results.scenario.currency;
    let intro = String::from(
        "At the horizon, per cluster: the mean over runs of what the funding added — members, \
         cooperation links and networked SMEs in the funded run minus the same cluster in the \
         same run without any funding — with the 5th to 95th percentile of the additional \
         networked SMEs, the money the cluster absorbed (LTL) and its cost per additional \
         networked SME (absorbed LTL divided by its additional networked SMEs, averaged over the \
         runs where it gained at least one). The cluster rows add up to the totals of the \
         headline table; a cluster that forms only with funding counts all its members as \
         additional.",
    );
    let mut intro = currency.label(&intro).into_owned();
    if let Some((cluster, cost)) = cheapest {
        intro.push_str(&format!(
            " Lowest cost per additional networked SME among clusters where it is defined in at \
             least half the runs: {} ({} {}).",
            cluster.name,
            currency.code,
            thousands(cost, 0)
        ));
    }
    Some(Section {
        id: "by-cluster",
        heading: "What the funding added, by cluster",
        blocks: vec![
            Block::Paragraph(vec![Span::text(intro)]),
            Block::Table(Table {
                columns: vec![
                    column("Cluster", false),
                    column("Additional members", true),
                    column("Additional links", true),
                    column("Additional networked SMEs", true),
                    column("p5 – p95", true),
                    column(&currency.label("Absorbed, LTL"), true),
                    column(
                        &currency.label("Cost per additional networked SME, LTL"),
                        true,
                    ),
                    column("Runs where the cost is defined", true),
                ],
                rows,
                total: Some(total),
                grouped: false,
            }),
        ],
    })
}
