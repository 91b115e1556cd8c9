//! Checked allocation policies: the scenario's policy, its named variants, and the names
//! `clustersim compare --policies` accepts (a rule kind with the scenario's policy settings, or a
//! variant's name).

use std::collections::BTreeMap;

use super::json_path::JsonPath;
use super::plan::{MAX_MONEY, Problem, Scenario, check_unit_share, list_or_none};
use super::spec::{
    CompetitiveSpec, LaterClusters, PerformanceSpec, PolicySpec, PolicyVariantSpec, RuleSpec,
    ScenarioFile,
};

/// A checked allocation policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The rule.
    pub rule: Rule,
    /// Infrastructure share of operating clusters' allocations.
    pub infrastructure_share: f64,
    /// Share of each year's budget reserved for forming clusters.
    pub forming_reserve_share: f64,
    /// Floor per operating cluster, as a share of the distributable budget.
    pub floor_share: f64,
    /// Cap per operating cluster, as a share of the distributable budget.
    pub cap_share: f64,
    /// Share of each year's budget left unallocated and returned at once.
    pub unspent_share: f64,
    /// Relative weight of each sector's forming initiative in the reserve, by sector index.
    pub formation_weights: Vec<f64>,
}

/// A checked allocation rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Equal split.
    Equal,
    /// Proportional to members.
    ByMembers,
    /// Proportional to sector potential.
    ByPotential,
    /// Competitive call.
    Competitive {
        /// LTL requested per member per year.
        request_ltl_per_member: f64,
        /// Fixed LTL per request.
        request_base_ltl: f64,
        /// Quality noise sd.
        quality_sd: f64,
    },
    /// Performance-based tranches.
    Performance {
        /// Share split equally.
        base_share: f64,
    },
    /// Fixed shares, one per cluster (0 for clusters not listed).
    Fixed {
        /// Shares by cluster index.
        shares: Vec<f64>,
    },
}

impl Rule {
    /// The rule's name as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Equal => "equal",
            Rule::ByMembers => "by_members",
            Rule::ByPotential => "by_potential",
            Rule::Competitive { .. } => "competitive",
            Rule::Performance { .. } => "performance",
            Rule::Fixed { .. } => "fixed",
        }
    }
}

/// Rule kinds in the order `compare` lists them; each is also a policy name (see
/// [`Scenario::resolve_policy`]).
pub const RULE_KINDS: [&str; 6] = [
    "equal",
    "by_members",
    "by_potential",
    "competitive",
    "performance",
    "fixed",
];

/// A policy with the name it goes by in comparisons.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    /// Name on the command line and in outputs.
    pub name: String,
    /// What it represents (may be empty).
    pub description: String,
    /// The checked policy.
    pub policy: Policy,
}

/// What checking a policy needs to know about the scenario's clusters.
pub(super) struct PolicyContext<'a> {
    /// Cluster id → index.
    pub cluster_index: &'a BTreeMap<String, usize>,
    /// Cluster ids in file order (for messages).
    pub cluster_ids: &'a [String],
    /// Number of clusters.
    pub cluster_count: usize,
    /// Clusters operating at the start.
    pub operating_at_start: usize,
    /// Whether each cluster is forming at the start (may form later), by index.
    pub forming: &'a [bool],
    /// Sector id → index.
    pub sector_index: &'a BTreeMap<String, usize>,
    /// Sector ids in file order (for messages).
    pub sector_ids: &'a [String],
}

