//! The report's "Network structure" section: per cluster and in total, the shape of the
//! cooperation networks at the horizon (mean over runs of each structure outcome in
//! `summary.csv`), with what each measure means and what a random network would show.

use std::collections::HashMap;

use super::document::{Block, Column, Row, Section, Span, Table};
use super::results::ResultSet;
use super::table::thousands;

/// The columns: (outcome, heading, decimals).
const COLUMNS: [(&str, &str, usize); 10] = [
    ("members", "Members", 0),
    ("density", "Density", 3),
    ("mean_degree", "Mean degree", 1),
    ("max_degree", "Max degree", 1),
    ("top_decile_link_share", "Top 10% share of ties", 2),
    ("transitivity", "Transitivity", 2),
    ("random_transitivity", "Transitivity if random", 2),
    ("components", "Components", 1),
    ("largest_component", "Largest component", 0),
    ("sole_representation", "Sole proprietors vs sector", 2),
];

fn numeric(heading: &str) -> Column {
    Column {
        heading: heading.to_string(),
        numeric: true,
        nowrap: false,
    }
}

/// The section, or a note that the result has no structure outcomes (a result written before
/// they were measured).
pub(crate) fn network_section(results: &ResultSet) -> Section<'static> {
    let budget = &results.scenario.budget;
    let horizon = budget.period_label(budget.quarters().saturating_sub(1));
    // The horizon's rows indexed once by (cluster, outcome): the first row of each, as a
    // search in file order would find it.
    let mut at_horizon: HashMap<(&str, &str), Option<f64>> = HashMap::new();
    for row in results.summary.iter().filter(|row| row.period == horizon) {
        at_horizon
            .entry((row.cluster.as_str(), row.outcome.as_str()))
            .or_insert(row.mean);
    }
    let mean_at =
        |cluster: &str, outcome: &str| at_horizon.get(&(cluster, outcome)).copied().flatten();
    let row_for = |label: &str, cluster: &str| -> Option<Vec<Span>> {
        mean_at(cluster, "members").filter(|members| *members > 0.0)?;
        let mut cells = vec![Span::text(label)];
        cells.extend(COLUMNS.iter().map(|(outcome, _, decimals)| {
            Span::text(
                mean_at(cluster, outcome)
                    .map_or("–".to_string(), |value| thousands(value, *decimals)),
            )
        }));
        Some(cells)
    };
    if mean_at("total", "transitivity").is_none() && mean_at("total", "max_degree").is_none() {
        return Section {
            id: "network-structure",
            heading: "Network structure",
            blocks: vec![Block::Paragraph(vec![Span::text(
                "This result holds no network-structure outcomes (it was written by an earlier \
                 version of clustersim).",
            )])],
        };
    }
    let rows: Vec<Row> = results
        .scenario
        .clusters
        .iter()
        .filter_map(|cluster| row_for(&cluster.name, &cluster.id))
        .map(|cells| Row {
            cells,
            strong: false,
        })
        .collect();
    let mut columns = vec![Column {
        heading: "Cluster".to_string(),
        numeric: false,
        nowrap: false,
    }];
    columns.extend(COLUMNS.iter().map(|(_, heading, _)| numeric(heading)));
    Section {
        id: "network-structure",
        heading: "Network structure",
        blocks: vec![
            Block::Paragraph(vec![Span::text(format!(
                "The shape of the cooperation networks at the horizon ({horizon}): the mean over \
                 runs of each measure, per cluster (clusters with members in some run) and for \
                 all clusters together; “–” where a measure is undefined in every run. Ratios \
                 such as transitivity are averaged over the runs where they are defined, counts \
                 and density over all runs (a forming cluster that has not formed counts as 0). \
                 Density is the share of possible ties that exist. Transitivity is the share of \
                 connected triples (a member with two partners) whose partners cooperate too; \
                 “if random” is what it would be if ties were placed at random (each triple \
                 closing with its cluster's density), so transitivity well above it means many \
                 closed triangles, as triadic closure produces. The top 10% share is the share of tie ends held by \
                 the tenth of members with most ties (near 0.1–0.2 in a random network; higher \
                 means hubs). Components count groups of two or more members connected by ties; \
                 isolated members are not counted. The last column is the sole proprietors' share \
                 of members divided by their share of the sector's firms (below 1: \
                 under-represented). Measured at year ends; summary.csv has every year and the \
                 percentiles."
            ))]),
            Block::Table(Table {
                columns,
                rows,
                total: row_for("All clusters", "total"),
                grouped: false,
            }),
        ],
    }
}
