//! The content of `report.html` and `report.md`, built once as data (headings, paragraphs,
//! tables, figures) so that the two formats say exactly the same thing; `html.rs` and
//! `markdown.rs` only decide how it looks.

use std::collections::BTreeSet;

use super::charts::{COMPARISON_CHART_NAMES, Chart, DRIVERS_CHART, VERDICT_CHART};
use super::comparison_section;
use super::results::ResultSet;
use super::table::{
    FEW_RUNS, few_runs_warning, format_cells, interval_from_range, interval_heading, thousands,
};
use crate::scenario::currency::Currency;
use crate::scenario::spec::{MeasurePurpose, ProfileSpec, RuleSpec, Uncontracted};
use crate::scenario::{ClusterStatus, Param, ScenarioFile, SourceKind, Unabsorbed};

/// A run of text: plain words, or an identifier shown as code (`<code>`, backticks).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    /// The text, unescaped.
    pub text: String,
    /// Whether it is an identifier, file name or command.
    pub code: bool,
}

impl Span {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            code: false,
        }
    }

    /// An identifier or file name.
    pub fn code(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            code: true,
        }
    }
}

/// A paragraph: spans in order.
pub(crate) type Paragraph = Vec<Span>;

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    /// Heading.
    pub heading: String,
    /// Numbers, aligned right.
    pub numeric: bool,
    /// Short labels that read badly when broken over lines.
    pub nowrap: bool,
}

/// A table row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// One span per column.
    pub cells: Vec<Span>,
    /// A subtotal, set in bold.
    pub strong: bool,
}

impl Row {
    pub(crate) fn new(cells: Vec<Span>) -> Self {
        Self {
            cells,
            strong: false,
        }
    }
}

/// A table: columns, body rows and an optional totals row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Columns.
    pub columns: Vec<Column>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// A totals row, set apart (bold, `<tfoot>`).
    pub total: Option<Vec<Span>>,
    /// Whether the first column groups the rows (consecutive rows with the same text): HTML
    /// shows it as a heading row per group, Markdown only where it changes.
    pub grouped: bool,
}

/// One block of a section.
#[derive(Debug, Clone)]
pub(crate) enum Block<'a> {
    /// A paragraph.
    Paragraph(Paragraph),
    /// A sub-heading.
    Heading(String),
    /// A table.
    Table(Table),
    /// A chart with its number (1-based) for the caption.
    Figure(usize, &'a Chart),
    /// Label–value pairs (the reproducibility block).
    Facts(Vec<(String, Span)>),
    /// A command or other literal text, shown verbatim.
    Code(String),
}

/// A titled section with an anchor id.
#[derive(Debug, Clone)]
pub(crate) struct Section<'a> {
    /// Anchor id (letters and `-` only).
    pub id: &'static str,
    /// Heading.
    pub heading: &'static str,
    /// Content.
    pub blocks: Vec<Block<'a>>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub(crate) struct Document<'a> {
    /// Title.
    pub title: String,
    /// Paragraphs under the title (scenario description, key facts).
    pub lead: Vec<Paragraph>,
    /// Sections in order.
    pub sections: Vec<Section<'a>>,
}

/// Kind column for a value whose source field is empty: never presented as data.
pub(crate) const NO_SOURCE: &str = "assumption (no source given)";