impl PolicyContext<'_> {
    /// Checks one policy written at `path`, pushing every problem; returns the policy as far as
    /// it could be built (only used when no problem was found).
    pub fn check(&self, spec: &PolicySpec, path: JsonPath, problems: &mut Vec<Problem>) -> Policy {
        for (key, value) in [
            ("infrastructure_share", spec.infrastructure_share),
            ("forming_reserve_share", spec.forming_reserve_share),
            ("floor_share", spec.floor_share),
            ("cap_share", spec.cap_share),
            ("unspent_share", spec.unspent_share),
        ] {
            check_unit_share(problems, path.key(key), value);
        }
        if spec.floor_share > spec.cap_share {
            problems.push(Problem {
                path: path.key("floor_share"),
                message: format!(
                    "floor_share {} is above cap_share {}; the floor must not exceed the cap",
                    spec.floor_share, spec.cap_share
                ),
            });
        } else if spec.floor_share * self.cluster_count as f64 > 1.0 + 1e-12 {
            problems.push(Problem {
            path: path.key("floor_share"),
            message: format!(
                "floors cannot all be met: floor_share {} × {} clusters > 1; use floor_share ≤ {:.6}",
                spec.floor_share,
                self.cluster_count,
                1.0 / self.cluster_count as f64
            ),
        });
        }
        // Operating clusters never stop operating, so the fewest that ever share the
        // distributable budget is the number operating at the start (or a single newly formed
        // one when none operates at the start).
        let fewest_operating = self.operating_at_start.max(1);
        if spec.cap_share * (fewest_operating as f64) < 1.0 - 1e-12 {
            problems.push(Problem {
            path: path.key("cap_share"),
            message: format!(
                "caps cannot all be met: cap_share {} × {fewest_operating} operating cluster(s) at the start < 1, so the budget could not be spent; use cap_share ≥ {:.6}",
                spec.cap_share,
                1.0 / fewest_operating as f64
            ),
        });
        }
        let rule_path = path.key("rule");
        let rule = match &spec.rule {
            RuleSpec::Equal => Rule::Equal,
            RuleSpec::ByMembers => Rule::ByMembers,
            RuleSpec::ByPotential => Rule::ByPotential,
            RuleSpec::Competitive(competitive) => {
                let rule_path = rule_path.key("competitive");
                for (key, value) in [
                    ("request_ltl_per_member", competitive.request_ltl_per_member),
                    ("request_base_ltl", competitive.request_base_ltl),
                    ("quality_sd", competitive.quality_sd),
                ] {
                    if !(value.is_finite() && (0.0..=MAX_MONEY).contains(&value)) {
                        problems.push(Problem {
                            path: rule_path.key(key),
                            message: format!("a finite number ≥ 0 is expected (got {value})"),
                        });
                    }
                }
                if competitive.request_ltl_per_member + competitive.request_base_ltl <= 0.0 {
                    problems.push(Problem {
                    path: rule_path.key("request_base_ltl"),
                    message: "requests would all be zero; make request_base_ltl or request_ltl_per_member positive".into(),
                });
                }
                Rule::Competitive {
                    request_ltl_per_member: competitive.request_ltl_per_member,
                    request_base_ltl: competitive.request_base_ltl,
                    quality_sd: competitive.quality_sd,
                }
            }
            RuleSpec::Performance(performance) => {
                check_unit_share(
                    problems,
                    rule_path.key("performance").key("base_share"),
                    performance.base_share,
                );
                Rule::Performance {
                    base_share: performance.base_share,
                }
            }
            RuleSpec::Fixed(fixed) => {
                let shares_path = rule_path.key("fixed").key("shares");
                let mut shares = vec![0.0; self.cluster_count];
                for (id, share) in &fixed.shares {
                    if !(share.is_finite() && *share >= 0.0) {
                        problems.push(Problem {
                            path: shares_path.key(id.clone()),
                            message: format!("a share must be a finite number ≥ 0 (got {share})"),
                        });
                    }
                    match self.cluster_index.get(id) {
                        Some(&index) => shares[index] = *share,
                        None => problems.push(Problem {
                            path: shares_path.key(id.clone()),
                            message: format!(
                                "unknown cluster '{id}'; valid: {}",
                                list_or_none(self.cluster_ids)
                            ),
                        }),
                    }
                }
                let fixed_path = rule_path.key("fixed");
                let unlisted: Vec<usize> = (0..self.cluster_count)
                    .filter(|&index| {
                        self.forming.get(index).copied().unwrap_or(false)
                            && !fixed.shares.contains_key(&self.cluster_ids[index])
                    })
                    .collect();
                match fixed.later_clusters {
                    Some(LaterClusters::Share(share)) => {
                        if share.is_finite() && share >= 0.0 {
                            for &index in &unlisted {
                                shares[index] = share;
                            }
                        } else {
                            problems.push(Problem {
                                path: fixed_path.key("later_clusters"),
                                message: format!(
                                    "a share must be a finite number ≥ 0, or \"none\" (got {share})"
                                ),
                            });
                        }
                    }
                    Some(LaterClusters::Nothing(_)) => {}
                    None if !unlisted.is_empty() => {
                        let names: Vec<&str> = unlisted
                            .iter()
                            .map(|&index| self.cluster_ids[index].as_str())
                            .collect();
                        problems.push(Problem {
                            path: fixed_path.clone(),
                            message: format!(
                                "clusters that may form later have no share: {}; list them in \
                                 shares, or add \"later_clusters\": a share each gets once it \
                                 forms (e.g. 0.1), or \"later_clusters\": \"none\" to give them \
                                 nothing",
                                names.join(", ")
                            ),
                        });
                    }
                    None => {}
                }
                if shares.iter().all(|share| *share <= 0.0) {
                    problems.push(Problem {
                        path: shares_path,
                        message: "at least one cluster needs a positive share".into(),
                    });
                }
                Rule::Fixed { shares }
            }
        };

        let mut formation_weights = vec![1.0; self.sector_ids.len()];
        let weights_path = path.key("formation_weights");
        for (id, weight) in &spec.formation_weights {
            if !(weight.is_finite() && *weight >= 0.0) {
                problems.push(Problem {
                    path: weights_path.key(id.clone()),
                    message: format!("a weight must be a finite number ≥ 0 (got {weight})"),
                });
            }
            match self.sector_index.get(id) {
                Some(&index) => formation_weights[index] = *weight,
                None => problems.push(Problem {
                    path: weights_path.key(id.clone()),
                    message: format!(
                        "unknown sector '{id}'; valid: {}",
                        list_or_none(self.sector_ids)
                    ),
                }),
            }
        }

        Policy {
            rule,
            formation_weights,
            infrastructure_share: spec.infrastructure_share,
            forming_reserve_share: spec.forming_reserve_share,
            floor_share: spec.floor_share,
            cap_share: spec.cap_share,
            unspent_share: spec.unspent_share,
        }
    }

    /// Checks the named variants: valid, unique names that are not rule kinds, and valid policies.
    pub fn check_variants(
        &self,
        specs: &[PolicyVariantSpec],
        root: &JsonPath,
        problems: &mut Vec<Problem>,
    ) -> Vec<NamedPolicy> {
        let variants_path = root.key("policy_variants");
        let mut seen = BTreeMap::new();
        let mut variants = Vec::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            let path = variants_path.index(index);
            let name = spec.name.as_str();
            if name.is_empty()
                || name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                problems.push(Problem {
                    path: path.key("name"),
                    message: format!(
                        "invalid policy name '{name}'; use 1 to 64 letters, digits, '-' or '_'"
                    ),
                });
            } else if rule_kind(name).is_some() {
                problems.push(Problem {
                    path: path.key("name"),
                    message: format!(
                        "'{name}' names a rule kind, which already stands for the scenario's policy with that rule; choose another name (e.g. '{name}-variant')"
                    ),
                });
            } else if let Some(first) = seen.insert(name.to_string(), index) {
                problems.push(Problem {
                    path: path.key("name"),
                    message: format!(
                        "duplicate policy name '{name}' (also policy_variants[{first}]); names must be unique"
                    ),
                });
            }
            let policy = self.check(&spec.policy, path.key("policy"), problems);
            variants.push(NamedPolicy {
                name: spec.name.clone(),
                description: spec.description.clone(),
                policy,
            });
        }
        variants
    }
}

