//! The model's behavioural parameters, in one generic struct used twice: as written in the
//! scenario (`ModelParameters<Param>`, each a number or a distribution) and as drawn for one run
//! (`ModelParameters<f64>`). Listing every field once in [`ModelParameters::map`] keeps the two in
//! step; [`PARAMETER_TABLE`] holds each parameter's valid range, unit and default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::distribution::{Distribution, Param};

/// Behavioural parameters of the network model. Units and meanings are in docs/MODEL.md and
/// docs/SCENARIO.md; valid ranges in [`PARAMETER_TABLE`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[serde(bound(deserialize = "T: Deserialize<'de>, ModelParameters<T>: Default"))]
#[schemars(bound = "T: JsonSchema, ModelParameters<T>: Default + Serialize")]
pub struct ModelParameters<T> {
    /// Quarterly joining hazard per unit of sector cooperation propensity.
    pub join_base_rate: T,
    /// Extra quarterly joining hazard from cluster size, reached as size grows.
    pub size_attraction: T,
    /// Members at which the size attraction is half its maximum.
    pub size_half_members: T,
    /// Extra quarterly joining hazard at full funding effect.
    pub join_funding_response: T,
    /// Relative joining and tie-acceptance propensity of sole proprietorships, in [0, 1].
    pub sole_proprietor_factor: T,
    /// Tie attempts per member per quarter without funding.
    pub tie_rate: T,
    /// Relative increase of tie attempts at full funding effect.
    pub tie_funding_response: T,
    /// Share of tie attempts made by triadic closure (the rest by preferential attachment).
    pub triadic_closure_share: T,
    /// Quarterly probability that an unused tie dissolves.
    pub tie_dissolution_rate: T,
    /// Quarterly probability that a tie is used without funding.
    pub tie_use_probability: T,
    /// Quarterly probability that a member exits without funding.
    pub exit_rate: T,
    /// Share of exits prevented at full funding effect.
    pub exit_funding_retention: T,
    /// Quarterly formation hazard of a forming cluster per unit of sector potential.
    pub formation_rate: T,
    /// Relative increase of the formation hazard at full seed-funding effect.
    pub formation_funding_response: T,
    /// Firms in the founding group of a newly formed cluster.
    pub founding_members: T,
    /// Quarters between absorbing infrastructure money and the capital becoming usable.
    pub infrastructure_lag_quarters: T,
    /// Quarterly depreciation rate of infrastructure capital.
    pub infrastructure_depreciation: T,
    /// Share of the activity stock that remains from one quarter to the next.
    pub activity_persistence: T,
    /// Weight of infrastructure capital relative to the activity stock in the funding effect.
    pub infrastructure_weight: T,
    /// Effective funding per member (scenario currency) at which the effect reaches 1 - 1/e.
    #[serde(alias = "saturation_per_member")]
    pub saturation_ltl_per_member: T,
    /// Absorption capacity of a cluster per quarter, fixed part (scenario currency).
    #[serde(alias = "absorption_base")]
    pub absorption_base_ltl: T,
    /// Absorption capacity per member per quarter (scenario currency).
    #[serde(alias = "absorption_per_member")]
    pub absorption_per_member_ltl: T,
    /// Relative increase of joining, tie and formation hazards near an open matching valley.
    pub valley_spillover: T,
    /// Joint projects started per link per quarter without funding.
    pub project_rate: T,
    /// Relative increase of joint projects at full funding effect.
    pub project_funding_response: T,
    /// Added value of an average SME per year (scenario currency).
    #[serde(alias = "added_value_per_sme")]
    pub added_value_per_sme_ltl: T,
    /// Relative uplift in added value of a networked SME over one that is not networked.
    pub networking_uplift: T,
    /// Relative increase of a sector's formation hazard when all its firms are networked members
    /// of its clusters (scaled by the networked share of the sector's firms).
    pub formation_network_response: T,
}

