//! Funding measures: the budget as the programmes that paid it (docs/SCENARIO.md §5a,
//! docs/MODEL.md §7.1a).
//!
//! A measure has its own budget, spread over the funding years by a profile, pays for some of
//! infrastructure, activity and formation, admits only clusters meeting its eligibility rules,
//! and pays nothing before its contracts start. A file without measures gets one implicit
//! measure equal to the whole budget, paying for everything from the first funding year, which
//! makes the model compute exactly what it computed before measures existed.

use std::collections::BTreeSet;

use super::distribution::Param;
use super::json_path::JsonPath;
use super::plan::{MAX_MONEY, Problem};
use super::spec::{BudgetSpec, MeasurePurpose, ProfileSpec, Uncontracted};
use crate::money::{cents_from_amount, largest_remainder};

/// Id of the implicit measure of a file without `budget.measures`.
pub const IMPLICIT_MEASURE_ID: &str = "budget";

/// Earliest and latest contract start accepted, decimal years.
const CONTRACT_YEARS: (f64, f64) = (1900.0, 2300.0);

/// A checked funding measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Id (`budget` for the implicit measure).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Budget in cents (LTL).
    pub total_cents: i64,
    /// Cents per funding year (sums to `total_cents`).
    pub yearly_cents: Vec<i64>,
    /// Pays for infrastructure of operating clusters.
    pub pays_infrastructure: bool,
    /// Pays for activity of operating clusters.
    pub pays_activity: bool,
    /// Pays seed money to forming initiatives.
    pub pays_formation: bool,
    /// Fewest members at the start of the year for infrastructure or activity money.
    pub min_members: u64,
    /// Fewest research partners (declared plus open matching valleys).
    pub min_research_partners: u64,
    /// Decimal year of the first contracts (a number or a distribution).
    pub contracts_start: Param,
    /// Fate of money no contract takes up.
    pub uncontracted: Uncontracted,
    /// Whether this is the implicit measure of a file without measures.
    pub implicit: bool,
}

impl Measure {
    /// The implicit measure of a file without measures: the whole budget, paying for
    /// everything, open from the first funding year, returning what it cannot allocate.
    pub fn implicit(total_cents: i64, yearly_cents: Vec<i64>, first_year: i32) -> Self {
        Self {
            id: IMPLICIT_MEASURE_ID.into(),
            name: "Budget (all instruments)".into(),
            total_cents,
            yearly_cents,
            pays_infrastructure: true,
            pays_activity: true,
            pays_formation: true,
            min_members: 0,
            min_research_partners: 0,
            contracts_start: Param::Fixed(f64::from(first_year)),
            uncontracted: Uncontracted::Return,
            implicit: true,
        }
    }

    /// Whether operating clusters can receive money from the measure at all.
    pub fn pays_operating(&self) -> bool {
        self.pays_infrastructure || self.pays_activity
    }

    /// The infrastructure share of an operating cluster's money from this measure: 1 when it
    /// pays for infrastructure only, 0 for activity only, the policy's share when both.
    pub fn infrastructure_share(&self, policy_share: f64) -> f64 {
        match (self.pays_infrastructure, self.pays_activity) {
            (true, false) => 1.0,
            (false, true) => 0.0,
            _ => policy_share,
        }
    }

    /// The earliest decimal year at which the measure's contracts can start (a fixed value, or
    /// the lower end of the distribution's support within the accepted range).
    pub fn earliest_contracts_start(&self) -> f64 {
        match &self.contracts_start {
            Param::Fixed(year) => *year,
            Param::Random(distribution) => distribution.support().0.max(CONTRACT_YEARS.0),
        }
    }

    /// Label of the measure's contract-start slot among the run's drawn inputs.
    pub fn slot_label(&self) -> String {
        format!("measure.{}.contracts_start", self.id)
    }

    /// The accepted range of the contract start, decimal years.
    pub fn contract_years() -> (f64, f64) {
        CONTRACT_YEARS
    }
}

/// What checking the measures needs to know about the budget.
pub(super) struct BudgetFrame<'a> {
    /// The `budget` object.
    pub spec: &'a BudgetSpec,
    /// Number of funding years (0 when the years are invalid).
    pub funding_years: usize,
    /// The budget's checked profile weights, or None when they are invalid.
    pub weights: Option<&'a [f64]>,
    /// Known source ids.
    pub sources: &'a [String],
}

/// The sum of the measures' budgets in the scenario's currency (what `budget.total` is when
/// measures are given).
pub(super) fn measures_total(spec: &BudgetSpec) -> f64 {
    spec.measures.iter().map(|measure| measure.total).sum()
}

