//! `allocations-by-cluster` (stacked bars of the money allocated per year by cluster) and
//! `allocations-flows` (allocated, absorbed, carried over and returned per year). Amounts are
//! means over runs in millions of the scenario's currency, with a second axis in millions of the
//! second currency at its fixed rate when the scenario shows one (EUR beside LTL).

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Figure;
use super::axis::Axis;
use super::data;
use super::plot::{self, Labels, Plot};
use super::style::{
    self, AXIS, BLUE, BLUISH_GREEN, Backend, INK, LegendEntry, ORANGE, OTHER, REDDISH_PURPLE,
    SKY_BLUE, Style, Swatch, VERMILLION, YELLOW,
};
use crate::report::results::ResultSet;
use crate::scenario::currency::{Currency, SecondCurrency};

/// Clusters shown individually in the stacked bars when there are more than
/// [`STACK_COLORS`] clusters; the rest are then summed as "Other clusters".
pub const STACKED_CLUSTERS: usize = 7;

/// Colours of the stacked segments from the bottom, ordered so that neighbours alternate dark
/// and light and stay apart in grey (grey levels 94, 219, 112, 164, 121, 163, 142, 0; other
/// 176): the whole Okabe–Ito palette, so up to eight clusters each get their own colour.
const STACK_COLORS: [RGBColor; STACKED_CLUSTERS + 1] = [
    BLUE,
    YELLOW,
    VERMILLION,
    SKY_BLUE,
    BLUISH_GREEN,
    ORANGE,
    REDDISH_PURPLE,
    INK,
];

const MILLION: f64 = 1e6;

/// Legend label of the carried balance in `allocations-flows`.
const CARRIED_LABEL: &str = "Carried over to the next year (balance at year end, lower panel)";

/// Funding years: the scenario's, plus any other year in the table, ascending.
fn years(results: &ResultSet) -> Vec<i32> {
    let budget = &results.scenario.budget;
    let mut years: BTreeSet<i32> = (budget.first_year..=budget.last_year).collect();
    years.extend(results.allocations.iter().map(|row| row.year));
    years.into_iter().collect()
}

/// Mean amount of `quantity` per year (summed over instruments and the clusters `keep` accepts).
fn yearly(
    results: &ResultSet,
    years: &[i32],
    quantity: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<f64> {
    let mut totals = vec![0.0; years.len()];
    for row in &results.allocations {
        if row.quantity != quantity || !keep(&row.cluster) {
            continue;
        }
        if let (Ok(index), Some(mean)) = (years.binary_search(&row.year), row.mean) {
            totals[index] += mean;
        }
    }
    totals
}

/// One bar series: label, colour and amount per year (scenario currency).
#[derive(Clone)]
struct Series {
    label: String,
    color: RGBColor,
    ltl: Vec<f64>,
    /// Short mark written inside each stacked segment tall enough for it, and before the
    /// legend label, so segments can be told apart without colour.
    mark: Option<String>,
}

/// Black or white, whichever reads better on `color` (by its grey level).
fn ink_on(color: RGBColor) -> RGBColor {
    let grey =
        0.2126 * f64::from(color.0) + 0.7152 * f64::from(color.1) + 0.0722 * f64::from(color.2);
    if grey < 128.0 { WHITE } else { INK }
}

fn x_axis(years: &[i32]) -> Axis {
    let first = years.first().copied().unwrap_or(0);
    let last = years.last().copied().unwrap_or(first);
    Axis::years(f64::from(first) - 0.6, f64::from(last) + 0.6, first, 20)
}

fn subtitle(results: &ResultSet) -> String {
    let mut subtitle = format!("{} · means over runs", data::provenance(results));
    if let Some(conversion) = results.scenario.currency.conversion() {
        subtitle.push_str(&format!(" · {conversion}"));
    }
    subtitle
}

/// The y axis title: `"{quantity} ({code} million)"`.
fn money_title(quantity: &str, currency: &Currency) -> String {
    format!("{quantity} ({} million)", currency.code)
}

/// Draws the right-hand axis in the second currency of a plot whose y axis is in millions of the
/// scenario's currency.
fn second_axis<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot<'_, DB>,
    style: &Style,
    (x, y): (&Axis, &Axis),
    second: &SecondCurrency,
) -> anyhow::Result<()> {
    let eur = Axis::linear(second.convert(y.min), second.convert(y.max), 6, false);
    let (right, top) = plot::local(area, plot, (x.max, y.max));
    let (_, bottom) = plot::local(area, plot, (x.max, y.min));
    let line = AXIS.stroke_width(style.upx(1.5));
    area.draw(&PathElement::new(vec![(right, top), (right, bottom)], line))?;
    let font = style.tick_font();
    let tick = style.px(7.0);
    let mut widest = 0;
    for value in &eur.ticks {
        let ltl = value * second.own_per_euro / second.per_euro;
        if ltl > y.max + 1e-9 {
            continue;
        }
        let (_, pixel) = plot::local(area, plot, (x.max, ltl));
        area.draw(&PathElement::new(
            vec![(right, pixel), (right + tick, pixel)],
            line,
        ))?;
        let label = eur.label(*value);
        widest = widest.max(area.estimate_text_size(&label, &font)?.0 as i32);
        let left_middle = font.pos(Pos::new(HPos::Left, VPos::Center));
        style::text(area, style, &label, (right + 2 * tick, pixel), &left_middle)?;
    }
    let title = style
        .axis_title_font()
        .transform(plotters::style::FontTransform::Rotate90)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let position = (
        right + 2 * tick + widest + style.px(14.0),
        (top + bottom) / 2,
    );
    let title_text = format!("{} million", second.code);
    style::text(area, style, &title_text, position, &title)
}

