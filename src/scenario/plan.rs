//! The checked scenario: what the engine runs. Built from a parsed [`ScenarioFile`] by
//! [`Scenario::from_file`], which checks every cross-reference and range and reports every problem
//! with its JSON path. Nothing downstream re-validates.

use std::collections::{BTreeMap, BTreeSet};

use super::distribution::Param;
use super::json_path::JsonPath;
use super::load::LocatedProblem;
use super::model_parameters::{ModelParameters, PARAMETER_TABLE, ParameterInfo};
use super::policy_plan::{NamedPolicy, Policy, PolicyContext};
use super::spec::{ClusterStatus, ProfileSpec, ScenarioFile, SourceKind, Unabsorbed};
use crate::money::{cents_from_amount, largest_remainder};

/// A problem found while checking a parsed scenario: where (JSON path) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Path of the offending value.
    pub path: JsonPath,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// A checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Scenario name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Sources by id, with their kind.
    pub sources: BTreeMap<String, (SourceKind, String)>,
    /// Budget in cents per funding year.
    pub budget: Budget,
    /// Sectors in file order.
    pub sectors: Vec<Sector>,
    /// Clusters in file order.
    pub clusters: Vec<Cluster>,
    /// Valleys in file order.
    pub valleys: Vec<Valley>,
    /// Allocation policy.
    pub policy: Policy,
    /// Named policy variants for comparisons, in file order.
    pub policy_variants: Vec<NamedPolicy>,
    /// Model parameters as written (numbers or distributions).
    pub model: ModelParameters<Param>,
    /// Default runs.
    pub runs: u64,
    /// Default seed.
    pub seed: u64,
    /// Rank correlations between uncertain inputs, if any (checked).
    pub correlations: Option<super::Correlations>,
    /// The currency of every money value: in the file, in the model (whole cents of it) and in
    /// the outputs.
    pub currency: super::currency::Currency,
    /// Observed members of named clusters at dates (for charts; not model inputs).
    pub observations: Vec<super::observations::Observation>,
    /// The weighted posterior that replaces the priors of the inputs it covers (`run` and
    /// `compare` with `--posterior` or the file's `posterior` field); None: every input is drawn
    /// from its prior. Attached by the command, never by loading the file.
    pub posterior: Option<std::sync::Arc<super::posterior::Posterior>>,
    /// The parsed file, kept for manifests and reports.
    pub file: ScenarioFile,
    /// Valid but implausible values (docs/SCENARIO.md "Plausible values"), located by
    /// [`load_str`](super::load_str).
    pub warnings: Vec<LocatedProblem>,
}

/// The budget, in whole cents.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Total in cents.
    pub total_cents: i64,
    /// First funding year.
    pub first_year: i32,
    /// Last funding year.
    pub last_year: i32,
    /// Last projected year.
    pub horizon_year: i32,
    /// Cents per funding year (sums to `total_cents`).
    pub yearly_cents: Vec<i64>,
    /// Fate of unabsorbed money.
    pub unabsorbed: Unabsorbed,
    /// The funding measures (one implicit measure when the file names none); their yearly
    /// cents sum to `yearly_cents` year by year.
    pub measures: Vec<super::measures::Measure>,
}

impl Budget {
    /// Number of quarterly steps from the first funding year to the end of the horizon year.
    pub fn quarters(&self) -> usize {
        ((self.horizon_year - self.first_year + 1) * 4) as usize
    }

    /// Number of funding years.
    pub fn funding_years(&self) -> usize {
        (self.last_year - self.first_year + 1) as usize
    }

    /// The period in which money can flow, as fractional years: from the earliest quarter in
    /// which some measure with money in that year can pay (its contracts started) to the end of
    /// the last funding year. The whole funding period when no money can flow at all.
    pub fn money_period(&self) -> (f64, f64) {
        let end = f64::from(self.last_year + 1);
        let first_year = f64::from(self.first_year);
        let start = self
            .measures
            .iter()
            .filter_map(|measure| {
                let open = super::measures::contract_start_quarter(
                    measure.earliest_contracts_start(),
                    self.first_year,
                );
                let first_paid_year = measure.yearly_cents.iter().position(|cents| *cents > 0)?;
                let carried = measure.uncontracted == super::spec::Uncontracted::Carry;
                // Money of a year before the contracts start flows only if it is carried.
                let quarter = if carried {
                    open.max(first_paid_year * 4)
                } else {
                    measure
                        .yearly_cents
                        .iter()
                        .enumerate()
                        .find(|(year, cents)| **cents > 0 && open < (year + 1) * 4)
                        .map(|(year, _)| open.max(year * 4))?
                };
                (quarter < self.funding_years() * 4).then_some(quarter)
            })
            .min();
        match start {
            Some(quarter) => (first_year + quarter as f64 / 4.0, end),
            None => (first_year, end),
        }
    }

