//! `additional-by-cluster`: what the funding added in each cluster at the horizon and what it
//! cost. Left, the mean additional networked SMEs (funded minus the same cluster in the same run
//! without funding) with a whisker from the 5th to the 95th percentile over runs; right, the
//! mean cost per additional networked SME (money absorbed ÷ additional networked SMEs, over the
//! runs where the cluster gained at least one). Named clusters in the scenario's order, top to
//! bottom; generated initiatives (up to dozens per scenario) would not fit one row each and are
//! left to `summary.csv`, the report's table and the totals.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::compare_style::{category, category_axis};
use super::data;
use super::plot::{self, Labels};
use super::style::{
    self, AXIS, BLUISH_GREEN, Backend, INK, LegendEntry, Style, Swatch, VERMILLION, fit_text, tint,
};
use crate::report::additions::{ClusterAddition, by_cluster};
use crate::report::results::ResultSet;

/// Half the height of a bar, in category units.
const HALF_BAR: f64 = 0.32;

/// The per-cluster chart of additional networked SMEs and their cost.
pub struct AdditionalByCluster {
    clusters: Vec<ClusterAddition>,
    horizon_year: i32,
    subtitle: String,
    currency: &'static str,
}

impl AdditionalByCluster {
    /// Takes the per-cluster outcomes at the horizon out of `results`.
    pub fn new(results: &ResultSet) -> Self {
        let generated: Vec<&str> = results
            .scenario
            .clusters
            .iter()
            .filter(|cluster| cluster.generated)
            .map(|cluster| cluster.id.as_str())
            .collect();
        Self {
            clusters: by_cluster(results)
                .into_iter()
                .filter(|cluster| !generated.contains(&cluster.id.as_str()))
                .collect(),
            horizon_year: results.scenario.budget.horizon_year,
            subtitle: data::provenance(results),
            currency: results.scenario.currency.code,
        }
    }
}

impl Figure for AdditionalByCluster {
    fn name(&self) -> String {
        "additional-by-cluster".to_string()
    }

    fn title(&self) -> String {
        format!(
            "What the funding added in each cluster by the end of {}",
            self.horizon_year
        )
    }

    fn description(&self) -> String {
        format!(
            "Two panels, one row per named cluster ({} clusters, in the scenario's order; \
             generated initiatives are in summary.csv and the totals): left, bars \
             of the mean additional networked SMEs (with funding minus the same cluster in the \
             same run without funding) with whiskers from the 5th to the 95th percentile over \
             runs; right, bars of the mean cost per additional networked SME in {} over the \
             runs where the cluster gained at least one.",
            self.clusters.len(),
            self.currency
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let legend = [
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(BLUISH_GREEN, 0.7),
                    outline: Some(AXIS),
                },
                "Mean additional networked SMEs",
            ),
            LegendEntry::new(
                Swatch::Line {
                    color: INK,
                    width: 3.0,
                    dashed: false,
                },
                "5th–95th percentile over runs",
            ),
            LegendEntry::new(
                Swatch::Fill {
                    color: tint(VERMILLION, 0.7),
                    outline: Some(AXIS),
                },
                "Mean cost per additional networked SME",
            ),
        ];
        let subtitle = format!(
            "{} · additional = with funding minus the same run without it · cost = money \
             absorbed ÷ additional networked SMEs",
            self.subtitle
        );
        let body = style::frame(root, style, &self.title(), &subtitle, &legend)?;
        if self.clusters.is_empty() {
            return style::notice(
                &body,
                style,
                "This result has no per-cluster additional outcomes.",
            );
        }
        let (width, _) = body.dim_in_pixel();
        let names_width = (f64::from(width) * 0.26) as u32;
        let font = style.tick_font();
        let names: Vec<String> = self
            .clusters
            .iter()
            .map(|cluster| fit_text(&body, &cluster.name, &font, names_width))
            .collect::<anyhow::Result<_>>()?;
        let split = names_width as i32 + (f64::from(width - names_width) * 0.5) as i32;
        let (left, right) = body.split_horizontally(split);
        let count = self.clusters.len();
        let y = category_axis(count);

        let low = self
            .clusters
            .iter()
            .filter_map(|c| c.networked_interval.0)
            .fold(0.0, f64::min);
        let high = self
            .clusters
            .iter()
            .map(|c| {
                c.networked_interval
                    .1
                    .unwrap_or(c.networked)
                    .max(c.networked)
            })
            .fold(0.0, f64::max);
        let x = Axis::linear(low, high * 1.05, 5, true);
        let labels = Labels {
            x_grid: true,
            y_label_width: Some(names_width),
            ..Labels::new("Additional networked SMEs (firms)", "")
        };
        let mut chart = plot::build(&left, style, &x, &y, &labels)?;
        plot::draw_mesh(&left, &mut chart, style, &x, &y, &labels)?;
        let whisker = INK.stroke_width(style.upx(3.0));
        for (index, (cluster, name)) in self.clusters.iter().zip(&names).enumerate() {
            let row = category(index, count);
            let corners = [
                plot::local(&left, &chart, (0.0, row + HALF_BAR)),
                plot::local(&left, &chart, (cluster.networked, row - HALF_BAR)),
            ];
            left.draw(&Rectangle::new(corners, tint(BLUISH_GREEN, 0.7).filled()))?;
            left.draw(&Rectangle::new(corners, AXIS.stroke_width(1)))?;
            if let (Some(p5), Some(p95)) = cluster.networked_interval {
                let a = plot::local(&left, &chart, (p5, row));
                let b = plot::local(&left, &chart, (p95, row));
                left.draw(&PathElement::new(vec![a, b], whisker))?;
            }
            let (x_pixel, y_pixel) = plot::local(&left, &chart, (x.min, row));
            let anchored = font.pos(Pos::new(HPos::Right, VPos::Center));
            style::text(
                &left,
                style,
                name,
                (x_pixel - style.px(10.0), y_pixel),
                &anchored,
            )?;
        }

        let top = self
            .clusters
            .iter()
            .filter_map(|c| c.cost)
            .fold(0.0, f64::max);
        let x = Axis::linear(0.0, top * 1.05, 4, false);
        let x_title = format!("Cost per additional networked SME ({})", self.currency);
        let labels = Labels {
            x_grid: true,
            y_label_width: Some(style.upx(4.0)),
            ..Labels::new(&x_title, "")
        };
        let mut chart = plot::build(&right, style, &x, &y, &labels)?;
        plot::draw_mesh(&right, &mut chart, style, &x, &y, &labels)?;
        for (index, cluster) in self.clusters.iter().enumerate() {
            let Some(cost) = cluster.cost else {
                continue;
            };
            let row = category(index, count);
            let corners = [
                plot::local(&right, &chart, (0.0, row + HALF_BAR)),
                plot::local(&right, &chart, (cost, row - HALF_BAR)),
            ];
            right.draw(&Rectangle::new(corners, tint(VERMILLION, 0.7).filled()))?;
            right.draw(&Rectangle::new(corners, AXIS.stroke_width(1)))?;
        }
        Ok(())
    }
}