/// Room to leave on the right for [`second_axis`].
fn second_axis_room<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    y: &Axis,
    second: &SecondCurrency,
) -> anyhow::Result<i32> {
    let eur = Axis::linear(second.convert(y.min), second.convert(y.max), 6, false);
    let widest = plot::tick_label_width(area, &eur, &style.tick_font())? as i32;
    let (_, title_height) = area.estimate_text_size("Ag", &style.axis_title_font())?;
    Ok(widest + style.px(28.0) + title_height as i32 + style.px(8.0))
}

/// Draws bars: `series[i].ltl[j]` from `base[j]` (stacked) or side by side (grouped).
fn draw_bars<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    style: &Style,
    years: &[i32],
    series: &[Series],
    stacked: bool,
) -> anyhow::Result<()> {
    let mut base = vec![0.0; years.len()];
    let font = style.annotation_font();
    let (_, text_height) = plot.plotting_area().estimate_text_size("0", &font)?;
    let group = 0.76;
    let slot = group / series.len().max(1) as f64;
    for (index, serie) in series.iter().enumerate() {
        for (column, (&year, &ltl)) in years.iter().zip(&serie.ltl).enumerate() {
            if ltl <= 0.0 {
                continue;
            }
            let x = f64::from(year);
            let value = ltl / MILLION;
            let (left, right, low, high) = if stacked {
                let low = base[column];
                base[column] += value;
                (x - group / 2.0, x + group / 2.0, low, low + value)
            } else {
                let left = x - group / 2.0 + index as f64 * slot;
                (left + slot * 0.06, left + slot * 0.94, 0.0, value)
            };
            let corners = [(left, low), (right, high)];
            plot.draw_series(std::iter::once(Rectangle::new(
                corners,
                serie.color.filled(),
            )))?;
            let outline = if stacked {
                WHITE.stroke_width(style.upx(2.0))
            } else {
                AXIS.stroke_width(1)
            };
            plot.draw_series(std::iter::once(Rectangle::new(corners, outline)))?;
            let pixels = plot.backend_coord(&(x, low)).1 - plot.backend_coord(&(x, high)).1;
            if let Some(mark) = &serie.mark
                && pixels >= text_height as i32 + style.px(6.0)
            {
                let ink = ink_on(serie.color);
                let centred = font.color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                let position = plot::local(area, plot, (x, (low + high) / 2.0));
                style::text(area, style, mark, position, &centred)?;
            }
        }
    }
    Ok(())
}