impl<'a> Document<'a> {
    /// Builds the report's content from a result folder and its rendered charts.
    pub fn build(results: &ResultSet, charts: &'a [Chart]) -> Self {
        let file = &results.scenario.file;
        let budget = &file.budget;
        let mut lead = Vec::new();
        if let Some(comparison) = &results.comparison {
            let common = results
                .manifest
                .comparison
                .as_ref()
                .is_none_or(|c| c.common_random_numbers);
            lead.push(comparison_section::lead(comparison, common));
        }
        if !file.description.trim().is_empty() {
            lead.push(vec![Span::text(file.description.trim())]);
        }
        lead.push(vec![Span::text(format!(
            "Budget {}, funding years {}–{}, projected to the end of {}; allocation \
             rule “{}”; {} Monte Carlo runs.",
            results
                .scenario
                .currency
                .amount(results.scenario.budget.total_cents as f64 / 100.0, money),
            budget.first_year,
            budget.last_year,
            budget.horizon_year,
            super::charts::baseline_rule_kind(results),
            thousands(results.manifest.runs_completed as f64, 0),
        ))]);
        let manifest = &results.manifest;
        if !manifest.complete || manifest.runs_completed != manifest.runs {
            lead.push(vec![Span::text(format!(
                "Partial result: the run was interrupted after {} of the {} runs requested. The \
                 figures below describe those runs only; the command under Reproducibility \
                 reproduces exactly them.",
                thousands(manifest.runs_completed as f64, 0),
                thousands(manifest.runs as f64, 0),
            ))]);
        }
        if let Some(posterior) = &manifest.posterior {
            lead.push(posterior_lead(posterior));
        }
        for warning in &results.scenario.warnings {
            lead.push(vec![Span::text(format!(
                "Warning: at {} in the scenario: {}.",
                warning.path, warning.message
            ))]);
        }
        if let Some(warning) = few_runs_warning(manifest.runs_completed) {
            lead.push(vec![Span::text(warning)]);
        }
        let mut sections = Vec::new();
        if let Some(comparison) = &results.comparison {
            let mut section = comparison_section::comparison_section(results, comparison, charts);
            section
                .blocks
                .extend(super::verdict_section::verdict_blocks(results, charts));
            sections.push(section);
        }
        // In a comparison the assumptions are those of the baseline policy, which may be a
        // variant or a rule kind rather than the file's own `policy`.
        let baseline_file = results.comparison.as_ref().and_then(|comparison| {
            crate::scenario::policy_plan::policy_spec_for(file, &comparison.baseline).map(
                |policy| ScenarioFile {
                    policy,
                    ..file.clone()
                },
            )
        });
        sections.push(headline_section(results));
        sections.extend(super::additions::section(results));
        sections.extend([
            super::drivers_section::drivers_section(results, charts),
            charts_section(charts),
            allocations_section(results),
            super::network_section::network_section(results),
            assumptions_section(
                baseline_file.as_ref().unwrap_or(file),
                &results.scenario.currency,
            ),
            method_section(results),
            reproducibility_section(results),
        ]);
        Self {
            title: format!("clustersim report: {}", file.name),
            lead,
            sections,
        }
    }
}

fn column(heading: &str, numeric: bool) -> Column {
    Column {
        heading: heading.to_string(),
        numeric,
        nowrap: false,
    }
}

/// A text column kept on one line (ids, kinds).
fn label_column(heading: &str) -> Column {
    Column {
        nowrap: true,
        ..column(heading, false)
    }
}

/// An amount of money with thousands separators, in whole units.
fn money(value: f64) -> String {
    thousands(value, 0)
}

/// A number as written in a scenario: integers grouped by thousands, other values as Rust's
/// shortest representation (e.g. `0.0125`), so no digit of the input is lost.
pub(crate) fn scenario_number(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        thousands(value, 0)
    } else {
        format!("{value}")
    }
}

/// A number or distribution as written in a scenario, e.g. `0.35`, `20,000` or
/// `triangular(min 0.4, mode 0.6, max 0.75)`.
pub(crate) fn scenario_param(param: &Param) -> String {
    match param {
        Param::Fixed(value) => scenario_number(*value),
        Param::Random(_) => param.to_string(),
    }
}