    /// Label of a quarterly period, e.g. `2007Q1`.
    pub fn period_label(&self, quarter: usize) -> String {
        format!(
            "{}Q{}",
            self.first_year + (quarter / 4) as i32,
            quarter % 4 + 1
        )
    }
}

/// A checked sector.
#[derive(Debug, Clone)]
pub struct Sector {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// SMEs.
    pub firms: u64,
    /// SMEs that are not sole proprietorships: round(firms × (1 − sole share)).
    pub regular_firms: u64,
    /// Sole proprietorships: firms − regular firms.
    pub sole_firms: u64,
    /// Cooperation propensity in [0, 1].
    pub cooperation_propensity: Param,
    /// Cluster potential in [0, 1].
    pub potential: Param,
    /// Most cluster initiatives the sector can hold, named ones included.
    pub max_clusters: u64,
}

/// A checked cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Index into [`Scenario::sectors`].
    pub sector: usize,
    /// Operating or forming at the start.
    pub status: ClusterStatus,
    /// Initial members (0 for forming clusters).
    pub initial_members: u64,
    /// Initial links.
    pub initial_links: u64,
    /// Quarter (index from the first funding year's first quarter) in which an operating cluster
    /// founded after the start begins to operate; None for clusters operating from the start and
    /// for forming clusters.
    pub founded_quarter: Option<usize>,
    /// Indices of valleys sharing at least one field with this cluster.
    pub valleys: Vec<usize>,
    /// Science institutions among its partners as declared (0 for generated initiatives).
    pub research_partners: u64,
    /// Whether the cluster is a generated initiative of its sector's formation process (not
    /// written in the file).
    pub generated: bool,
}

/// A checked valley.
#[derive(Debug, Clone)]
pub struct Valley {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// City.
    pub city: String,
    /// Opening year as a decimal year.
    pub opening_year: Param,
}

/// One parameter that is drawn per run: its label, value spec and valid range.
#[derive(Debug, Clone)]
pub struct ParameterSlot {
    /// Label used in `runs.csv`, e.g. `model.tie_rate` or `sector.ict.potential`.
    pub label: String,
    /// Number or distribution.
    pub param: Param,
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
    /// Rounded to an integer after drawing.
    pub integer: bool,
}

/// Largest total budget accepted, LTL (10 trillion), so that cents fit comfortably in i64.
pub(super) const MAX_MONEY: f64 = 1e13;
/// Most Monte Carlo runs accepted (in the file or on the command line).
pub const MAX_RUNS: u64 = 100_000_000;
/// Largest sector population accepted (above the EU's 23 million SMEs with room to spare).
const MAX_FIRMS: u64 = 1_000_000_000;

impl Scenario {
    /// Checks a parsed file and builds the scenario, or lists every problem found.
    pub fn from_file(file: ScenarioFile) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let root = JsonPath::root();

        if file.name.trim().is_empty() {
            problems.push(Problem {
                path: root.key("name"),
                message: "the name must not be empty".into(),
            });
        }

        // Sources.
        let mut sources = BTreeMap::new();
        for (index, source) in file.sources.iter().enumerate() {
            if sources
                .insert(source.id.clone(), (source.kind, source.citation.clone()))
                .is_some()
            {
                problems.push(Problem {
                    path: root.key("sources").index(index).key("id"),
                    message: format!("duplicate source id '{}'; ids must be unique", source.id),
                });
            }
        }
        let known_sources: Vec<String> = sources.keys().cloned().collect();
        let check_source =
            |path: JsonPath, source: &Option<String>, problems: &mut Vec<Problem>| {
                if let Some(id) = source
                    && !sources.contains_key(id)
                {
                    problems.push(Problem {
                        path,
                        message: format!(
                            "unknown source '{id}'; valid: {}",
                            list_or_none(&known_sources)
                        ),
                    });
                }
            };

