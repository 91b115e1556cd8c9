//! `networks/run-<i>.svg|png`: the cooperation networks of one exported run at the horizon —
//! clusters as groups, members as points, ties as lines.
//!
//! Layout (deterministic, no iteration): the clusters with members sit on a circle in scenario
//! order, starting at the top and going clockwise, each drawn as a disc whose area is
//! proportional to its members. Inside a disc the members are placed on Vogel's (1979)
//! sunflower spiral — member k of n at radius ∝ √((k + ½)/n) and angle k × 137.5° — in order
//! of degree, highest first, so the hubs sit at the centre and the isolated members at the rim.
//! Ties never cross clusters (every tie is inside one cluster).

use std::f64::consts::PI;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rustc_hash::FxHashMap;

use super::Figure;
use super::style::{self, BLUE, LegendEntry, ORANGE, OTHER, Style, Swatch};
use crate::engine::network_history::NetworkHistory;
use crate::report::table::thousands;
use crate::scenario::Scenario;

/// The golden angle, radians (Vogel 1979).
const GOLDEN_ANGLE: f64 = PI * (3.0 - 2.236_067_977_499_79);

/// One cluster as drawn.
struct Group {
    label: String,
    /// Member positions inside the unit disc, and sole flags.
    members: Vec<((f64, f64), bool)>,
    /// Ties as pairs of indices into `members`.
    ties: Vec<(usize, usize)>,
    /// √(members / members of the largest cluster): the disc's radius relative to the largest.
    weight: f64,
}

/// The picture of one run's networks at the horizon.
pub struct NetworkPicture {
    run: u64,
    horizon_year: i32,
    subtitle: String,
    groups: Vec<Group>,
    members: usize,
    ties: usize,
}

impl NetworkPicture {
    /// Lays out the networks present at the horizon of `history`.
    pub fn new(scenario: &Scenario, history: &NetworkHistory, seed: u64) -> Self {
        let clusters = scenario.clusters.len();
        let mut members: Vec<Vec<(u64, bool)>> = vec![Vec::new(); clusters];
        for member in history.members_at_horizon() {
            members[member.cluster].push((member.firm, member.sole));
        }
        let mut ties: Vec<Vec<[u64; 2]>> = vec![Vec::new(); clusters];
        for tie in history.ties_at_horizon() {
            ties[tie.cluster].push(tie.ends);
        }
        let shown: Vec<usize> = (0..clusters).filter(|c| !members[*c].is_empty()).collect();
        let largest = shown.iter().map(|c| members[*c].len()).max().unwrap_or(1) as f64;
        let groups = shown
            .iter()
            .map(|&cluster| {
                let mut group = layout_group(
                    scenario.clusters[cluster].id.clone(),
                    &members[cluster],
                    &ties[cluster],
                );
                group.weight = (members[cluster].len() as f64 / largest).sqrt();
                group
            })
            .collect();
        Self {
            run: history.run,
            horizon_year: scenario.budget.horizon_year,
            subtitle: format!(
                "Scenario {} · run {} · seed {seed} · clusters on a ring, disc area proportional \
                 to members; members on a sunflower spiral, most ties at the centre",
                scenario.name, history.run
            ),
            groups,
            members: history.members_at_horizon().count(),
            ties: history.ties_at_horizon().count(),
        }
    }

    /// Disc centres on an ellipse `ring` (x and y radii, pixels) around the origin, clockwise
    /// from the top, and the largest disc's radius: as large as leaves neighbouring discs 10% of
    /// their centres' distance apart, and at most 40% of the ring's height.
    fn centres(&self, ring: (f64, f64)) -> (Vec<(f64, f64)>, f64) {
        let count = self.groups.len();
        if count == 1 {
            return (vec![(0.0, 0.0)], ring.1 * 0.9);
        }
        let centres: Vec<(f64, f64)> = (0..count)
            .map(|position| {
                let angle = PI / 2.0 - 2.0 * PI * position as f64 / count as f64;
                (ring.0 * angle.cos(), ring.1 * angle.sin())
            })
            .collect();
        let largest = (0..count)
            .map(|i| {
                let j = (i + 1) % count;
                let (a, b) = (centres[i], centres[j]);
                0.9 * (a.0 - b.0).hypot(a.1 - b.1) / (self.groups[i].weight + self.groups[j].weight)
            })
            .fold(ring.1 * 0.4, f64::min);
        (centres, largest)
    }
}