/// The rule kind a policy name stands for (`by-members` and `by_members` both mean `by_members`).
fn rule_kind(name: &str) -> Option<&'static str> {
    let normalised = name.replace('-', "_");
    RULE_KINDS.into_iter().find(|kind| *kind == normalised)
}

impl Scenario {
    /// The scenario's own policy, named by its rule kind.
    pub fn main_policy(&self) -> NamedPolicy {
        NamedPolicy {
            name: self.policy.rule.kind().to_string(),
            description: "the scenario's policy".into(),
            policy: self.policy.clone(),
        }
    }

    /// The policies the scenario defines, in order: its own policy (named by its rule kind), then
    /// every variant. `compare` compares these when `--policies` is not given.
    pub fn defined_policies(&self) -> Vec<NamedPolicy> {
        let mut policies = vec![self.main_policy()];
        policies.extend(self.policy_variants.iter().cloned());
        policies
    }

    /// Every name [`Scenario::resolve_policy`] accepts, for messages.
    pub fn policy_names(&self) -> Vec<String> {
        RULE_KINDS
            .iter()
            .map(|kind| kind.to_string())
            .chain(self.policy_variants.iter().map(|v| v.name.clone()))
            .collect()
    }

    /// The policy a name stands for: a variant's name, or a rule kind, meaning the scenario's
    /// policy (floors, caps, splits, reserve, unspent share) with that rule. A kind equal to the
    /// scenario's own rule is exactly the scenario's policy; `competitive` and `performance`
    /// otherwise take their default parameters; `fixed` needs shares, so only the scenario's own
    /// fixed policy or a variant can provide it.
    pub fn resolve_policy(&self, name: &str) -> Result<NamedPolicy, String> {
        if let Some(variant) = self.policy_variants.iter().find(|v| v.name == name) {
            return Ok(variant.clone());
        }
        let Some(kind) = rule_kind(name) else {
            return Err(format!(
                "unknown policy '{name}'; valid: {}",
                self.policy_names().join(", ")
            ));
        };
        let spec = policy_spec_for(&self.file, kind).ok_or_else(|| {
            format!(
                "policy '{name}' needs shares per cluster, and the scenario's policy is not a fixed-shares policy; define a policy variant with \"rule\": {{\"fixed\": {{\"shares\": {{…}}}}}} in policy_variants"
            )
        })?;
        Ok(NamedPolicy {
            name: kind.to_string(),
            description: if kind == self.policy.rule.kind() {
                "the scenario's policy".into()
            } else {
                format!("the scenario's policy with the {kind} rule")
            },
            policy: self.check_policy(&spec)?,
        })
    }