fn headline_section(results: &ResultSet) -> Section<'static> {
    let budget = &results.scenario.budget;
    let horizon = budget.period_label(budget.quarters().saturating_sub(1));
    let runs = results.runs.count() as u64;
    let currency = &results.scenario.currency;
    let mut rows = Vec::new();
    for (name, summary) in results.headline_summaries() {
        let is_money = name.ends_with("_ltl");
        let defined = if summary.n == runs {
            thousands(runs as f64, 0)
        } else {
            format!(
                "{} of {}",
                thousands(summary.n as f64, 0),
                thousands(runs as f64, 0)
            )
        };
        let range = results
            .runs
            .headline(name)
            .and_then(|digest| digest.range());
        let cells = range.map(|range| {
            let interval = interval_from_range(range, &summary, runs);
            format_cells(name, &summary, interval, runs)
        });
        let (mean, interval, second) = match cells {
            None => ("undefined".to_string(), "–".to_string(), "–".to_string()),
            Some((mean, interval)) => (
                mean,
                // The runs where it is defined have their own column here.
                interval.split("  (").next().unwrap_or_default().to_string(),
                match currency.second(summary.mean) {
                    Some(value) if is_money => money(value),
                    _ => "–".to_string(),
                },
            ),
        };
        let mut cells = vec![
            Span::text(currency.label(crate::engine::outcomes::headline_label(name))),
            Span::text(mean),
            Span::text(interval),
        ];
        if currency.also_in.is_some() {
            cells.push(Span::text(second));
        }
        cells.push(Span::text(defined));
        rows.push(Row::new(cells));
    }
    let interval_sentence = if runs < FEW_RUNS {
        "the range of the runs (smallest to largest value: with fewer than 30 runs the 5th and \
         95th percentiles cannot be told from the extremes)"
    } else {
        "its 90% interval (5th to 95th percentile of the runs)"
    };
    Section {
        id: "headline",
        heading: "Headline results",
        blocks: vec![
            Block::Paragraph(vec![Span::text(format!(
                "At the horizon ({horizon}), over {} runs: the mean of each outcome and \
                 {interval_sentence}. “Additional” means the \
                 difference from the same run without funding. Ratios are undefined in runs \
                 where their denominator is zero; the last column counts the runs where each \
                 outcome is defined.",
                thousands(runs as f64, 0)
            ))]),
            Block::Table(Table {
                columns: [
                    column("Outcome", false),
                    column("Mean", true),
                    column(interval_heading(runs), true),
                ]
                .into_iter()
                .chain(
                    currency
                        .also_in
                        .as_ref()
                        .map(|second| column(&format!("Mean in {}", second.code), true)),
                )
                .chain([column("Runs where defined", true)])
                .collect(),
                rows,
                total: None,
                grouped: false,
            }),
        ],
    }
}

fn charts_section(charts: &[Chart]) -> Section<'_> {
    let blocks = if charts.is_empty() {
        vec![Block::Paragraph(vec![Span::text(
            "No charts were rendered for this result.",
        )])]
    } else {
        // The comparison charts are shown in the Policy comparison section and the drivers
        // chart in What drives the result; numbers keep the charts' order.
        charts
            .iter()
            .enumerate()
            .filter(|(_, chart)| {
                !COMPARISON_CHART_NAMES.contains(&chart.name.as_str())
                    && chart.name != DRIVERS_CHART
                    && chart.name != VERDICT_CHART
            })
            .map(|(index, chart)| Block::Figure(index + 1, chart))
            .collect()
    };
    Section {
        id: "charts",
        heading: "Charts",
        blocks,
    }
}

