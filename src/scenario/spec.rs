//! The scenario file as written by an analyst: serde types that mirror the JSON one to one.
//!
//! These types only describe the *shape* of a file; `plan.rs` turns a parsed file into the
//! checked [`Scenario`](super::Scenario) the engine runs. Every struct rejects unknown fields so
//! that a misspelt key is an error, never silently ignored. The JSON Schema printed by
//! `clustersim schema` is generated from these same types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::distribution::Param;
use super::model_parameters::ModelParameters;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name, used for the output folder (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// ISO 4217 code of every money value in the file (`LTL` or `EUR`); `LTL` when omitted, as in
    /// files written before currencies were declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Price year of the money values (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_year: Option<i32>,
    /// A second currency shown alongside in tables, charts and reports (its rate to `currency`
    /// must be fixed, e.g. `EUR` beside `LTL` at 3.4528), or `none`. When omitted, LTL, LVL and
    /// EEK scenarios show EUR alongside and others show their own currency only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_in: Option<String>,
    /// Where the numbers come from. Every `source` field elsewhere names one of these ids.
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    /// The public budget and its timing.
    pub budget: BudgetSpec,
    /// Sectors: SME populations from which clusters draw members.
    pub sectors: Vec<SectorSpec>,
    /// Clusters: operating ones and forming ones.
    pub clusters: Vec<ClusterSpec>,
    /// Integrated science, studies and business centres ("valleys").
    #[serde(default)]
    pub valleys: Vec<ValleySpec>,
    /// How each year's budget is split across clusters and instruments.
    pub policy: PolicySpec,
    /// Further named policies for `clustersim compare` (e.g. `competitive-70-30`), each a whole
    /// policy of its own. `run` uses only `policy`.
    #[serde(default)]
    pub policy_variants: Vec<PolicyVariantSpec>,
    /// Behavioural parameters of the network model; each may be a number or a distribution.
    #[serde(default)]
    pub model: ModelSpec,
    /// Model parameter name (or `default`, for every parameter not named) → source id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub model_sources: BTreeMap<String, String>,
    /// Default number of Monte Carlo runs and master seed.
    #[serde(default)]
    pub simulation: SimulationSpec,
    /// Rank correlations between uncertain inputs, imposed by the Iman–Conover method (every
    /// input keeps its own distribution exactly). Pairs not listed are uncorrelated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<CorrelationSpec>,
    /// Observed members of named clusters at dates (shown against the simulated trajectories
    /// in the members chart; not inputs to the model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<ObservationSpec>,
    /// A calibration folder (written by `clustersim calibrate`, holding `posterior.csv`), relative
    /// to this file's folder: `run` and `compare` then draw the inputs it calibrated from its
    /// weighted posterior instead of their priors. `--posterior DIR` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<String>,
}

/// A rank correlation between two uncertain inputs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSpec {
    /// The two inputs, by their `runs.csv` names (e.g. `model.join_funding_response`,
    /// `sector.ict.potential`, `valley.santara.opening_year`); a model parameter may also be
    /// named without `model.`. Both must be distributions, not fixed numbers.
    pub inputs: Vec<String>,
    /// Spearman rank correlation, strictly between −1 and 1.
    pub rank: f64,
    /// Id of the source (usually an assumption) that justifies the correlation.
    #[serde(default)]
    pub source: Option<String>,
}

/// Members of one cluster observed at one date.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationSpec {
    /// Id of a cluster named in the file.
    pub cluster: String,
    /// Date of the observation as a decimal year (2012.5 = mid-2012).
    pub date: f64,
    /// Members observed.
    pub members: u64,
    /// Source id of the observation.
    #[serde(default)]
    pub source: Option<String>,
}

/// One source of numbers: published data or an explicit assumption.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Identifier referenced by `source` fields.
    pub id: String,
    /// `data` for published figures, `assumption` for values chosen by the analyst.
    pub kind: SourceKind,
    /// Full citation or a description of the assumption.
    pub citation: String,
}