fn legend(series: &[Series], outline: bool) -> Vec<LegendEntry> {
    series
        .iter()
        .map(|serie| {
            LegendEntry::new(
                Swatch::Fill {
                    color: serie.color,
                    outline: outline.then_some(AXIS),
                },
                match &serie.mark {
                    Some(mark) => format!("{mark} {}", serie.label),
                    None => serie.label.clone(),
                },
            )
        })
        .collect()
}

/// Draws a bar chart in millions of the scenario's currency (and the second currency's on the
/// right, if shown).
#[allow(clippy::too_many_arguments)]
fn draw_bar_chart<DB: Backend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    title: &str,
    subtitle: &str,
    years: &[i32],
    series: &[Series],
    stacked: bool,
    (y_title, currency): (&str, &Currency),
) -> anyhow::Result<()> {
    let body = style::frame(root, style, title, subtitle, &legend(series, !stacked))?;
    draw_bar_plot(&body, style, years, series, stacked, (y_title, currency))
}

/// Draws the bars of `series` on `area` with their axes (millions of the scenario's currency on
/// the left, of the second currency, if shown, on the right).
fn draw_bar_plot<DB: Backend>(
    area: &DrawingArea<DB, Shift>,
    style: &Style,
    years: &[i32],
    series: &[Series],
    stacked: bool,
    (y_title, currency): (&str, &Currency),
) -> anyhow::Result<()> {
    let top = if stacked {
        (0..years.len())
            .map(|column| series.iter().map(|serie| serie.ltl[column].max(0.0)).sum())
            .fold(0.0, f64::max)
    } else {
        series
            .iter()
            .flat_map(|serie| serie.ltl.iter().copied())
            .fold(0.0, f64::max)
    };
    let x = x_axis(years);
    let y = Axis::linear(0.0, top / MILLION * 1.05, 6, false);
    let y_title = money_title(y_title, currency);
    let labels = Labels {
        x_grid: false,
        right: match &currency.also_in {
            Some(second) => second_axis_room(area, style, &y, second)?,
            None => 0,
        },
        ..Labels::new("Funding year", &y_title)
    };
    let mut chart = plot::build(area, style, &x, &y, &labels)?;
    plot::draw_mesh(area, &mut chart, style, &x, &y, &labels)?;
    draw_bars(area, &mut chart, style, years, series, stacked)?;
    if let Some(second) = &currency.also_in {
        second_axis(area, &chart, style, (&x, &y), second)?;
    }
    Ok(())
}

/// The stacked series from the bottom: every cluster with its own colour when there are at most
/// as many clusters as [`STACK_COLORS`], otherwise the [`STACKED_CLUSTERS`] largest (by money
/// over all years; ties keep the scenario's order) and one grey "Other clusters (k)" segment.
fn stack(mut clusters: Vec<(String, Vec<f64>)>, years: usize) -> Vec<Series> {
    let count = clusters.len();
    let total = |values: &Vec<f64>| values.iter().sum::<f64>();
    // Stable sort: equal totals keep the scenario's order.
    clusters.sort_by(|a, b| total(&b.1).total_cmp(&total(&a.1)));
    let shown = if count <= STACK_COLORS.len() {
        count
    } else {
        STACKED_CLUSTERS
    };
    let mut series: Vec<Series> = clusters
        .iter()
        .take(shown)
        .zip(STACK_COLORS)
        .enumerate()
        .map(|(index, ((name, ltl), color))| Series {
            label: name.clone(),
            color,
            ltl: ltl.clone(),
            mark: Some(format!("{}", index + 1)),
        })
        .collect();
    if count > shown {
        let mut rest = vec![0.0; years];
        for (_, ltl) in &clusters[shown..] {
            rest.iter_mut()
                .zip(ltl)
                .for_each(|(sum, value)| *sum += value);
        }
        series.push(Series {
            label: format!("Other clusters ({})", count - shown),
            color: OTHER,
            ltl: rest,
            mark: Some(format!("{}", shown + 1)),
        });
    }
    series
}

