//! Network files of a run for Gephi and other network tools: a dynamic GEXF 1.3 file of the whole
//! history (members and ties with their spells, which Gephi's timeline plays) and a GraphML file
//! of the networks at the horizon.
//!
//! Formats: GEXF 1.3 (<https://gexf.net/schema.html>, namespace `http://gexf.net/1.3`), dynamic
//! mode with `timeformat="date"`; GraphML 1.0 (Brandes et al., <http://graphml.graphdrawing.org/>).
//! Times are the first day of a quarter: snapshot s is dated the start of quarter s, so a member
//! present at the end of 2008Q2 (snapshot 6 from 2007) shows from 2008-07-01. Spells are closed
//! intervals; an element still present at the horizon has no end. Node ids are
//! `<cluster id>:<permanent number>`. The text is a pure function of the history and the
//! scenario, so the same run gives the same bytes.

use std::fmt::Write as _;

use crate::engine::network_history::{MemberSpell, NetworkHistory};
use crate::scenario::Scenario;

/// Escapes text for an XML attribute or element.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The date of snapshot `snapshot`: the first day of quarter `snapshot` counted from the first
/// funding year.
pub fn snapshot_date(scenario: &Scenario, snapshot: usize) -> String {
    let year = scenario.budget.first_year + (snapshot / 4) as i32;
    format!("{year}-{:02}-01", 1 + 3 * (snapshot % 4))
}

fn node_id(scenario: &Scenario, cluster: usize, firm: u64) -> String {
    xml(&format!("{}:{firm}", scenario.clusters[cluster].id))
}

/// `start="…"` and, unless the spell lasts to the horizon, `end="…"` (closed interval: the end is
/// the date of the last snapshot present).
fn interval(scenario: &Scenario, history: &NetworkHistory, start: usize, last: usize) -> String {
    let mut text = format!("start=\"{}\"", snapshot_date(scenario, start));
    if last != history.horizon() {
        let _ = write!(text, " end=\"{}\"", snapshot_date(scenario, last));
    }
    text
}

fn member_values(scenario: &Scenario, member: &MemberSpell) -> [(&'static str, String); 3] {
    let cluster = &scenario.clusters[member.cluster];
    [
        ("cluster", xml(&cluster.id)),
        ("sector", xml(&scenario.sectors[cluster.sector].id)),
        ("sole", member.sole.to_string()),
    ]
}

/// The dynamic GEXF 1.3 file of a run's history.
pub fn gexf(scenario: &Scenario, history: &NetworkHistory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    );
    let _ = writeln!(
        out,
        "  <meta>\n    <creator>clustersim {}</creator>\n    <description>{}: cooperation networks of run {}, quarterly</description>\n  </meta>",
        env!("CARGO_PKG_VERSION"),
        xml(&scenario.name),
        history.run
    );
    let _ = writeln!(
        out,
        r#"  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date" timerepresentation="interval" start="{}" end="{}">"#,
        snapshot_date(scenario, 0),
        snapshot_date(scenario, history.horizon())
    );
    out.push_str(
        r#"    <attributes class="node" mode="static">
      <attribute id="cluster" title="cluster" type="string"/>
      <attribute id="sector" title="sector" type="string"/>
      <attribute id="sole" title="sole proprietor" type="boolean"/>
    </attributes>
    <attributes class="edge" mode="static">
      <attribute id="cluster" title="cluster" type="string"/>
    </attributes>
"#,
    );
    out.push_str("    <nodes>\n");
    for member in &history.members {
        let _ = writeln!(
            out,
            r#"      <node id="{}" label="{}" {}>"#,
            node_id(scenario, member.cluster, member.firm),
            node_id(scenario, member.cluster, member.firm),
            interval(scenario, history, member.start, member.last)
        );
        out.push_str("        <attvalues>\n");
        for (key, value) in member_values(scenario, member) {
            let _ = writeln!(out, r#"          <attvalue for="{key}" value="{value}"/>"#);
        }
        out.push_str("        </attvalues>\n      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for (index, tie) in history.ties.iter().enumerate() {
        let ends = format!(
            r#"id="{index}" source="{}" target="{}""#,
            node_id(scenario, tie.cluster, tie.ends[0]),
            node_id(scenario, tie.cluster, tie.ends[1])
        );
        let cluster = xml(&scenario.clusters[tie.cluster].id);
        let values = format!(
            "        <attvalues>\n          <attvalue for=\"cluster\" value=\"{cluster}\"/>\n        </attvalues>\n"
        );
        match tie.spells.as_slice() {
            [(start, last)] => {
                let _ = writeln!(
                    out,
                    "      <edge {ends} {}>",
                    interval(scenario, history, *start, *last)
                );
                out.push_str(&values);
            }
            spells => {
                let _ = writeln!(out, "      <edge {ends}>");
                out.push_str(&values);
                out.push_str("        <spells>\n");
                for (start, last) in spells {
                    let _ = writeln!(
                        out,
                        "          <spell {}/>",
                        interval(scenario, history, *start, *last)
                    );
                }
                out.push_str("        </spells>\n");
            }
        }
        out.push_str("      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// The GraphML file of a run's networks at the horizon: members and ties present then, with
/// cluster, sector, sole flag and the date each member joined and each tie (last) formed.
pub fn graphml(scenario: &Scenario, history: &NetworkHistory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push_str(
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
  <key id="cluster" for="node" attr.name="cluster" attr.type="string"/>
  <key id="sector" for="node" attr.name="sector" attr.type="string"/>
  <key id="sole" for="node" attr.name="sole proprietor" attr.type="boolean"/>
  <key id="joined" for="node" attr.name="joined" attr.type="string"/>
  <key id="edge_cluster" for="edge" attr.name="cluster" attr.type="string"/>
  <key id="formed" for="edge" attr.name="formed" attr.type="string"/>
"#,
    );
    let _ = writeln!(
        out,
        r#"  <graph id="run-{}" edgedefault="undirected">"#,
        history.run
    );
    for member in history.members_at_horizon() {
        let _ = writeln!(
            out,
            r#"    <node id="{}">"#,
            node_id(scenario, member.cluster, member.firm)
        );
        for (key, value) in member_values(scenario, member) {
            let _ = writeln!(out, r#"      <data key="{key}">{value}</data>"#);
        }
        let _ = writeln!(
            out,
            r#"      <data key="joined">{}</data>"#,
            snapshot_date(scenario, member.start)
        );
        out.push_str("    </node>\n");
    }
    for (index, tie) in history.ties_at_horizon().enumerate() {
        let formed = tie.spells.last().map_or(0, |spell| spell.0);
        let _ = writeln!(
            out,
            r#"    <edge id="e{index}" source="{}" target="{}">"#,
            node_id(scenario, tie.cluster, tie.ends[0]),
            node_id(scenario, tie.cluster, tie.ends[1])
        );
        let _ = writeln!(
            out,
            "      <data key=\"edge_cluster\">{}</data>\n      <data key=\"formed\">{}</data>\n    </edge>",
            xml(&scenario.clusters[tie.cluster].id),
            snapshot_date(scenario, formed)
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_quotes() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