fn allocations_section(results: &ResultSet) -> Section<'static> {
    const QUANTITIES: [&str; 3] = ["allocated", "absorbed", "returned"];
    // (year, cluster id) in file order → mean amount per quantity, summed over instruments.
    let mut cells: Vec<((i32, String), [f64; 3])> = Vec::new();
    for row in &results.allocations {
        let Some(quantity) = QUANTITIES.iter().position(|q| *q == row.quantity) else {
            continue;
        };
        let key = (row.year, row.cluster.clone());
        let index = match cells.iter().rposition(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                cells.push((key, [0.0; 3]));
                cells.len() - 1
            }
        };
        cells[index].1[quantity] += row.mean.unwrap_or(0.0);
    }
    let name_of = |id: &str| {
        results
            .scenario
            .file
            .clusters
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    };
    let currency = &results.scenario.currency;
    let amounts = |label: &str, values: &[f64; 3]| {
        let mut cells = vec![Span::text(label)];
        cells.extend(values.iter().map(|v| Span::text(money(*v))));
        if let Some(second) = &currency.also_in {
            cells.extend(values.iter().map(|v| Span::text(money(second.convert(*v)))));
        }
        cells
    };
    let mut totals = [0.0; 3];
    let mut rows = Vec::new();
    let mut omitted = 0;
    let mut index = 0;
    while index < cells.len() {
        let year = cells[index].0.0;
        let mut subtotals = [0.0; 3];
        while index < cells.len() && cells[index].0.0 == year {
            let ((_, cluster), values) = &cells[index];
            index += 1;
            for (subtotal, value) in subtotals.iter_mut().zip(values) {
                *subtotal += value;
            }
            if values.iter().all(|v| *v == 0.0) {
                omitted += 1;
                continue;
            }
            let mut row = vec![Span::text(year.to_string())];
            row.extend(amounts(&name_of(cluster), values));
            rows.push(Row::new(row));
        }
        for (total, subtotal) in totals.iter_mut().zip(&subtotals) {
            *total += subtotal;
        }
        let mut row = vec![Span::text(year.to_string())];
        row.extend(amounts(&format!("All clusters, {year}"), &subtotals));
        rows.push(Row {
            cells: row,
            strong: true,
        });
    }
    let mut total = vec![Span::text("Total")];
    total.extend(amounts("All years, all clusters", &totals));

    let mut note = format!(
        "Mean over runs per funding year and cluster, infrastructure and activity funding \
         together, in {}. Money not absorbed in a year is carried into the next or returned, so \
         over the whole funding period allocated = absorbed + returned.",
        match &currency.also_in {
            Some(second) => format!(
                "{} and in {} (at {})",
                currency.code, second.code, second.rate
            ),
            None => currency.code.to_string(),
        }
    );
    if omitted > 0 {
        note.push_str(&format!(
            " {omitted} year–cluster pairs with no money in any run (e.g. clusters not yet \
             formed) are left out."
        ));
    }
    Section {
        id: "allocations",
        heading: "Allocations",
        blocks: vec![
            Block::Paragraph(vec![Span::text(note)]),
            Block::Table(Table {
                columns: [label_column("Year"), column("Cluster", false)]
                    .into_iter()
                    .chain(
                        std::iter::once(currency.code)
                            .chain(currency.also_in.as_ref().map(|second| second.code))
                            .flat_map(|code| {
                                ["Allocated", "Absorbed", "Returned"]
                                    .map(|quantity| column(&format!("{quantity}, {code}"), true))
                            }),
                    )
                    .collect(),
                rows,
                total: Some(total),
                grouped: true,
            }),
        ],
    }
}

/// The Source and Kind cells for a value whose section names `source` (or none).
fn source_cells(file: &ScenarioFile, source: Option<&str>) -> [Span; 2] {
    let kind = source.and_then(|id| file.sources.iter().find(|s| s.id == id));
    match kind {
        Some(spec) => [
            Span::code(spec.id.clone()),
            Span::text(match spec.kind {
                SourceKind::Data => "data",
                SourceKind::Assumption => "assumption",
            }),
        ],
        None => [Span::text("–"), Span::text(NO_SOURCE)],
    }
}

/// Rows of the assumptions table: group, item, value, unit, source, kind.
struct AssumptionRows<'f> {
    file: &'f ScenarioFile,
    rows: Vec<Row>,
}

impl AssumptionRows<'_> {
    fn push(&mut self, group: &str, item: Span, value: String, unit: &str, source: Option<&str>) {
        let [source, kind] = source_cells(self.file, source);
        self.rows.push(Row::new(vec![
            Span::text(group),
            item,
            Span::text(value),
            Span::text(unit),
            source,
            kind,
        ]));
    }
}