        // Budget.
        let budget_spec = &file.budget;
        let budget_path = root.key("budget");
        check_source(
            budget_path.key("source"),
            &budget_spec.source,
            &mut problems,
        );
        let currency = super::currency::check(
            file.currency.as_deref(),
            file.price_year,
            file.also_in.as_deref(),
            &mut problems,
        );
        let mut budget_ok = true;
        let with_measures = !budget_spec.measures.is_empty();
        let total_given = budget_spec.total.is_some()
            || budget_spec.total_ltl.is_some()
            || budget_spec.total_eur.is_some();
        let total_in_currency = if with_measures && !total_given {
            Some(super::measures::measures_total(budget_spec))
        } else {
            super::currency::budget_total(budget_spec, &currency, &mut problems)
        };
        match total_in_currency {
            None => budget_ok = false,
            Some(total) if !(total.is_finite() && (0.0..=MAX_MONEY).contains(&total)) => {
                let key = ["total", "total_ltl", "total_eur"]
                    .into_iter()
                    .zip([
                        budget_spec.total,
                        budget_spec.total_ltl,
                        budget_spec.total_eur,
                    ])
                    .find_map(|(key, value)| value.map(|_| key))
                    .unwrap_or("total");
                problems.push(Problem {
                    path: budget_path.key(key),
                    message: format!(
                        "the budget must be a number between 0 and {:e} {} (got {total})",
                        MAX_MONEY, currency.code
                    ),
                });
                budget_ok = false;
            }
            Some(_) => {}
        }
        for (key, year) in [
            ("first_year", budget_spec.first_year),
            ("last_year", budget_spec.last_year),
            ("horizon_year", budget_spec.horizon_year),
        ] {
            if !(1900..=2200).contains(&year) {
                problems.push(Problem {
                    path: budget_path.key(key),
                    message: format!("a year between 1900 and 2200 is expected (got {year})"),
                });
                budget_ok = false;
            }
        }
        if budget_spec.last_year < budget_spec.first_year {
            problems.push(Problem {
                path: budget_path.key("last_year"),
                message: format!(
                    "funding years are reversed: last_year {} is before first_year {}; last_year must be ≥ first_year",
                    budget_spec.last_year, budget_spec.first_year
                ),
            });
            budget_ok = false;
        }
        if budget_spec.horizon_year < budget_spec.last_year {
            problems.push(Problem {
                path: budget_path.key("horizon_year"),
                message: format!(
                    "horizon_year {} is before last_year {}; the projection must reach at least the last funding year",
                    budget_spec.horizon_year, budget_spec.last_year
                ),
            });
            budget_ok = false;
        }
        // Only years already checked (1900–2200, in order) size anything: a reversed or absurd
        // year must not allocate billions of cells.
        let funding_years = if budget_ok {
            (budget_spec.last_year as i64 - budget_spec.first_year as i64 + 1).max(0) as usize
        } else {
            0
        };
        let weights: Vec<f64> = match &budget_spec.profile {
            ProfileSpec::Even => vec![1.0; funding_years],
            ProfileSpec::Weights(weights) => {
                let path = budget_path.key("profile").key("weights");
                if budget_ok && weights.len() != funding_years {
                    problems.push(Problem {
                        path: path.clone(),
                        message: format!(
                            "{} weights given but there are {funding_years} funding years ({}–{}); give one weight per year",
                            weights.len(),
                            budget_spec.first_year,
                            budget_spec.last_year
                        ),
                    });
                    budget_ok = false;
                }
                for (index, weight) in weights.iter().enumerate() {
                    if !(weight.is_finite() && *weight >= 0.0) {
                        problems.push(Problem {
                            path: path.index(index),
                            message: format!("a weight must be a finite number ≥ 0 (got {weight})"),
                        });
                        budget_ok = false;
                    }
                }
                if budget_ok && weights.iter().sum::<f64>() <= 0.0 {
                    problems.push(Problem {
                        path,
                        message: "at least one weight must be positive".into(),
                    });
                    budget_ok = false;
                }
                weights.clone()
            }
        };
        let total_cents = if budget_ok {
            cents_from_amount(total_in_currency.unwrap_or(0.0))
        } else {
            0
        };
        let mut yearly_cents = if budget_ok {
            largest_remainder(total_cents, &weights)
        } else {
            vec![0; funding_years]
        };
        let measures = if with_measures {
            let known: Vec<String> = sources.keys().cloned().collect();
            let measures = super::measures::check(
                &super::measures::BudgetFrame {
                    spec: budget_spec,
                    funding_years,
                    weights: budget_ok.then_some(weights.as_slice()),
                    sources: &known,
                },
                &mut problems,
            );
            let sum: i64 = measures.iter().map(|measure| measure.total_cents).sum();
            if budget_ok && total_given && (sum - total_cents).abs() > measures.len() as i64 {
                problems.push(Problem {
                    path: budget_path.key("total"),
                    message: format!(
                        "the budget total ({}) is not the sum of its measures' budgets ({}); remove the total (the measures define it) or correct it",
                        total_cents as f64 / 100.0,
                        super::measures::measures_total(budget_spec)
                    ),
                });
            }
            yearly_cents = (0..funding_years)
                .map(|year| measures.iter().map(|m| m.yearly_cents[year]).sum())
                .collect();
            measures
        } else {
            vec![super::measures::Measure::implicit(
                total_cents,
                yearly_cents.clone(),
                budget_spec.first_year,
            )]
        };
        let total_cents = if with_measures {
            yearly_cents.iter().sum()
        } else {
            total_cents
        };
        let budget = Budget {
            total_cents,
            first_year: budget_spec.first_year,
            last_year: budget_spec.last_year,
            horizon_year: budget_spec.horizon_year,
            yearly_cents,
            unabsorbed: budget_spec.unabsorbed,
            measures,
        };

