//! `clustersim run --export-network`: the GEXF and GraphML files of selected runs have the
//! formats' required structure, hold exactly the run's members and links at the horizon, never
//! show a tie before its ends exist, and leave every other output byte-identical whatever the
//! thread count.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use clustersim::engine::outcomes::TOTAL_OUTCOMES;
use clustersim::engine::simulate_run;
use clustersim::policy::rule_for;
use clustersim::scenario::read_path;
use roxmltree::{Document, Node};
use tempfile::TempDir;

const SCENARIO: &str = "scenarios/lithuania-2007-2013.json";
const RUNS: &str = "30";
const SEED: u64 = 11;

fn clustersim() -> Command {
    Command::cargo_bin("clustersim").expect("binary is built")
}

fn run_into(out: &Path, threads: &str, selection: &str) {
    clustersim()
        .args(["run", SCENARIO, "--runs", RUNS, "--seed", &SEED.to_string()])
        .args([
            "--threads",
            threads,
            "--quiet",
            "--export-network",
            selection,
        ])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// Members and links of run `run` at the horizon, from the library's own simulation.
fn horizon_counts(run: u64) -> (usize, usize) {
    let (scenario, _) = read_path(Path::new(SCENARIO)).unwrap();
    let rule = rule_for(&scenario.policy.rule);
    let record = simulate_run(
        &scenario,
        &scenario.parameter_slots(),
        rule.as_ref(),
        SEED,
        run,
    );
    let totals = &record.series[record.series.len() - TOTAL_OUTCOMES.len()..];
    let value = |name: &str| totals[TOTAL_OUTCOMES.iter().position(|n| *n == name).unwrap()];
    (value("members") as usize, value("links") as usize)
}

fn children<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Vec<Node<'a, 'input>> {
    node.children()
        .filter(|child| child.is_element() && child.tag_name().name() == name)
        .collect()
}

fn only_child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Node<'a, 'input> {
    let found = children(node, name);
    assert_eq!(
        found.len(),
        1,
        "<{}> needs one <{name}>",
        node.tag_name().name()
    );
    found[0]
}

/// The attribute declarations of a GEXF `<attributes class=…>` block: id → type.
fn declared(graph: Node, class: &str) -> HashMap<String, String> {
    children(graph, "attributes")
        .into_iter()
        .filter(|a| a.attribute("class") == Some(class))
        .flat_map(|a| children(a, "attribute"))
        .map(|a| {
            (
                a.attribute("id").unwrap().to_string(),
                a.attribute("type").unwrap().to_string(),
            )
        })
        .collect()
}

/// Interval of a GEXF element: (start, end) as ISO dates, which compare as strings.
fn interval<'a>(node: Node<'a, '_>) -> (&'a str, Option<&'a str>) {
    (node.attribute("start").unwrap(), node.attribute("end"))
}

#[test]
fn exported_networks_are_well_formed_match_the_run_and_do_not_change_other_outputs() {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_into(&one, "1", "median,4");
    run_into(&two, "2", "4,median");

    // The export changes nothing else, and is itself the same on any thread count.
    let mut exported: Vec<String> = fs::read_dir(one.join("networks"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    exported.sort();
    let median_run = exported
        .iter()
        .filter_map(|name| name.strip_suffix(".gexf")?.strip_prefix("run-"))
        .map(|run| run.parse::<u64>().unwrap())
        .find(|run| *run != 4);
    for file in ["summary.csv", "runs.csv", "allocations.csv"]
        .iter()
        .map(|f| f.to_string())
        .chain(exported.iter().map(|f| format!("networks/{f}")))
    {
        let a = fs::read(one.join(&file)).unwrap();
        assert!(!a.is_empty(), "{file} is empty");
        assert!(
            a == fs::read(two.join(&file)).unwrap(),
            "{file} differs between 1 and 2 threads"
        );
    }
    let manifest = fs::read_to_string(one.join("manifest.json")).unwrap();
    assert!(manifest.contains("--export-network median,4"), "{manifest}");
    assert!(manifest.contains("\"networks/\""), "{manifest}");

    // The median run of networked SMEs is the one `median` chose.
    let runs = fs::read_to_string(one.join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header.iter().position(|c| *c == "networked_smes").unwrap();
    let mut networked: Vec<(f64, u64)> = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[column].parse().unwrap(), cells[0].parse().unwrap())
        })
        .collect();
    networked.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let expected_median = networked[(networked.len() - 1) / 2].1;
    if expected_median == 4 {
        assert_eq!(exported.len(), 2, "{exported:?}");
    } else {
        assert_eq!(median_run, Some(expected_median), "{exported:?}");
    }

    for run in [4, expected_median] {
        let (members, links) = horizon_counts(run);
        assert!(
            links > 100,
            "the baseline's run {run} has a network to check"
        );
        check_gexf(
            &one.join(format!("networks/run-{run}.gexf")),
            members,
            links,
        );
        let clusters = check_graphml(
            &one.join(format!("networks/run-{run}.graphml")),
            members,
            links,
        );
        check_picture(&one, run, members, links, clusters);
    }
}