/// Checks `budget.measures` and builds them; every problem is pushed with its JSON path.
pub(super) fn check(frame: &BudgetFrame<'_>, problems: &mut Vec<Problem>) -> Vec<Measure> {
    let path = JsonPath::root().key("budget").key("measures");
    let mut ids = BTreeSet::new();
    let mut measures = Vec::with_capacity(frame.spec.measures.len());
    for (index, spec) in frame.spec.measures.iter().enumerate() {
        let path = path.index(index);
        if !valid_id(&spec.id) {
            problems.push(Problem {
                path: path.key("id"),
                message: format!(
                    "a measure id is 1–64 letters, digits, '-' or '_' (got '{}')",
                    spec.id
                ),
            });
        } else if spec.id == IMPLICIT_MEASURE_ID || !ids.insert(spec.id.clone()) {
            problems.push(Problem {
                path: path.key("id"),
                message: format!(
                    "duplicate or reserved measure id '{}'; ids must be unique and not '{IMPLICIT_MEASURE_ID}'",
                    spec.id
                ),
            });
        }
        if let Some(source) = &spec.source
            && !frame.sources.contains(source)
        {
            problems.push(Problem {
                path: path.key("source"),
                message: format!(
                    "unknown source '{source}'; valid: {}",
                    super::plan::list_or_none(frame.sources)
                ),
            });
        }
        let total_ok = spec.total.is_finite() && (0.0..=MAX_MONEY).contains(&spec.total);
        if !total_ok {
            problems.push(Problem {
                path: path.key("total"),
                message: format!(
                    "a measure's budget is a number ≥ 0 in the scenario's currency, at most {:e} (got {})",
                    MAX_MONEY,
                    spec.total
                ),
            });
        }
        let purposes: BTreeSet<MeasurePurpose> = spec.pays_for.iter().copied().collect();
        if purposes.is_empty() || purposes.len() != spec.pays_for.len() {
            problems.push(Problem {
                path: path.key("pays_for"),
                message: "list what the measure pays for, each once: one or more of \"infrastructure\", \"activity\", \"formation\"".into(),
            });
        }
        super::plan::check_param(
            problems,
            path.key("contracts_start"),
            &spec.contracts_start,
            CONTRACT_YEARS,
            false,
        );
        if let Param::Fixed(year) = spec.contracts_start
            && frame.funding_years > 0
            && year >= f64::from(frame.spec.last_year) + 1.0
        {
            problems.push(Problem {
                path: path.key("contracts_start"),
                message: format!(
                    "contracts starting at {year} leave no funding quarter (the funding years end with {}); give a date before {}",
                    frame.spec.last_year,
                    frame.spec.last_year + 1
                ),
            });
        }
        let weights = match &spec.profile {
            None => frame.weights.map(<[f64]>::to_vec),
            Some(profile) => {
                profile_weights(profile, frame.funding_years, &path.key("profile"), problems)
            }
        };
        let total_cents = if total_ok {
            cents_from_amount(spec.total)
        } else {
            0
        };
        let yearly_cents = match weights {
            Some(weights) if weights.len() == frame.funding_years => {
                largest_remainder(total_cents, &weights)
            }
            _ => vec![0; frame.funding_years],
        };
        measures.push(Measure {
            id: spec.id.clone(),
            name: spec.name.clone(),
            total_cents,
            yearly_cents,
            pays_infrastructure: purposes.contains(&MeasurePurpose::Infrastructure),
            pays_activity: purposes.contains(&MeasurePurpose::Activity),
            pays_formation: purposes.contains(&MeasurePurpose::Formation),
            min_members: spec.eligibility.min_members,
            min_research_partners: spec.eligibility.min_research_partners,
            contracts_start: spec.contracts_start.clone(),
            uncontracted: spec.uncontracted,
            implicit: false,
        });
    }
    measures
}

/// The weights of a measure's own profile (one per funding year, finite, ≥ 0, not all 0), or
/// None with the problems pushed.
fn profile_weights(
    profile: &ProfileSpec,
    funding_years: usize,
    path: &JsonPath,
    problems: &mut Vec<Problem>,
) -> Option<Vec<f64>> {
    match profile {
        ProfileSpec::Even => Some(vec![1.0; funding_years]),
        ProfileSpec::Weights(weights) => {
            let path = path.key("weights");
            let mut ok = true;
            if weights.len() != funding_years {
                problems.push(Problem {
                    path: path.clone(),
                    message: format!(
                        "{} weights given but there are {funding_years} funding years; give one weight per year",
                        weights.len()
                    ),
                });
                ok = false;
            }
            for (index, weight) in weights.iter().enumerate() {
                if !(weight.is_finite() && *weight >= 0.0) {
                    problems.push(Problem {
                        path: path.index(index),
                        message: format!("a weight must be a finite number ≥ 0 (got {weight})"),
                    });
                    ok = false;
                }
            }
            if ok && weights.iter().sum::<f64>() <= 0.0 {
                problems.push(Problem {
                    path,
                    message: "at least one weight must be positive".into(),
                });
                ok = false;
            }
            ok.then(|| weights.clone())
        }
    }
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The first quarter (from the first funding year's Q1) in which money of a measure whose
/// contracts start at decimal year `year` can flow: the quarter containing that date, 0 if it
/// lies before the start.
pub fn contract_start_quarter(year: f64, first_year: i32) -> usize {
    ((year - f64::from(first_year)) * 4.0).floor().max(0.0) as usize
}