/// Valid range, plausible range, integer flag and unit of one model parameter.
///
/// The valid range is what the model can compute with: a value or a distribution's support
/// outside it is an error. The plausible range is narrower: what a careful analyst would write
/// for this kind of quantity (a quarterly probability well below 1, a relative uplift below
/// 100%); a value outside it is accepted with a warning, because it is more often a slip (a
/// percentage written where a fraction is meant) than a deliberate choice.
#[derive(Debug, Clone, Copy)]
pub struct ParameterInfo {
    /// JSON field name.
    pub name: &'static str,
    /// Smallest valid value (draws are kept at or above it).
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
    /// Whether the valid range is open at 0: a fixed value must be > 0 (`min` is then the
    /// smallest positive value a draw is kept at).
    pub positive: bool,
    /// Smallest plausible value.
    pub plausible_min: f64,
    /// Largest plausible value.
    pub plausible_max: f64,
    /// Whether a draw is rounded to the nearest integer.
    pub integer: bool,
    /// Unit, for documents and reports; money is spelt `LTL` here and written in the
    /// scenario's currency by [`ParameterInfo::unit_in`].
    pub unit: &'static str,
}

impl ParameterInfo {
    /// Whether the parameter is an amount of money (in the scenario's currency).
    pub fn is_money(&self) -> bool {
        self.unit.starts_with("LTL")
    }

    /// The currency-neutral spelling of the name (`saturation_per_member` for
    /// `saturation_ltl_per_member`; other names unchanged), accepted in any scenario and the
    /// only spelling of money parameters outside LTL scenarios.
    pub fn neutral_name(&self) -> String {
        self.name.replacen("_ltl", "", 1)
    }

    /// The name as a scenario in `currency` writes it: the LTL spelling in LTL scenarios, the
    /// neutral one otherwise.
    pub fn name_in(&self, currency: &super::currency::Currency) -> String {
        if currency.code == "LTL" {
            self.name.to_string()
        } else {
            self.neutral_name()
        }
    }

    /// The parameter a file calls `name`, in either spelling.
    pub fn find(name: &str) -> Option<&'static ParameterInfo> {
        PARAMETER_TABLE
            .iter()
            .find(|info| info.name == name || info.neutral_name() == name)
    }

    /// The unit with its currency written as the scenario's (`unit` spells money units with
    /// `LTL`, as the parameter names do).
    pub fn unit_in(&self, currency: &super::currency::Currency) -> String {
        currency.label(self.unit).into_owned()
    }
}

const fn info(
    name: &'static str,
    (min, max): (f64, f64),
    (plausible_min, plausible_max): (f64, f64),
    unit: &'static str,
) -> ParameterInfo {
    ParameterInfo {
        name,
        min,
        max,
        positive: false,
        plausible_min,
        plausible_max,
        integer: false,
        unit,
    }
}

const fn integer(
    name: &'static str,
    valid: (f64, f64),
    plausible: (f64, f64),
    unit: &'static str,
) -> ParameterInfo {
    ParameterInfo {
        integer: true,
        ..info(name, valid, plausible, unit)
    }
}

const fn positive(name: &'static str, plausible: (f64, f64), unit: &'static str) -> ParameterInfo {
    ParameterInfo {
        positive: true,
        ..info(name, (SMALLEST_POSITIVE, INF), plausible, unit)
    }
}

const INF: f64 = f64::INFINITY;

/// The smallest value a parameter that must be positive is drawn at.
const SMALLEST_POSITIVE: f64 = 1e-9;