fn check_gexf(path: &Path, members: usize, links: usize) {
    let text = fs::read_to_string(path).unwrap();
    let document = Document::parse(&text).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "gexf");
    assert_eq!(root.tag_name().namespace(), Some("http://gexf.net/1.3"));
    assert_eq!(root.attribute("version"), Some("1.3"));
    let graph = only_child(root, "graph");
    assert_eq!(graph.attribute("mode"), Some("dynamic"));
    assert_eq!(graph.attribute("timeformat"), Some("date"));
    assert_eq!(graph.attribute("defaultedgetype"), Some("undirected"));
    let node_attributes = declared(graph, "node");
    assert_eq!(node_attributes["cluster"], "string");
    assert_eq!(node_attributes["sector"], "string");
    assert_eq!(node_attributes["sole"], "boolean");
    assert_eq!(declared(graph, "edge")["cluster"], "string");
    let date = |text: &str| {
        let bytes = text.as_bytes();
        bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-'
    };

    // Nodes: unique ids, declared attributes with values of their type, one interval each.
    let mut spans = HashMap::new();
    for node in children(only_child(graph, "nodes"), "node") {
        let id = node.attribute("id").unwrap();
        let (start, end) = interval(node);
        assert!(date(start) && end.is_none_or(date), "{id}: {start} {end:?}");
        assert!(
            end.is_none_or(|end| start <= end),
            "{id} ends before it starts"
        );
        assert!(
            spans.insert(id, (start, end)).is_none(),
            "duplicate node {id}"
        );
        for value in children(only_child(node, "attvalues"), "attvalue") {
            let key = value.attribute("for").unwrap();
            assert!(node_attributes.contains_key(key), "undeclared {key}");
            if node_attributes[key] == "boolean" {
                assert!(matches!(value.attribute("value"), Some("true" | "false")));
            }
        }
    }
    let nodes_at_horizon = spans.values().filter(|(_, end)| end.is_none()).count();
    assert_eq!(nodes_at_horizon, members, "members at the horizon");

    // Edges: unique ids, ends that exist throughout every spell of the edge.
    let mut edge_ids = std::collections::HashSet::new();
    let mut edges_at_horizon = 0;
    for edge in children(only_child(graph, "edges"), "edge") {
        let id = edge.attribute("id").unwrap();
        assert!(edge_ids.insert(id), "duplicate edge {id}");
        let spells: Vec<(&str, Option<&str>)> = match children(edge, "spells").first() {
            Some(list) => children(*list, "spell").into_iter().map(interval).collect(),
            None => vec![interval(edge)],
        };
        assert!(!spells.is_empty());
        edges_at_horizon += usize::from(spells.last().unwrap().1.is_none());
        for end in ["source", "target"] {
            let node = edge.attribute(end).unwrap();
            let (node_start, node_end) = spans[node];
            for (start, spell_end) in &spells {
                assert!(
                    node_start <= *start,
                    "edge {id} starts {start}, before its {end} {node} ({node_start})"
                );
                match (node_end, spell_end) {
                    (Some(node_end), Some(spell_end)) => assert!(spell_end <= &node_end),
                    (Some(node_end), None) => panic!("edge {id} outlives {node} ({node_end})"),
                    (None, _) => {}
                }
            }
        }
    }
    assert_eq!(edges_at_horizon, links, "links at the horizon");
}