fn assumptions_section(file: &ScenarioFile, currency: &Currency) -> Section<'static> {
    let mut table = AssumptionRows {
        file,
        rows: Vec::new(),
    };
    let budget = &file.budget;
    let source = budget.source.as_deref();
    let group = "Budget";
    // With measures the total may be omitted: it is their sum.
    let measures_total: f64 = budget.measures.iter().map(|measure| measure.total).sum();
    table.push(
        group,
        Span::text("Total budget"),
        scenario_number(
            budget
                .total
                .or(budget.total_ltl)
                .or(budget.total_eur)
                .unwrap_or(measures_total),
        ),
        &match &currency.also_in {
            Some(second) => format!(
                "{} ({} {})",
                currency.code,
                second.code,
                money(
                    second.convert(
                        budget
                            .total
                            .or(budget.total_ltl)
                            .or(budget.total_eur)
                            .unwrap_or(measures_total)
                    )
                )
            ),
            None => currency.code.to_string(),
        },
        source,
    );
    table.push(
        group,
        Span::text("First funding year"),
        budget.first_year.to_string(),
        "year",
        source,
    );
    table.push(
        group,
        Span::text("Last funding year"),
        budget.last_year.to_string(),
        "year",
        source,
    );
    table.push(
        group,
        Span::text("Disbursement profile"),
        match &budget.profile {
            ProfileSpec::Even => "even".to_string(),
            ProfileSpec::Weights(weights) => format!(
                "weights {}",
                weights
                    .iter()
                    .map(|w| format!("{w}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        "per funding year",
        source,
    );
    table.push(
        group,
        Span::text("Horizon year"),
        budget.horizon_year.to_string(),
        "year",
        source,
    );
    table.push(
        group,
        Span::text("Unabsorbed money"),
        match budget.unabsorbed {
            Unabsorbed::CarryOver => "carried over",
            Unabsorbed::Return => "returned",
        }
        .to_string(),
        "",
        source,
    );
    for measure in &budget.measures {
        let group = format!("Measure: {}", measure.name);
        let source = measure.source.as_deref().or(source);
        let pays: Vec<&str> = measure
            .pays_for
            .iter()
            .map(|purpose| match purpose {
                MeasurePurpose::Infrastructure => "infrastructure",
                MeasurePurpose::Activity => "activity",
                MeasurePurpose::Formation => "formation",
            })
            .collect();
        let rows = [
            (
                "Budget",
                scenario_number(measure.total),
                file.currency.as_deref().unwrap_or("LTL").to_string(),
            ),
            ("Pays for", pays.join(", "), String::new()),
            (
                "Fewest members",
                measure.eligibility.min_members.to_string(),
                "firms".into(),
            ),
            (
                "Fewest research partners",
                measure.eligibility.min_research_partners.to_string(),
                "institutions".into(),
            ),
            (
                "Contracts start",
                measure.contracts_start.to_string(),
                "decimal year".into(),
            ),
            (
                "Uncontracted money",
                match measure.uncontracted {
                    Uncontracted::Return => "returned",
                    Uncontracted::Carry => "carried to the next year",
                }
                .to_string(),
                String::new(),
            ),
        ];
        for (item, value, unit) in rows {
            table.push(&group, Span::text(item), value, &unit, source);
        }
    }

    for sector in &file.sectors {
        let group = format!("Sector: {}", sector.name);
        let source = sector.source.as_deref();
        table.push(
            &group,
            Span::text("SMEs"),
            scenario_number(sector.firms as f64),
            "firms",
            source,
        );
        table.push(
            &group,
            Span::text("Sole-proprietor share"),
            scenario_number(sector.sole_proprietor_share),
            "share",
            source,
        );
        table.push(
            &group,
            Span::text("Cooperation propensity"),
            scenario_param(&sector.cooperation_propensity),
            "score 0–1",
            source,
        );
        table.push(
            &group,
            Span::text("Cluster potential"),
            scenario_param(&sector.potential),
            "score 0–1",
            source,
        );
    }

    for cluster in &file.clusters {
        let group = format!("Cluster: {}", cluster.name);
        let source = cluster.source.as_deref();
        let sector = file
            .sectors
            .iter()
            .find(|s| s.id == cluster.sector)
            .map_or(cluster.sector.as_str(), |s| s.name.as_str());
        table.push(&group, Span::text("Sector"), sector.to_string(), "", source);
        table.push(
            &group,
            Span::text("Status at the start"),
            match cluster.status {
                ClusterStatus::Operating => "operating",
                ClusterStatus::Forming => "forming",
            }
            .to_string(),
            "",
            source,
        );
        table.push(
            &group,
            Span::text("Initial members"),
            scenario_number(cluster.initial_members as f64),
            "firms",
            source,
        );
        table.push(
            &group,
            Span::text("Initial links"),
            scenario_number(cluster.initial_links as f64),
            "ties",
            source,
        );
        if !cluster.fields.is_empty() {
            table.push(
                &group,
                Span::text("Research fields"),
                cluster.fields.join(", "),
                "",
                source,
            );
        }
    }

    for valley in &file.valleys {
        let group = format!("Valley: {} ({})", valley.name, valley.city);
        let source = valley.source.as_deref();
        table.push(
            &group,
            Span::text("Research fields"),
            valley.fields.join(", "),
            "",
            source,
        );
        table.push(
            &group,
            Span::text("Opening year"),
            valley.opening_year.to_string(),
            "decimal year",
            source,
        );
    }

    for (info, param) in file.model.values() {
        let source = file
            .model_sources
            .get(info.name)
            .or_else(|| file.model_sources.get(&info.neutral_name()))
            .or_else(|| file.model_sources.get("default"))
            .map(String::as_str);
        table.push(
            "Model parameters",
            Span::code(info.name_in(currency)),
            scenario_param(param),
            &info.unit_in(currency),
            source,
        );
    }

    let policy = &file.policy;
    let group = "Allocation policy";
    let policy_source = policy.source.as_deref();
    table.push(
        group,
        Span::code("rule"),
        policy.rule.kind().to_string(),
        "",
        policy_source,
    );
    match &policy.rule {
        RuleSpec::Competitive(call) => {
            table.push(
                group,
                Span::code(currency.key("request_ltl_per_member")),
                scenario_number(call.request_ltl_per_member),
                &currency.label("LTL per member per year"),
                policy_source,
            );
            table.push(
                group,
                Span::code(currency.key("request_base_ltl")),
                scenario_number(call.request_base_ltl),
                &currency.label("LTL per year"),
                policy_source,
            );
            table.push(
                group,
                Span::code("quality_sd"),
                scenario_number(call.quality_sd),
                "score",
                policy_source,
            );
        }
        RuleSpec::Performance(tranches) => table.push(
            group,
            Span::code("base_share"),
            scenario_number(tranches.base_share),
            "share",
            policy_source,
        ),
        RuleSpec::Fixed(fixed) => {
            for (cluster, share) in &fixed.shares {
                table.push(
                    group,
                    Span::code(format!("shares.{cluster}")),
                    scenario_number(*share),
                    "relative share",
                    policy_source,
                );
            }
            match fixed.later_clusters {
                Some(crate::scenario::spec::LaterClusters::Share(share)) => table.push(
                    group,
                    Span::code("later_clusters"),
                    scenario_number(share),
                    "relative share of each forming cluster not listed",
                    None,
                ),
                Some(crate::scenario::spec::LaterClusters::Nothing(_)) => table.push(
                    group,
                    Span::code("later_clusters"),
                    "none".to_string(),
                    "forming clusters not listed get nothing",
                    None,
                ),
                None => {}
            }
        }
        RuleSpec::Equal | RuleSpec::ByMembers | RuleSpec::ByPotential => {}
    }
    for (name, value) in [
        ("infrastructure_share", policy.infrastructure_share),
        ("forming_reserve_share", policy.forming_reserve_share),
        ("floor_share", policy.floor_share),
        ("cap_share", policy.cap_share),
        ("unspent_share", policy.unspent_share),
    ] {
        table.push(
            group,
            Span::code(name),
            scenario_number(value),
            "share",
            policy_source,
        );
    }

    // Sources, and which of them no value above cites.
    let cited: BTreeSet<&str> = std::iter::once(budget.source.as_deref())
        .chain(file.sectors.iter().map(|s| s.source.as_deref()))
        .chain(file.clusters.iter().map(|c| c.source.as_deref()))
        .chain(file.valleys.iter().map(|v| v.source.as_deref()))
        .chain(std::iter::once(file.policy.source.as_deref()))
        .chain(file.model_sources.values().map(|id| Some(id.as_str())))
        .chain(file.observations.iter().map(|o| o.source.as_deref()))
        .flatten()
        .collect();
    let uncited: Vec<&str> = file
        .sources
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| !cited.contains(id))
        .collect();
    let sources: Vec<Row> = file
        .sources
        .iter()
        .map(|s| {
            Row::new(vec![
                Span::code(s.id.clone()),
                Span::text(match s.kind {
                    SourceKind::Data => "data",
                    SourceKind::Assumption => "assumption",
                }),
                Span::text(s.citation.clone()),
            ])
        })
        .collect();

    let mut intro = vec![Span::text(
        "Every value of the scenario, with its distribution where it is uncertain (drawn once \
         per run) and the source its section names. Kind “data” marks published figures, \
         “assumption” values chosen by the analyst. The policy cites its source with \
         `policy.source` and the model parameters with `model_sources`; a value with no source \
         is labelled “assumption (no source given)”.",
    )];
    if !uncited.is_empty() {
        intro.push(Span::text(
            " Sources that no value cites, which may describe them: ",
        ));
        for (index, id) in uncited.iter().enumerate() {
            if index > 0 {
                intro.push(Span::text(", "));
            }
            intro.push(Span::code(*id));
        }
        intro.push(Span::text("."));
    }
    let mut blocks = vec![
        Block::Paragraph(intro),
        Block::Table(Table {
            columns: vec![
                column("Group", false),
                column("Item", false),
                column("Value", false),
                column("Unit", false),
                label_column("Source"),
                label_column("Kind"),
            ],
            rows: table.rows,
            total: None,
            grouped: true,
        }),
        Block::Heading("Sources".to_string()),
    ];
    if sources.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::text(
            "The scenario lists no sources: every value above is an assumption.",
        )]));
    } else {
        blocks.push(Block::Table(Table {
            columns: vec![
                label_column("Source"),
                label_column("Kind"),
                column("Citation", false),
            ],
            rows: sources,
            total: None,
            grouped: false,
        }));
    }
    Section {
        id: "assumptions",
        heading: "Assumptions",
        blocks,
    }
}