/// Every model parameter in field order: (valid range), (plausible range), unit.
pub const PARAMETER_TABLE: [ParameterInfo; 28] = [
    info("join_base_rate", (0.0, 10.0), (0.0, 0.25), "per quarter"),
    info("size_attraction", (0.0, 10.0), (0.0, 0.25), "per quarter"),
    positive("size_half_members", (2.0, 1e5), "members"),
    info(
        "join_funding_response",
        (0.0, 10.0),
        (0.0, 0.25),
        "per quarter",
    ),
    info("sole_proprietor_factor", (0.0, 1.0), (0.0, 1.0), "ratio"),
    info(
        "tie_rate",
        (0.0, 100.0),
        (0.0, 5.0),
        "attempts per member per quarter",
    ),
    info("tie_funding_response", (0.0, 100.0), (0.0, 10.0), "ratio"),
    info(
        "triadic_closure_share",
        (0.0, 1.0),
        (0.0, 1.0),
        "probability",
    ),
    info(
        "tie_dissolution_rate",
        (0.0, 1.0),
        (0.0, 0.5),
        "probability per quarter",
    ),
    info(
        "tie_use_probability",
        (0.0, 1.0),
        (0.0, 1.0),
        "probability per quarter",
    ),
    info(
        "exit_rate",
        (0.0, 1.0),
        (0.0, 0.25),
        "probability per quarter",
    ),
    info("exit_funding_retention", (0.0, 1.0), (0.0, 1.0), "share"),
    info("formation_rate", (0.0, 10.0), (0.0, 1.0), "per quarter"),
    info(
        "formation_funding_response",
        (0.0, 100.0),
        (0.0, 10.0),
        "ratio",
    ),
    integer("founding_members", (2.0, 1000.0), (2.0, 100.0), "firms"),
    integer(
        "infrastructure_lag_quarters",
        (0.0, 40.0),
        (0.0, 16.0),
        "quarters",
    ),
    info(
        "infrastructure_depreciation",
        (0.0, 1.0),
        (0.0, 0.1),
        "share per quarter",
    ),
    info(
        "activity_persistence",
        (0.0, 1.0),
        (0.0, 1.0),
        "share per quarter",
    ),
    info("infrastructure_weight", (0.0, 100.0), (0.0, 10.0), "ratio"),
    positive("saturation_ltl_per_member", (1e3, 1e7), "LTL per member"),
    info(
        "absorption_base_ltl",
        (0.0, 1e12),
        (0.0, 1e9),
        "LTL per quarter",
    ),
    info(
        "absorption_per_member_ltl",
        (0.0, 1e12),
        (0.0, 1e8),
        "LTL per member per quarter",
    ),
    info("valley_spillover", (0.0, 100.0), (0.0, 2.0), "ratio"),
    info(
        "project_rate",
        (0.0, 100.0),
        (0.0, 2.0),
        "projects per link per quarter",
    ),
    info(
        "project_funding_response",
        (0.0, 100.0),
        (0.0, 10.0),
        "ratio",
    ),
    info(
        "added_value_per_sme_ltl",
        (0.0, 1e12),
        (1e4, 1e9),
        "LTL per SME per year",
    ),
    info("networking_uplift", (0.0, 10.0), (0.0, 1.0), "ratio"),
    info(
        "formation_network_response",
        (0.0, 1000.0),
        (0.0, 20.0),
        "ratio",
    ),
];

impl ParameterInfo {
    /// The valid range as written in messages, e.g. `[0, 1]` or `(0, ∞)`.
    pub fn valid_range(&self) -> String {
        let low = if self.positive {
            "(0".to_string()
        } else {
            format!("[{}", self.min)
        };
        if self.max.is_infinite() {
            format!("{low}, ∞)")
        } else {
            format!("{low}, {}]", self.max)
        }
    }
}