/// What the stacked bars show, for the caption: `segments` series drawn for `clusters` clusters.
fn stack_caption(segments: usize, clusters: usize) -> String {
    if segments >= clusters {
        match clusters {
            1 => "the one cluster is shown".to_string(),
            n => format!("all {n} clusters are shown separately, each in its own colour"),
        }
    } else {
        let shown = segments.saturating_sub(1);
        format!(
            "the {shown} largest of {clusters} clusters are shown separately, each in its own \
             colour, and the other {} are summed in one grey segment, “Other clusters”",
            clusters - shown
        )
    }
}

/// Allocated money per year, stacked by cluster.
pub struct ByCluster {
    years: Vec<i32>,
    series: Vec<Series>,
    clusters: usize,
    subtitle: String,
    currency: Currency,
}

impl ByCluster {
    /// Sums the allocated means per cluster and year; keeps the largest clusters.
    pub fn new(results: &ResultSet) -> Self {
        let years = years(results);
        let clusters: Vec<(String, Vec<f64>)> = results
            .scenario
            .clusters
            .iter()
            .map(|cluster| {
                (
                    cluster.name.clone(),
                    yearly(results, &years, "allocated", |id| id == cluster.id),
                )
            })
            .collect();
        let count = clusters.len();
        let series = stack(clusters, years.len());
        Self {
            years,
            series,
            clusters: count,
            subtitle: subtitle(results),
            currency: results.scenario.currency.clone(),
        }
    }
}

impl Figure for ByCluster {
    fn name(&self) -> String {
        "allocations-by-cluster".to_string()
    }

    fn title(&self) -> String {
        "Money allocated per year by cluster".to_string()
    }

    fn description(&self) -> String {
        format!(
            "Stacked bars per funding year of the mean amount allocated to each cluster \
             (infrastructure and activity together) in {}; {}, stacked from the bottom in legend \
             order.",
            millions(&self.currency, ", with"),
            stack_caption(self.series.len(), self.clusters)
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        draw_bar_chart(
            root,
            style,
            &self.title(),
            &format!(
                "{} · stacked from the bottom in legend order, numbered as in the legend",
                self.subtitle
            ),
            &self.years,
            &self.series,
            true,
            ("Allocated", &self.currency),
        )
    }
}

/// "LTL million{joint} EUR million on the right axis", or "EUR million" with no second currency.
fn millions(currency: &Currency, joint: &str) -> String {
    match &currency.also_in {
        Some(second) => format!(
            "{} million{joint} {} million on the right axis",
            currency.code, second.code
        ),
        None => format!("{} million", currency.code),
    }
}

/// Share of the chart body given to the flows panel; the carried balance gets the rest.
const FLOWS_PANEL_SHARE: f64 = 0.6;

/// Allocated, absorbed and returned money per year (flows) over all clusters, and below it, on
/// its own panel and scale, the balance carried into the next year (a stock at the year's end),
/// so the balance is not read as a fourth flow.
pub struct Flows {
    years: Vec<i32>,
    series: Vec<Series>,
    subtitle: String,
    currency: Currency,
}

impl Flows {
    /// Sums the means over clusters and instruments per year.
    pub fn new(results: &ResultSet) -> Self {
        let years = years(results);
        let series = [
            ("allocated", "Allocated", BLUE),
            ("absorbed", "Absorbed", SKY_BLUE),
            ("returned", "Returned", INK),
            ("carried", CARRIED_LABEL, YELLOW),
        ]
        .into_iter()
        .map(|(quantity, label, color)| Series {
            label: label.to_string(),
            color,
            ltl: yearly(results, &years, quantity, |_| true),
            mark: None,
        })
        .collect();
        Self {
            years,
            series,
            subtitle: subtitle(results),
            currency: results.scenario.currency.clone(),
        }
    }
}

impl Figure for Flows {
    fn name(&self) -> String {
        "allocations-flows".to_string()
    }