fn method_section(results: &ResultSet) -> Section<'static> {
    let budget = &results.scenario.budget;
    Section {
        id: "method",
        heading: "Method",
        blocks: vec![Block::Paragraph(vec![
            Span::text(format!(
                "The results come from {} Monte Carlo runs. Each run draws every uncertain value \
                 of the assumptions table once from its distribution, then simulates the cluster \
                 networks quarter by quarter from {} to {}, once with the budget allocated by the \
                 policy and once without any funding (the counterfactual) on the same random \
                 streams, so that the “additional” outcomes measure what the funding changed in \
                 that run. The quarterly agent-based model follows the SKIN family of \
                 innovation-network models (Gilbert, Pyka & Ahrweiler 2001): firms join clusters \
                 with a hazard driven by cluster size, funding and valley spillovers, form ties by \
                 triadic closure and preferential attachment, and leave; infrastructure funding \
                 builds capital after a lag and activity funding acts at once, both with \
                 diminishing returns and a limited absorption capacity. Percentiles of the \
                 quarterly series and of the allocations come from a DDSketch (Masson, Rim & Lee \
                 2019) accurate to 1% (relative); those of the headline table are exact order \
                 statistics of the runs. The full description of the model, precise enough to \
                 re-implement it, is ",
                thousands(results.manifest.runs_completed as f64, 0),
                budget.period_label(0),
                budget.period_label(budget.quarters().saturating_sub(1)),
            )),
            Span::code("docs/MODEL.md"),
            Span::text(" in the clustersim repository."),
        ])],
    }
}