/// Whether a source is published data or an assumption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Published, citable figures.
    Data,
    /// A value chosen by the analyst; reported as an assumption.
    Assumption,
}

/// The budget: amount, funding years, disbursement profile and projection horizon.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    /// Total budget in the scenario's currency; counted internally in whole cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// Total budget in LTL (litas): only in an LTL scenario (the older spelling of `total`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_ltl: Option<f64>,
    /// Total budget in EUR: only in an EUR scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_eur: Option<f64>,
    /// First funding year (allocation starts in its first quarter).
    pub first_year: i32,
    /// Last funding year (inclusive).
    pub last_year: i32,
    /// How the total is spread over the funding years.
    #[serde(default)]
    pub profile: ProfileSpec,
    /// Last projected year (inclusive); may lie after `last_year`.
    pub horizon_year: i32,
    /// What happens to money a cluster cannot absorb in a quarter.
    #[serde(default)]
    pub unabsorbed: Unabsorbed,
    /// Source id for the budget figures.
    #[serde(default)]
    pub source: Option<String>,
    /// The funding measures the budget consists of (docs/SCENARIO.md §5a). Omitted: the whole
    /// budget is one implicit measure that pays for everything from the first funding year, as
    /// in files written before measures existed. Given: the total is the sum of the measures'
    /// budgets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<MeasureSpec>,
}

/// One funding measure: a budget of its own, what it pays for, who may receive it and when its
/// contracts start.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// Identifier (letters, digits, `-`, `_`), used in outputs.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The measure's budget in the scenario's currency.
    pub total: f64,
    /// What it pays for: any of `infrastructure`, `activity` (operating clusters) and
    /// `formation` (seed money for each sector's next forming initiative).
    pub pays_for: Vec<MeasurePurpose>,
    /// Who may receive money for infrastructure or activity (formation money is not subject to
    /// it).
    #[serde(default)]
    pub eligibility: EligibilitySpec,
    /// When the first contracts start, as a decimal year (2010.81 = 22 October 2010); a number
    /// or a distribution drawn once per run. No money of the measure flows before the quarter
    /// containing it.
    pub contracts_start: Param,
    /// How the measure's budget is spread over the funding years; omitted: the budget's
    /// `profile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileSpec>,
    /// What happens to a year's money of the measure that no contract takes up (before the
    /// contracts start, or with no eligible cluster): `return` (default) or `carry` (added to
    /// the measure's next funding year; returned after the last).
    #[serde(default)]
    pub uncontracted: Uncontracted,
    /// Source id for the measure's figures.
    #[serde(default)]
    pub source: Option<String>,
}

/// What a measure pays for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasurePurpose {
    /// Infrastructure of operating clusters (builds the capital stock after a lag).
    Infrastructure,
    /// Activity of operating clusters (joint activity, joint R&D; acts at once).
    Activity,
    /// Seed money for forming initiatives (the policy's `forming_reserve_share` of the measure).
    Formation,
}

/// Who may receive a measure's money for infrastructure or activity, checked at each year's
/// allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilitySpec {
    /// Fewest member firms at the start of the year.
    #[serde(default)]
    pub min_members: u64,
    /// Fewest research partners (science institutions): the cluster's `research_partners` plus
    /// one for each matching valley open at the allocation.
    #[serde(default)]
    pub min_research_partners: u64,
}

/// Fate of a measure's money that no contract takes up in its year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Uncontracted {
    /// Returned to the budget holder at once.
    #[default]
    Return,
    /// Added to the measure's next funding year; returned after the last funding year.
    Carry,
}

/// Yearly disbursement profile.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSpec {
    /// The same amount every funding year.
    #[default]
    Even,
    /// Relative weights, one per funding year (non-negative, not all zero).
    Weights(Vec<f64>),
}

/// Fate of money a cluster cannot absorb.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unabsorbed {
    /// Kept by the cluster for the next quarter; returned at the end of the funding period.
    #[default]
    CarryOver,
    /// Returned to the budget holder at once.
    Return,
}