        // Sectors.
        let sectors_path = root.key("sectors");
        if file.sectors.is_empty() {
            problems.push(Problem {
                path: sectors_path.clone(),
                message: "at least one sector is needed".into(),
            });
        }
        let mut sector_index = BTreeMap::new();
        let mut sectors = Vec::with_capacity(file.sectors.len());
        for (index, spec) in file.sectors.iter().enumerate() {
            let path = sectors_path.index(index);
            if sector_index.insert(spec.id.clone(), index).is_some() {
                problems.push(Problem {
                    path: path.key("id"),
                    message: format!("duplicate sector id '{}'; ids must be unique", spec.id),
                });
            }
            check_source(path.key("source"), &spec.source, &mut problems);
            if !(1..=MAX_FIRMS).contains(&spec.firms) {
                problems.push(Problem {
                    path: path.key("firms"),
                    message: format!(
                        "a sector needs between 1 and {MAX_FIRMS} firms (got {})",
                        spec.firms
                    ),
                });
            }
            check_unit_share(
                &mut problems,
                path.key("sole_proprietor_share"),
                spec.sole_proprietor_share,
            );
            check_param(
                &mut problems,
                path.key("cooperation_propensity"),
                &spec.cooperation_propensity,
                (0.0, 1.0),
                false,
            );
            check_param(
                &mut problems,
                path.key("potential"),
                &spec.potential,
                (0.0, 1.0),
                false,
            );
            let share = if spec.sole_proprietor_share.is_finite() {
                spec.sole_proprietor_share.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let regular_firms = ((spec.firms as f64) * (1.0 - share)).round() as u64;
            let regular_firms = regular_firms.min(spec.firms);
            sectors.push(Sector {
                id: spec.id.clone(),
                name: spec.name.clone(),
                firms: spec.firms,
                regular_firms,
                sole_firms: spec.firms - regular_firms,
                cooperation_propensity: spec.cooperation_propensity.clone(),
                potential: spec.potential.clone(),
                max_clusters: spec.max_clusters.unwrap_or(0),
            });
        }

        // Valleys.
        let valleys_path = root.key("valleys");
        let mut valley_ids = BTreeSet::new();
        let mut valleys = Vec::with_capacity(file.valleys.len());
        for (index, spec) in file.valleys.iter().enumerate() {
            let path = valleys_path.index(index);
            if !valley_ids.insert(spec.id.clone()) {
                problems.push(Problem {
                    path: path.key("id"),
                    message: format!("duplicate valley id '{}'; ids must be unique", spec.id),
                });
            }
            check_source(path.key("source"), &spec.source, &mut problems);
            check_param(
                &mut problems,
                path.key("opening_year"),
                &spec.opening_year,
                (1900.0, 2300.0),
                false,
            );
            valleys.push(Valley {
                id: spec.id.clone(),
                name: spec.name.clone(),
                city: spec.city.clone(),
                opening_year: spec.opening_year.clone(),
            });
        }

        // Clusters.
        let clusters_path = root.key("clusters");
        if file.clusters.is_empty() {
            problems.push(Problem {
                path: clusters_path.clone(),
                message: "at least one cluster is needed".into(),
            });
        }
        let sector_ids: Vec<String> = file.sectors.iter().map(|s| s.id.clone()).collect();
        let mut cluster_index = BTreeMap::new();
        let mut clusters = Vec::with_capacity(file.clusters.len());
        let mut initial_members_by_sector = vec![0u64; sectors.len()];
        for (index, spec) in file.clusters.iter().enumerate() {
            let path = clusters_path.index(index);
            if cluster_index.insert(spec.id.clone(), index).is_some() {
                problems.push(Problem {
                    path: path.key("id"),
                    message: format!("duplicate cluster id '{}'; ids must be unique", spec.id),
                });
            }
            check_source(path.key("source"), &spec.source, &mut problems);
            let sector = match sector_index.get(&spec.sector) {
                Some(&sector) => sector,
                None => {
                    problems.push(Problem {
                        path: path.key("sector"),
                        message: format!(
                            "unknown sector '{}'; valid: {}",
                            spec.sector,
                            list_or_none(&sector_ids)
                        ),
                    });
                    0
                }
            };
            match spec.status {
                ClusterStatus::Operating => {
                    if spec.initial_members < 1 {
                        problems.push(Problem {
                            path: path.key("initial_members"),
                            message: "an operating cluster needs at least 1 initial member".into(),
                        });
                    }
                    let max_links = spec
                        .initial_members
                        .saturating_mul(spec.initial_members.saturating_sub(1))
                        / 2;
                    if spec.initial_links > max_links {
                        problems.push(Problem {
                            path: path.key("initial_links"),
                            message: format!(
                                "{} links among {} members is impossible; at most m(m−1)/2 = {max_links}",
                                spec.initial_links, spec.initial_members
                            ),
                        });
                    }
                    if let Some(total) = initial_members_by_sector.get_mut(sector) {
                        *total = total.saturating_add(spec.initial_members);
                    }
                }
                ClusterStatus::Forming => {
                    if spec.founded.is_some() {
                        problems.push(Problem {
                            path: path.key("founded"),
                            message: "a forming cluster has no founding date (it forms by the formation process); remove `founded` or make the cluster `operating`".into(),
                        });
                    }
                    for (key, value) in [
                        ("initial_members", spec.initial_members),
                        ("initial_links", spec.initial_links),
                    ] {
                        if value != 0 {
                            problems.push(Problem {
                                path: path.key(key),
                                message: format!(
                                    "a forming cluster starts empty; {key} must be 0 or omitted (got {value})"
                                ),
                            });
                        }
                    }
                }
            }
            let matching_valleys = file
                .valleys
                .iter()
                .enumerate()
                .filter(|(_, valley)| {
                    valley
                        .fields
                        .iter()
                        .any(|field| spec.fields.contains(field))
                })
                .map(|(valley, _)| valley)
                .collect();
            clusters.push(Cluster {
                id: spec.id.clone(),
                name: spec.name.clone(),
                sector,
                status: spec.status,
                initial_members: spec.initial_members,
                initial_links: spec.initial_links,
                founded_quarter: founded_quarter(
                    spec.founded,
                    &budget,
                    path.key("founded"),
                    &mut problems,
                ),
                valleys: matching_valleys,
                research_partners: spec.research_partners.unwrap_or(0),
                generated: false,
            });
        }
        super::formation_slots::add_generated(&file, &mut sectors, &mut clusters, &mut problems);
        for (sector, members) in initial_members_by_sector.iter().enumerate() {
            if let Some(spec) = sectors.get(sector)
                && *members > spec.regular_firms
            {
                problems.push(Problem {
                    path: sectors_path.index(sector).key("firms"),
                    message: format!(
                        "the operating clusters of sector '{}' start with {members} members, more than its {} firms that are not sole proprietorships",
                        spec.id, spec.regular_firms
                    ),
                });
            }
        }

        // Policy and its named variants.
        let operating_at_start = clusters
            .iter()
            .filter(|c| c.status == ClusterStatus::Operating)
            .count();
        let cluster_ids: Vec<String> = clusters.iter().map(|c| c.id.clone()).collect();
        let forming: Vec<bool> = clusters
            .iter()
            .map(|c| c.status == ClusterStatus::Forming)
            .collect();
        let policy_context = PolicyContext {
            sector_index: &sector_index,
            sector_ids: &sector_ids,
            cluster_index: &cluster_index,
            cluster_ids: &cluster_ids,
            cluster_count: clusters.len(),
            operating_at_start,
            forming: &forming,
        };
        check_source(
            root.key("policy").key("source"),
            &file.policy.source,
            &mut problems,
        );
        let policy = policy_context.check(&file.policy, root.key("policy"), &mut problems);
        let policy_variants =
            policy_context.check_variants(&file.policy_variants, &root, &mut problems);

        // Model parameters and their sources.
        let model_sources_path = root.key("model_sources");
        for (name, id) in &file.model_sources {
            if name != "default" && ParameterInfo::find(name).is_none() {
                problems.push(Problem {
                    path: model_sources_path.key(name.clone()),
                    message: format!(
                        "unknown model parameter '{name}'; use a parameter name or 'default'"
                    ),
                });
            }
            check_source(
                model_sources_path.key(name.clone()),
                &Some(id.clone()),
                &mut problems,
            );
        }
        let model_path = root.key("model");
        let _ = file.model.map(|info, param| {
            check_param(
                &mut problems,
                model_path.key(info.name),
                param,
                (info.min, info.max),
                info.positive,
            );
            Ok::<(), std::convert::Infallible>(())
        });

        // Observations.
        for (index, observation) in file.observations.iter().enumerate() {
            check_source(
                root.key("observations").index(index).key("source"),
                &observation.source,
                &mut problems,
            );
        }
        let observations =
            super::observations::check(&file.observations, &cluster_index, &mut problems);

        // Simulation.
        if !(1..=MAX_RUNS).contains(&file.simulation.runs) {
            problems.push(Problem {
                path: root.key("simulation").key("runs"),
                message: format!(
                    "between 1 and {MAX_RUNS} runs are accepted (got {})",
                    file.simulation.runs
                ),
            });
        }

        if file
            .posterior
            .as_deref()
            .is_some_and(|folder| folder.trim().is_empty())
        {
            problems.push(Problem {
                path: root.key("posterior"),
                message: "the posterior is a calibration folder (holding posterior.csv), \
                          relative to this file, e.g. \"calibration/baseline\"; leave the field \
                          out to draw every input from its prior"
                    .into(),
            });
        }
        for (index, correlation) in file.correlations.iter().enumerate() {
            check_source(
                root.key("correlations").index(index).key("source"),
                &correlation.source,
                &mut problems,
            );
        }

        if !problems.is_empty() {
            return Err(problems);
        }
        let warnings =
            super::plausible::implausible_parameters(&file.model, &model_path, &currency)
                .into_iter()
                .map(|warning| LocatedProblem {
                    path: warning.path.to_string(),
                    position: None,
                    message: warning.message,
                })
                .collect();
        let mut scenario = Scenario {
            warnings,
            name: file.name.clone(),
            description: file.description.clone(),
            sources,
            budget,
            sectors,
            clusters,
            valleys,
            policy,
            policy_variants,
            model: file.model.clone(),
            runs: file.simulation.runs,
            seed: file.simulation.seed,
            correlations: None,
            currency,
            observations,
            posterior: None,
            file,
        };
        scenario.correlations = super::correlations::check_correlations(
            &scenario.file.correlations,
            &scenario.parameter_slots(),
            &root.key("correlations"),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(scenario)
    }

    /// Every parameter drawn per run, in a fixed order: model parameters (table order), then each
    /// sector's cooperation propensity and potential, then each valley's opening year, then each
    /// declared measure's contract start.
    pub fn parameter_slots(&self) -> Vec<ParameterSlot> {
        let mut slots: Vec<ParameterSlot> = self
            .model
            .values()
            .into_iter()
            .map(|(info, param): (&ParameterInfo, &Param)| ParameterSlot {
                label: format!("model.{}", info.name_in(&self.currency)),
                param: param.clone(),
                min: info.min,
                max: info.max,
                integer: info.integer,
            })
            .collect();
        for sector in &self.sectors {
            for (name, param) in [
                ("cooperation_propensity", &sector.cooperation_propensity),
                ("potential", &sector.potential),
            ] {
                slots.push(ParameterSlot {
                    label: format!("sector.{}.{name}", sector.id),
                    param: param.clone(),
                    min: 0.0,
                    max: 1.0,
                    integer: false,
                });
            }
        }
        for valley in &self.valleys {
            slots.push(ParameterSlot {
                label: format!("valley.{}.opening_year", valley.id),
                param: valley.opening_year.clone(),
                min: 1900.0,
                max: 2300.0,
                integer: false,
            });
        }
        for measure in self.budget.measures.iter().filter(|m| !m.implicit) {
            let (min, max) = super::measures::Measure::contract_years();
            slots.push(ParameterSlot {
                label: measure.slot_label(),
                param: measure.contracts_start.clone(),
                min,
                max,
                integer: false,
            });
        }
        slots
    }

    /// Number of model parameters at the start of [`Self::parameter_slots`].
    pub fn model_parameter_count() -> usize {
        PARAMETER_TABLE.len()
    }
}

/// The quarter an operating cluster founded at decimal year `founded` starts to operate:
/// floor((founded − first_year) · 4) when that lies after the first quarter, None when it is at or
/// before the start. A founding date after the horizon is a problem.
fn founded_quarter(
    founded: Option<f64>,
    budget: &Budget,
    path: JsonPath,
    problems: &mut Vec<Problem>,
) -> Option<usize> {
    let founded = founded?;
    let end = f64::from(budget.horizon_year) + 1.0;
    if !(founded.is_finite() && (1800.0..end).contains(&founded)) {
        problems.push(Problem {
            path,
            message: format!(
                "a founding date is a decimal year before the end of the horizon ({end}), e.g. 2009.92 for December 2009 (got {founded})"
            ),
        });
        return None;
    }
    let quarter = ((founded - f64::from(budget.first_year)) * 4.0).floor();
    (quarter >= 1.0).then_some(quarter as usize)
}

pub(super) fn list_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "(none defined)".into()
    } else {
        ids.join(", ")
    }
}