/// Places one cluster's members on the sunflower spiral in the unit disc, highest degree first.
fn layout_group(id: String, members: &[(u64, bool)], ties: &[[u64; 2]]) -> Group {
    let index: FxHashMap<u64, usize> = members
        .iter()
        .enumerate()
        .map(|(position, (firm, _))| (*firm, position))
        .collect();
    let index_of = |firm: u64| index.get(&firm).copied();
    let mut degree = vec![0usize; members.len()];
    let ends: Vec<(usize, usize)> = ties
        .iter()
        .filter_map(|[a, b]| Some((index_of(*a)?, index_of(*b)?)))
        .collect();
    for &(a, b) in &ends {
        degree[a] += 1;
        degree[b] += 1;
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        degree[b]
            .cmp(&degree[a])
            .then(members[a].0.cmp(&members[b].0))
    });
    let mut positions = vec![(0.0, 0.0); members.len()];
    let n = members.len() as f64;
    for (rank, &member) in order.iter().enumerate() {
        let r = ((rank as f64 + 0.5) / n).sqrt();
        let angle = rank as f64 * GOLDEN_ANGLE;
        positions[member] = (r * angle.cos(), r * angle.sin());
    }
    Group {
        label: format!("{id} ({})", thousands(members.len() as f64, 0)),
        members: positions
            .into_iter()
            .zip(members.iter().map(|(_, sole)| *sole))
            .collect(),
        ties: ends,
        weight: 1.0,
    }
}

impl Figure for NetworkPicture {
    fn name(&self) -> String {
        format!("run-{}", self.run)
    }

    fn title(&self) -> String {
        format!(
            "Cooperation networks of run {} at the end of {}",
            self.run, self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "{} members and {} cooperation ties in {} clusters at the horizon; each cluster is a \
             disc labelled with its id and members, sole proprietors in orange, other members in \
             blue, ties as grey lines.",
            thousands(self.members as f64, 0),
            thousands(self.ties as f64, 0),
            self.groups.len()
        )
    }

    fn draw<DB: style::Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let fill = |color, label: &str| {
            LegendEntry::new(
                Swatch::Fill {
                    color,
                    outline: None,
                },
                label,
            )
        };
        let legend = [
            fill(BLUE, "Member (not a sole proprietor)"),
            fill(ORANGE, "Sole proprietor"),
            LegendEntry::new(
                Swatch::Line {
                    color: OTHER,
                    width: 2.0,
                    dashed: false,
                },
                "Cooperation tie",
            ),
        ];
        let body = style::frame(root, style, &self.title(), &self.subtitle, &legend)?;
        if self.groups.is_empty() {
            return style::notice(&body, style, "No cluster has members at the horizon.");
        }
        let (width, height) = body.dim_in_pixel();
        let (width, height) = (f64::from(width), f64::from(height));
        // Room for the labels around the ring.
        let ring = (
            (width / 2.0 - f64::from(style.px(330.0))).max(height * 0.3),
            height / 2.0 - f64::from(style.px(70.0)),
        );
        let (centres, largest) = self.centres(ring);
        let origin = (width / 2.0, height / 2.0);
        let at =
            |(x, y): (f64, f64)| ((origin.0 + x).round() as i32, (origin.1 - y).round() as i32);
        let tie_style = RGBColor(0x70, 0x70, 0x70)
            .mix(0.6)
            .stroke_width(style.upx(1.0));
        let discs: Vec<((f64, f64), f64)> = centres
            .iter()
            .zip(&self.groups)
            .map(|(centre, group)| (*centre, largest * group.weight))
            .collect();
        let place = |disc: &((f64, f64), f64), (x, y): (f64, f64)| {
            (disc.0.0 + disc.1 * x, disc.0.1 + disc.1 * y)
        };
        for (group, disc) in self.groups.iter().zip(&discs) {
            // Dots about half the spacing of the spiral's points (≈ 1.8 r/√n).
            let dot = (0.45 * disc.1 / (group.members.len() as f64).sqrt())
                .clamp(f64::from(style.px(1.2)), f64::from(style.px(4.0)));
            body.draw(&Circle::new(
                at(disc.0),
                (disc.1 + dot).round() as i32,
                RGBColor(0xF2, 0xF2, 0xF2).filled(),
            ))?;
            for &(a, b) in &group.ties {
                body.draw(&PathElement::new(
                    vec![
                        at(place(disc, group.members[a].0)),
                        at(place(disc, group.members[b].0)),
                    ],
                    tie_style,
                ))?;
            }
            for &(position, sole) in &group.members {
                let color = if sole { ORANGE } else { BLUE };
                body.draw(&Circle::new(
                    at(place(disc, position)),
                    dot.round() as i32,
                    color.filled(),
                ))?;
            }
        }
        for (group, (centre, radius)) in self.groups.iter().zip(&discs) {
            let (x, y) = *centre;
            let distance = x.hypot(y);
            let (dx, dy) = if distance > 0.0 {
                (x / distance, y / distance)
            } else {
                (0.0, -1.0)
            };
            let gap = radius + f64::from(style.px(10.0));
            let horizontal = if dx > 0.35 {
                HPos::Left
            } else if dx < -0.35 {
                HPos::Right
            } else {
                HPos::Center
            };
            let vertical = if dy > 0.35 {
                VPos::Bottom
            } else if dy < -0.35 {
                VPos::Top
            } else {
                VPos::Center
            };
            let font = style.annotation_font().pos(Pos::new(horizontal, vertical));
            style::text(
                &body,
                style,
                &group.label,
                at((x + dx * gap, y + dy * gap)),
                &font,
            )?;
        }
        Ok(())
    }
}