    /// Checks `spec` against this scenario's clusters exactly as the loader checks `policy`.
    fn check_policy(&self, spec: &PolicySpec) -> Result<Policy, String> {
        let cluster_ids: Vec<String> = self.clusters.iter().map(|c| c.id.clone()).collect();
        let cluster_index: BTreeMap<String, usize> = cluster_ids
            .iter()
            .enumerate()
            .map(|(index, id)| (id.clone(), index))
            .collect();
        let forming: Vec<bool> = self
            .clusters
            .iter()
            .map(|c| c.status == super::ClusterStatus::Forming)
            .collect();
        let sector_ids: Vec<String> = self.sectors.iter().map(|s| s.id.clone()).collect();
        let sector_index: BTreeMap<String, usize> = sector_ids
            .iter()
            .enumerate()
            .map(|(index, id)| (id.clone(), index))
            .collect();
        let context = PolicyContext {
            sector_index: &sector_index,
            sector_ids: &sector_ids,
            cluster_index: &cluster_index,
            cluster_ids: &cluster_ids,
            cluster_count: self.clusters.len(),
            operating_at_start: self
                .clusters
                .iter()
                .filter(|c| c.status == super::ClusterStatus::Operating)
                .count(),
            forming: &forming,
        };
        let mut problems = Vec::new();
        let policy = context.check(spec, JsonPath::root().key("policy"), &mut problems);
        match problems.first() {
            None => Ok(policy),
            Some(problem) => Err(format!("{}: {}", problem.path, problem.message)),
        }
    }
}

impl Policy {
    /// One line describing the policy: its rule with parameters and the shared settings
    /// (`clusters` names the clusters of fixed shares); money is written "LTL", which callers
    /// write in the scenario's currency with [`Currency::label`](super::currency::Currency::label).
    pub fn describe(&self, clusters: &[super::Cluster]) -> String {
        let rule = match &self.rule {
            Rule::Competitive {
                request_ltl_per_member,
                request_base_ltl,
                quality_sd,
            } => format!(
                "competitive (request LTL {} + {} per member; quality sd {quality_sd})",
                crate::report::table::thousands(*request_base_ltl, 0),
                crate::report::table::thousands(*request_ltl_per_member, 0)
            ),
            Rule::Performance { base_share } => format!("performance (base share {base_share})"),
            Rule::Fixed { shares } => {
                let without: Vec<&str> = clusters
                    .iter()
                    .zip(shares)
                    .filter(|(cluster, share)| {
                        **share <= 0.0 && cluster.status == super::ClusterStatus::Forming
                    })
                    .map(|(cluster, _)| cluster.id.as_str())
                    .collect();
                format!(
                    "fixed ({}){}",
                    clusters
                        .iter()
                        .zip(shares)
                        .filter(|(_, share)| **share > 0.0)
                        .map(|(cluster, share)| format!("{} {share}", cluster.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if without.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; clusters that form later get nothing: {}",
                            without.join(", ")
                        )
                    }
                )
            }
            other => other.kind().to_string(),
        };
        let unspent = if self.unspent_share > 0.0 {
            format!("; unspent share {}", self.unspent_share)
        } else {
            String::new()
        };
        format!(
            "{rule}; infrastructure share {}; forming reserve {}; floor {}; cap {}{unspent}",
            self.infrastructure_share, self.forming_reserve_share, self.floor_share, self.cap_share
        )
    }
}

/// The policy a name stands for, as written in the file (see [`Scenario::resolve_policy`]):
/// a variant's `policy`, or the file's `policy` with the rule of that kind (its own parameters
/// if the kind matches, otherwise the rule's defaults). None for an unknown name, and for
/// `fixed` when the file's policy is not fixed.
pub fn policy_spec_for(file: &ScenarioFile, name: &str) -> Option<PolicySpec> {
    if let Some(variant) = file.policy_variants.iter().find(|v| v.name == name) {
        return Some(variant.policy.clone());
    }
    let kind = rule_kind(name)?;
    let rule = if kind == file.policy.rule.kind() {
        file.policy.rule.clone()
    } else {
        match kind {
            "equal" => RuleSpec::Equal,
            "by_members" => RuleSpec::ByMembers,
            "by_potential" => RuleSpec::ByPotential,
            "competitive" => RuleSpec::Competitive(CompetitiveSpec::default()),
            "performance" => RuleSpec::Performance(PerformanceSpec::default()),
            _ => return None,
        }
    };
    Some(PolicySpec {
        rule,
        ..file.policy.clone()
    })
}