/// The picture: one point per member, one disc per cluster with members, one line per tie.
fn check_picture(folder: &Path, run: u64, members: usize, links: usize, clusters: usize) {
    let png = fs::read(folder.join(format!("networks/run-{run}.png"))).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "run-{run}.png is a PNG"
    );
    let svg = fs::read_to_string(folder.join(format!("networks/run-{run}.svg"))).unwrap();
    let document = Document::parse(&svg).unwrap();
    let title = format!("Cooperation networks of run {run} at the end of 2016");
    assert!(
        document
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .any(|node| node.text().is_some_and(|text| text.trim() == title)),
        "{title}"
    );
    let circles = document
        .descendants()
        .filter(|node| node.has_tag_name("circle"))
        .count();
    assert_eq!(
        circles,
        members + clusters,
        "a point per member, a disc per cluster"
    );
    let ties = document
        .descendants()
        .filter(|node| node.has_tag_name("polyline") && node.attribute("stroke") == Some("#707070"))
        .count();
    assert_eq!(ties, links, "a line per tie");
}

/// Checks the GraphML file; returns the number of clusters with members.
fn check_graphml(path: &Path, members: usize, links: usize) -> usize {
    let text = fs::read_to_string(path).unwrap();
    let document = Document::parse(&text).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://graphml.graphdrawing.org/xmlns")
    );
    let mut keys = HashMap::new();
    for key in children(root, "key") {
        let domain = key.attribute("for").unwrap();
        assert!(matches!(domain, "node" | "edge"), "key for {domain}");
        let kind = key.attribute("attr.type").unwrap();
        assert!(
            ["boolean", "int", "long", "float", "double", "string"].contains(&kind),
            "{kind} is not a GraphML type"
        );
        keys.insert(key.attribute("id").unwrap(), (domain, kind));
    }
    let graph = only_child(root, "graph");
    assert_eq!(graph.attribute("edgedefault"), Some("undirected"));
    let nodes = children(graph, "node");
    let ids: std::collections::HashSet<&str> =
        nodes.iter().map(|n| n.attribute("id").unwrap()).collect();
    assert_eq!(ids.len(), nodes.len(), "node ids are unique");
    assert_eq!(nodes.len(), members, "members at the horizon");
    let edges = children(graph, "edge");
    assert_eq!(edges.len(), links, "links at the horizon");
    for (element, domain) in nodes
        .iter()
        .map(|n| (n, "node"))
        .chain(edges.iter().map(|e| (e, "edge")))
    {
        for data in children(*element, "data") {
            let (key_domain, kind) = keys[data.attribute("key").unwrap()];
            assert_eq!(key_domain, domain);
            if kind == "boolean" {
                assert!(matches!(data.text(), Some("true" | "false")));
            }
        }
    }
    for edge in &edges {
        for end in ["source", "target"] {
            assert!(
                ids.contains(edge.attribute(end).unwrap()),
                "edge end missing"
            );
        }
    }
    nodes
        .iter()
        .flat_map(|node| children(*node, "data"))
        .filter(|data| data.attribute("key") == Some("cluster"))
        .filter_map(|data| data.text())
        .collect::<std::collections::HashSet<_>>()
        .len()
}

#[test]
fn bad_selections_are_refused_before_any_run() {
    let dir = TempDir::new().unwrap();
    for (selection, message) in [
        ("med", "'med' is not a run selection"),
        (
            "3,30",
            "run 30 does not exist; with 30 runs the indices are 0 to 29",
        ),
    ] {
        let out = dir.path().join(selection);
        let assert = clustersim()
            .args([
                "run",
                SCENARIO,
                "--runs",
                RUNS,
                "--export-network",
                selection,
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(message), "{stderr}");
        assert!(!out.exists(), "nothing is written");
    }
    let assert = clustersim()
        .args(["compare", SCENARIO, "--runs", "5", "--export-network", "0"])
        .arg("--out")
        .arg(dir.path().join("compare"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("--export-network is an option of `clustersim run`"),
        "{stderr}"
    );
}