pub(super) fn check_unit_share(problems: &mut Vec<Problem>, path: JsonPath, value: f64) {
    if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
        problems.push(Problem {
            path,
            message: format!("a share between 0 and 1 is expected (got {value})"),
        });
    }
}

/// A fixed value must lie in [min, max] (in (0, max] when `positive`); a distribution's whole
/// support must lie in it too, so that every draw is a valid value (docs/MODEL.md §11.4).
pub(super) fn check_param(
    problems: &mut Vec<Problem>,
    path: JsonPath,
    param: &Param,
    (min, max): (f64, f64),
    positive: bool,
) {
    let lower = if positive { 0.0 } else { min };
    let range = if positive {
        format!("(0, {max}]").replace("inf]", "∞)")
    } else {
        format!("[{min}, {max}]")
    };
    match param {
        Param::Fixed(value) => {
            let above_lower = if positive {
                *value > 0.0
            } else {
                *value >= min
            };
            if !(value.is_finite() && above_lower && *value <= max) {
                let expected = if positive {
                    "a value > 0 is expected".to_string()
                } else {
                    format!("a value between {min} and {max} is expected")
                };
                problems.push(Problem {
                    path,
                    message: format!("{expected} (got {value})"),
                });
            }
        }
        Param::Random(distribution) => {
            let (low, high) = distribution.support();
            if low < lower || high > max {
                let support = match (low.is_finite(), high.is_finite()) {
                    (true, true) => format!("[{low}, {high}]"),
                    (true, false) => format!("[{low}, ∞)"),
                    (false, true) => format!("(−∞, {high}]"),
                    (false, false) => "(−∞, ∞)".to_string(),
                };
                problems.push(Problem {
                    path,
                    message: format!(
                        "{distribution} can draw values outside the valid range {range} (its \
                         support is {support}); use a distribution that stays inside, e.g. \
                         triangular, pert, uniform, beta or truncated_normal with min and max \
                         inside the range"
                    ),
                });
            }
        }
    }
}