/// The lead paragraph of a result whose calibrated inputs came from a posterior.
fn posterior_lead(posterior: &super::PosteriorManifest) -> Paragraph {
    let mut paragraph = vec![Span::text(
        "Inputs from a calibrated posterior, not from their priors: ",
    )];
    for (index, input) in posterior.inputs.iter().enumerate() {
        if index > 0 {
            paragraph.push(Span::text(", "));
        }
        paragraph.push(Span::code(input.clone()));
    }
    paragraph.push(Span::text(format!(
        " take, in each run, the values of one of the {} particles of ",
        thousands(posterior.particles as f64, 0)
    )));
    paragraph.push(Span::code(posterior.folder.clone()));
    paragraph.push(Span::text(format!(
        ", picked with probability equal to its weight (effective sample size {}); every other \
         uncertain input is drawn from its prior, and the scenario's correlations, if any, are \
         not imposed. The assumptions below show the priors.",
        thousands(posterior.effective_sample_size, 0)
    )));
    paragraph
}

fn reproducibility_section(results: &ResultSet) -> Section<'static> {
    let manifest = &results.manifest;
    let runs = if manifest.complete && manifest.runs_completed == manifest.runs {
        thousands(manifest.runs as f64, 0)
    } else {
        format!(
            "{} of {} requested (interrupted)",
            thousands(manifest.runs_completed as f64, 0),
            thousands(manifest.runs as f64, 0)
        )
    };
    let mut facts = vec![
        (
            "Tool".to_string(),
            Span::text(format!("{} {}", manifest.tool, manifest.version)),
        ),
        (
            "Scenario".to_string(),
            Span::code(manifest.scenario_path.clone()),
        ),
        (
            "Scenario SHA-256".to_string(),
            Span::code(manifest.scenario_sha256.clone()),
        ),
        ("Seed".to_string(), Span::text(manifest.seed.to_string())),
        ("Runs".to_string(), Span::text(runs)),
        (
            "Threads".to_string(),
            Span::text(format!("{} (does not affect results)", manifest.threads)),
        ),
        (
            "Started (UTC)".to_string(),
            Span::text(manifest.started_utc.clone()),
        ),
        (
            "Finished (UTC)".to_string(),
            Span::text(manifest.finished_utc.clone()),
        ),
        (
            "Wall time".to_string(),
            Span::text(format!("{} s", manifest.wall_seconds)),
        ),
    ];
    if let Some(posterior) = &manifest.posterior {
        facts.push((
            "Posterior".to_string(),
            Span::code(posterior.folder.clone()),
        ));
        facts.push((
            "Posterior SHA-256".to_string(),
            Span::code(posterior.posterior_sha256.clone()),
        ));
    }
    Section {
        id: "reproducibility",
        heading: "Reproducibility",
        blocks: vec![
            Block::Facts(facts),
            Block::Paragraph(vec![
                Span::text(
                    "This command reproduces the result bit for bit with the same version \
                     (the result folder holds the scenario as ",
                ),
                Span::code("scenario.json"),
                Span::text("):"),
            ]),
            Block::Code(manifest.command.clone()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_numbers_keep_every_digit() {
        assert_eq!(scenario_number(186_000_000.0), "186,000,000");
        assert_eq!(scenario_number(0.0125), "0.0125");
        assert_eq!(scenario_number(2013.5), "2013.5");
        assert_eq!(scenario_number(8.0), "8");
    }
}