/// One sector of the economy.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectorSpec {
    /// Identifier referenced by clusters.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Number of SMEs in the sector (firms).
    pub firms: u64,
    /// Share of the sector's SMEs that are sole proprietorships, in [0, 1].
    pub sole_proprietor_share: f64,
    /// Baseline propensity to cooperate, in [0, 1].
    pub cooperation_propensity: Param,
    /// Cluster potential score, in [0, 1].
    pub potential: Param,
    /// Most cluster initiatives the sector can hold over the run, named clusters included
    /// (1–1000). Beyond its named clusters, the sector's formation process may form generated
    /// initiatives up to this number. Omitted: the number of named clusters in the sector (no
    /// generated initiatives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_clusters: Option<u64>,
    /// Source id for this sector's figures.
    #[serde(default)]
    pub source: Option<String>,
}

/// One cluster.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    /// Identifier (used in outputs and in fixed shares).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Id of the sector whose SMEs it draws members from.
    pub sector: String,
    /// `operating` (exists at the start) or `forming` (may form during the run).
    pub status: ClusterStatus,
    /// Members at the start (operating clusters only).
    #[serde(default)]
    pub initial_members: u64,
    /// Cooperation links among the initial members (at most m(m-1)/2).
    #[serde(default)]
    pub initial_links: u64,
    /// Founding date of an operating cluster as a decimal year (2009.92 = December 2009). Before
    /// the quarter containing it the cluster has no members, links or money and does not form;
    /// from that quarter on it operates with its initial members and links. Omitted or before
    /// the first funding year: operating from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founded: Option<f64>,
    /// Research fields, matched against valley fields for spillovers.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Science institutions among the cluster's partners (for measures' eligibility; each
    /// matching valley open at an allocation counts as one more). Omitted: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub research_partners: Option<u64>,
    /// Source id for this cluster's figures.
    #[serde(default)]
    pub source: Option<String>,
}

/// Whether a cluster exists at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClusterStatus {
    /// Already operating, with members and links.
    Operating,
    /// Not yet formed; may form by a stochastic formation event.
    Forming,
}

/// An integrated science, studies and business centre.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValleySpec {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// City.
    pub city: String,
    /// Research fields; a cluster sharing any field gets the spillover once the valley is open.
    pub fields: Vec<String>,
    /// Opening year as a decimal year (2012.5 = mid-2012); may be a distribution.
    pub opening_year: Param,
    /// Source id.
    #[serde(default)]
    pub source: Option<String>,
}

/// The allocation policy and the constraints every policy shares.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// The allocation rule.
    pub rule: RuleSpec,
    /// Share of each operating cluster's allocation given as infrastructure funding, in [0, 1].
    #[serde(default = "default_infrastructure_share")]
    pub infrastructure_share: f64,
    /// Share of each year's budget reserved as seed funding for forming clusters, in [0, 1].
    #[serde(default = "default_forming_reserve_share")]
    pub forming_reserve_share: f64,
    /// Minimum share of the distributable budget per operating cluster, in [0, 1].
    #[serde(default)]
    pub floor_share: f64,
    /// Maximum share of the distributable budget per operating cluster, in [0, 1].
    #[serde(default = "default_cap_share")]
    pub cap_share: f64,
    /// Share of each year's budget the policy leaves unallocated and returns at once, in [0, 1]
    /// (0 by default; a policy that spends less, for comparisons).
    #[serde(default)]
    pub unspent_share: f64,
    /// Sector id → relative weight of the sector's forming initiative in the reserve for forming
    /// clusters (non-negative; sectors not listed weigh 1). A sector with weight 0 gets no
    /// formation money.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub formation_weights: BTreeMap<String, f64>,
    /// Source id for the policy's values.
    #[serde(default)]
    pub source: Option<String>,
}

/// A named policy for comparisons.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyVariantSpec {
    /// Name used on the command line (`--policies`) and in outputs: letters, digits, `-`, `_`.
    pub name: String,
    /// What the variant represents.
    #[serde(default)]
    pub description: String,
    /// The policy.
    pub policy: PolicySpec,
}