    fn title(&self) -> String {
        "Money allocated, absorbed, carried over and returned per year".to_string()
    }

    fn description(&self) -> String {
        format!(
            "Two panels, summed over clusters and instruments, in {}: above, grouped bars per \
             funding year of the mean amounts allocated, absorbed by the clusters and returned \
             during the year (flows); below, on its own scale, the mean balance carried over into \
             the next year at the end of each year (a stock).",
            millions(&self.currency, " with")
        )
    }

    fn draw<DB: Backend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> anyhow::Result<()> {
        let body = style::frame(
            root,
            style,
            &self.title(),
            &format!(
                "{} · all clusters and instruments · flows during each year above, the balance \
                 carried over at each year's end below",
                self.subtitle
            ),
            &legend(&self.series, true),
        )?;
        let (_, height) = body.dim_in_pixel();
        let split = (f64::from(height) * FLOWS_PANEL_SHARE).round() as i32;
        let (flows_area, balance_area) = body.split_vertically(split);
        let (flows, balance): (Vec<Series>, Vec<Series>) = self
            .series
            .iter()
            .cloned()
            .partition(|serie| serie.label != CARRIED_LABEL);
        draw_bar_plot(
            &flows_area,
            style,
            &self.years,
            &flows,
            false,
            ("Flow in the year", &self.currency),
        )?;
        draw_bar_plot(
            &balance_area,
            style,
            &self.years,
            &balance,
            false,
            ("Carried at year end", &self.currency),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(count: usize) -> Vec<(String, Vec<f64>)> {
        (0..count)
            .map(|index| (format!("Cluster {index}"), vec![1.0 + index as f64, 2.0]))
            .collect()
    }

    #[test]
    fn every_segment_has_its_own_colour_and_the_caption_says_what_is_grouped() {
        for count in [1, 2, 7, 8, 9, 16, 20] {
            let series = stack(clusters(count), 2);
            let colors: BTreeSet<(u8, u8, u8)> = series
                .iter()
                .map(|s| (s.color.0, s.color.1, s.color.2))
                .collect();
            assert_eq!(
                colors.len(),
                series.len(),
                "{count} clusters: a colour is reused"
            );
            let caption = stack_caption(series.len(), count);
            let grouped: Vec<&Series> = series
                .iter()
                .filter(|s| s.label.starts_with("Other clusters"))
                .collect();
            if count <= 8 {
                assert_eq!(series.len(), count);
                assert!(grouped.is_empty());
                assert!(!caption.contains("largest"), "{caption}");
            } else {
                assert_eq!(series.len(), STACKED_CLUSTERS + 1);
                let other = count - STACKED_CLUSTERS;
                assert_eq!(grouped.len(), 1);
                assert_eq!(grouped[0].label, format!("Other clusters ({other})"));
                assert!(
                    caption.contains(&format!("the 7 largest of {count} clusters"))
                        && caption.contains(&format!("the other {other} are summed")),
                    "{caption}"
                );
            }
            // Nothing is lost by grouping: the segments add up to the clusters' money.
            let drawn: f64 = series.iter().flat_map(|s| s.ltl.iter()).sum();
            let given: f64 = clusters(count).iter().flat_map(|c| c.1.iter()).sum();
            assert_eq!(drawn, given);
        }
    }

    #[test]
    fn the_largest_clusters_are_kept_and_the_smallest_grouped() {
        let series = stack(clusters(9), 2);
        assert_eq!(series[0].label, "Cluster 8");
        assert_eq!(series[6].label, "Cluster 2");
        assert_eq!(series[7].label, "Other clusters (2)");
        assert_eq!(series[7].ltl, vec![1.0 + 2.0, 4.0]);
    }
}