impl<T> ModelParameters<T> {
    /// Applies `f` to every field in [`PARAMETER_TABLE`] order, building a new struct.
    pub fn map<'a, U, E>(
        &'a self,
        mut f: impl FnMut(&'static ParameterInfo, &'a T) -> Result<U, E>,
    ) -> Result<ModelParameters<U>, E> {
        let t = &PARAMETER_TABLE;
        Ok(ModelParameters {
            join_base_rate: f(&t[0], &self.join_base_rate)?,
            size_attraction: f(&t[1], &self.size_attraction)?,
            size_half_members: f(&t[2], &self.size_half_members)?,
            join_funding_response: f(&t[3], &self.join_funding_response)?,
            sole_proprietor_factor: f(&t[4], &self.sole_proprietor_factor)?,
            tie_rate: f(&t[5], &self.tie_rate)?,
            tie_funding_response: f(&t[6], &self.tie_funding_response)?,
            triadic_closure_share: f(&t[7], &self.triadic_closure_share)?,
            tie_dissolution_rate: f(&t[8], &self.tie_dissolution_rate)?,
            tie_use_probability: f(&t[9], &self.tie_use_probability)?,
            exit_rate: f(&t[10], &self.exit_rate)?,
            exit_funding_retention: f(&t[11], &self.exit_funding_retention)?,
            formation_rate: f(&t[12], &self.formation_rate)?,
            formation_funding_response: f(&t[13], &self.formation_funding_response)?,
            founding_members: f(&t[14], &self.founding_members)?,
            infrastructure_lag_quarters: f(&t[15], &self.infrastructure_lag_quarters)?,
            infrastructure_depreciation: f(&t[16], &self.infrastructure_depreciation)?,
            activity_persistence: f(&t[17], &self.activity_persistence)?,
            infrastructure_weight: f(&t[18], &self.infrastructure_weight)?,
            saturation_ltl_per_member: f(&t[19], &self.saturation_ltl_per_member)?,
            absorption_base_ltl: f(&t[20], &self.absorption_base_ltl)?,
            absorption_per_member_ltl: f(&t[21], &self.absorption_per_member_ltl)?,
            valley_spillover: f(&t[22], &self.valley_spillover)?,
            project_rate: f(&t[23], &self.project_rate)?,
            project_funding_response: f(&t[24], &self.project_funding_response)?,
            added_value_per_sme_ltl: f(&t[25], &self.added_value_per_sme_ltl)?,
            networking_uplift: f(&t[26], &self.networking_uplift)?,
            formation_network_response: f(&t[27], &self.formation_network_response)?,
        })
    }

    /// The fields in [`PARAMETER_TABLE`] order.
    pub fn values(&self) -> Vec<(&'static ParameterInfo, &T)> {
        let mut out = Vec::with_capacity(PARAMETER_TABLE.len());
        let visited = self.map(|info, value| {
            out.push((info, value));
            Ok::<(), std::convert::Infallible>(())
        });
        let _ = visited;
        out
    }
}

impl Default for ModelParameters<Param> {
    fn default() -> Self {
        let fixed = Param::Fixed;
        let triangular = |min, mode, max| {
            Distribution::triangular(min, mode, max)
                .map(Param::Random)
                .unwrap_or(Param::Fixed(mode))
        };
        Self {
            join_base_rate: fixed(0.004),
            size_attraction: fixed(0.0015),
            size_half_members: fixed(50.0),
            join_funding_response: triangular(0.001, 0.003, 0.006),
            sole_proprietor_factor: fixed(0.3),
            tie_rate: fixed(0.1),
            tie_funding_response: triangular(0.5, 1.5, 3.0),
            triadic_closure_share: fixed(0.6),
            tie_dissolution_rate: fixed(0.1),
            tie_use_probability: fixed(0.5),
            exit_rate: fixed(0.01),
            exit_funding_retention: fixed(0.5),
            formation_rate: triangular(0.01, 0.03, 0.06),
            formation_funding_response: fixed(2.0),
            founding_members: fixed(8.0),
            infrastructure_lag_quarters: fixed(4.0),
            infrastructure_depreciation: fixed(0.0125),
            activity_persistence: fixed(0.6),
            infrastructure_weight: fixed(0.1),
            saturation_ltl_per_member: fixed(20_000.0),
            absorption_base_ltl: fixed(150_000.0),
            absorption_per_member_ltl: fixed(15_000.0),
            valley_spillover: fixed(0.3),
            project_rate: fixed(0.02),
            project_funding_response: fixed(1.0),
            added_value_per_sme_ltl: fixed(300_000.0),
            networking_uplift: triangular(0.03, 0.08, 0.15),
            formation_network_response: fixed(0.0),
        }
    }
}