fn default_infrastructure_share() -> f64 {
    0.5
}
fn default_forming_reserve_share() -> f64 {
    0.1
}
fn default_cap_share() -> f64 {
    1.0
}

/// Allocation rules.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleSpec {
    /// The same amount for every operating cluster.
    Equal,
    /// In proportion to current members.
    ByMembers,
    /// In proportion to the sector's cluster potential (need).
    ByPotential,
    /// Competitive call: proposals of random quality ranked and funded until the money is spent.
    Competitive(CompetitiveSpec),
    /// A base share split equally plus a share by last year's member growth.
    Performance(PerformanceSpec),
    /// Shares set by the analyst.
    Fixed(FixedSpec),
}

impl RuleSpec {
    /// The rule's name as written in scenario files (the same as the checked rule's
    /// [`kind`](super::Rule::kind)).
    pub fn kind(&self) -> &'static str {
        match self {
            RuleSpec::Equal => "equal",
            RuleSpec::ByMembers => "by_members",
            RuleSpec::ByPotential => "by_potential",
            RuleSpec::Competitive(_) => "competitive",
            RuleSpec::Performance(_) => "performance",
            RuleSpec::Fixed(_) => "fixed",
        }
    }
}

/// Parameters of a competitive call.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitiveSpec {
    /// Requested money per member per year (also written `request_per_member`).
    #[serde(default = "default_request_per_member", alias = "request_per_member")]
    pub request_ltl_per_member: f64,
    /// Fixed part of each request per year (also written `request_base`).
    #[serde(default = "default_request_base", alias = "request_base")]
    pub request_base_ltl: f64,
    /// Standard deviation of the random proposal-quality noise added to the sector potential.
    #[serde(default = "default_quality_sd")]
    pub quality_sd: f64,
}

impl Default for CompetitiveSpec {
    fn default() -> Self {
        Self {
            request_ltl_per_member: default_request_per_member(),
            request_base_ltl: default_request_base(),
            quality_sd: default_quality_sd(),
        }
    }
}

fn default_request_per_member() -> f64 {
    60_000.0
}
fn default_request_base() -> f64 {
    1_000_000.0
}
fn default_quality_sd() -> f64 {
    0.2
}

/// Parameters of performance-based tranches.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformanceSpec {
    /// Share of the distributable budget split equally, in [0, 1]; the rest goes by growth.
    #[serde(default = "default_base_share")]
    pub base_share: f64,
}

impl Default for PerformanceSpec {
    fn default() -> Self {
        Self {
            base_share: default_base_share(),
        }
    }
}

fn default_base_share() -> f64 {
    0.5
}

/// Shares set by the analyst.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixedSpec {
    /// Cluster id → share of the distributable budget (non-negative; renormalised over the
    /// clusters operating in a year).
    pub shares: BTreeMap<String, f64>,
    /// What a forming cluster not listed in `shares` gets once it forms: `"none"` (nothing) or a
    /// share (≥ 0) each. Required when such a cluster exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_clusters: Option<LaterClusters>,
}

/// The share of forming clusters not listed in a fixed rule's `shares`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LaterClusters {
    /// `"none"`: they get nothing.
    Nothing(NoShare),
    /// The share each gets once it forms.
    Share(f64),
}

/// The word `"none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoShare {
    /// No share.
    None,
}

/// The model's behavioural parameters, each a number or a distribution.
pub type ModelSpec = ModelParameters<Param>;

/// Run count and seed stored in the scenario (overridden by `--runs` and `--seed`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationSpec {
    /// Number of Monte Carlo runs.
    #[serde(default = "default_runs")]
    pub runs: u64,
    /// Master seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

impl Default for SimulationSpec {
    fn default() -> Self {
        Self {
            runs: default_runs(),
            seed: default_seed(),
        }
    }
}

fn default_runs() -> u64 {
    1000
}
fn default_seed() -> u64 {
    20_070_101
}
