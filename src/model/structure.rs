//! The structure of cooperation networks: how concentrated the ties are, how many triangles they
//! close, how they fall apart into connected groups, and how many members are sole
//! proprietorships — the patterns docs/MODEL.md §1 says the mechanisms produce, measured so that
//! runs can report them and tests can check them.
//!
//! Definitions follow Newman (2010), *Networks: An Introduction*, Oxford University Press:
//! transitivity (the global clustering coefficient) is 3 × triangles / connected triples (§7.9);
//! connected components are found by union–find (Tarjan 1975). Each function
//! reads a network and writes nothing to it, so measuring never changes a random draw.

use super::network::Network;

/// The structure of one network, or of several disjoint networks taken together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Structure {
    /// Members.
    pub members: u64,
    /// Ties.
    pub links: u64,
    /// Members that are sole proprietorships.
    pub sole_members: u64,
    /// Highest degree of any member (0 without members).
    pub max_degree: u64,
    /// Share of tie endpoints (the sum of degrees, 2L) held by the ⌈m/10⌉ members of highest
    /// degree; NaN without ties.
    pub top_decile_link_share: f64,
    /// Closed connected triples: 3 × the number of triangles.
    pub closed_triples: u64,
    /// Connected triples (paths of length two): Σ d(d − 1)/2 over members.
    pub triples: u64,
    /// Closed triples expected if each network's connected triples closed with probability equal
    /// to its density, as in a random network of the same density: Σ triples · density.
    pub random_closed_triples: f64,
    /// Connected components of two or more members (isolated members are not counted).
    pub components: u64,
    /// Members in the largest component (0 without ties).
    pub largest_component: u64,
}

impl Structure {
    /// Transitivity 3T / triples; NaN without connected triples.
    pub fn transitivity(&self) -> f64 {
        if self.triples == 0 {
            f64::NAN
        } else {
            self.closed_triples as f64 / self.triples as f64
        }
    }

    /// Transitivity expected if every connected triple closed with its network's density (a
    /// random network's transitivity); NaN without connected triples.
    pub fn random_transitivity(&self) -> f64 {
        if self.triples == 0 {
            f64::NAN
        } else {
            self.random_closed_triples / self.triples as f64
        }
    }

    /// Every field as bits (integers as they are, shares by `f64::to_bits`), so that tests can
    /// compare structures whose undefined shares are NaN, which `==` never equates.
    #[cfg(test)]
    pub(crate) fn bits(&self) -> [u64; 10] {
        [
            self.members,
            self.links,
            self.sole_members,
            self.max_degree,
            self.top_decile_link_share.to_bits(),
            self.closed_triples,
            self.triples,
            self.random_closed_triples.to_bits(),
            self.components,
            self.largest_component,
        ]
    }

    /// Sole proprietors' share of the members; NaN without members.
    pub fn sole_member_share(&self) -> f64 {
        if self.members == 0 {
            f64::NAN
        } else {
            self.sole_members as f64 / self.members as f64
        }
    }
}

/// Measures each network and all of them together (the total pools the members of every network:
/// degrees, triples and components add up, the top decile is taken over all members at once).
///
/// A convenience for one-off measurements; a run that measures every year holds a
/// [`Workspace`] instead, which allocates nothing once its arrays have grown.
pub fn measure_all<'a>(
    networks: impl IntoIterator<Item = &'a Network>,
) -> (Vec<Structure>, Structure) {
    let mut workspace = Workspace::default();
    let total = workspace.measure_all(networks);
    (workspace.parts, total)
}

/// Measures one network.
pub fn measure(network: &Network) -> Structure {
    Workspace::default().measure(network)
}

/// The working arrays of structure measurements, reused from one network to the next and from
/// one measurement to the next (a run measures every cluster's network at each year end), so
/// that measuring allocates nothing once the arrays have grown to the largest network.
///
/// Cost per network with m members and L ties: O(m + L + max degree) for the degrees, the
/// top decile (a degree histogram, not a sort), the triples and the components (union–find
/// over the ties), plus the triangle count (see `components_and_closed_triples`); a network
/// without ties costs O(1).
#[derive(Debug, Default)]
pub struct Workspace {
    /// The last measurement's networks, in order.
    parts: Vec<Structure>,
    /// Degree histogram of all the networks of one measurement: `pooled[d]` members of degree d.
    pooled: Vec<u64>,
    /// Degree histogram of one network.
    histogram: Vec<u64>,
    /// Per member of one network: degree · 2³² + node id, the order in which ties are oriented
    /// for the triangle count.
    rank: Vec<u64>,
    /// The ties of one network, each as [lower, higher] end in the order of `rank`.
    oriented: Vec<[u32; 2]>,
    /// Out-neighbours in compressed rows: those of node u are `targets[start[u]..start[u + 1]]`.
    start: Vec<u32>,
    targets: Vec<u32>,
    /// Per node: the last node whose out-neighbours were marked.
    mark: Vec<u32>,
    /// Union–find forest: parent and (at roots) component size.
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Workspace {
    /// Measures each network and all of them together, as [`measure_all`]; the networks'
    /// structures are returned by [`Workspace::parts`] until the next measurement.
    pub fn measure_all<'a>(
        &mut self,
        networks: impl IntoIterator<Item = &'a Network>,
    ) -> Structure {
        self.parts.clear();
        self.pooled.clear();
        let mut total = Structure::default();
        for network in networks {
            let part = self.measure_pooled(network);
            total.members += part.members;
            total.links += part.links;
            total.sole_members += part.sole_members;
            total.max_degree = total.max_degree.max(part.max_degree);
            total.closed_triples += part.closed_triples;
            total.triples += part.triples;
            total.random_closed_triples += part.random_closed_triples;
            total.components += part.components;
            total.largest_component = total.largest_component.max(part.largest_component);
            self.parts.push(part);
        }
        total.top_decile_link_share = top_decile_share(&self.pooled, total.members, total.links);
        total
    }

    /// The structures of the networks of the last [`Workspace::measure_all`], in order.
    pub fn parts(&self) -> &[Structure] {
        &self.parts
    }

    /// Measures one network.
    pub fn measure(&mut self, network: &Network) -> Structure {
        self.pooled.clear();
        self.measure_pooled(network)
    }

    /// Measures `network` and adds its degrees to the pooled histogram.
    fn measure_pooled(&mut self, network: &Network) -> Structure {
        let members = network.members();
        if network.links() == 0 {
            // No ties: no triples, triangles or components, degree 0 everywhere, and the
            // top-decile share is undefined; the same values the general path gives, without
            // reading a member.
            add_count(&mut self.pooled, 0, members as u64);
            return Structure {
                members: members as u64,
                links: 0,
                sole_members: network.sole_members() as u64,
                max_degree: 0,
                top_decile_link_share: f64::NAN,
                closed_triples: 0,
                triples: 0,
                random_closed_triples: 0.0,
                components: 0,
                largest_component: 0,
            };
        }
        // Degrees counted from the ties (one contiguous array, read again just after) rather
        // than read from each member's adjacency list: the networks are measured once a year,
        // when their memory is no longer in the caches, so the lines read count more than the
        // instructions.
        let rank = &mut self.rank;
        rank.clear();
        rank.extend(0..members as u64);
        for [a, b] in network.tie_ends() {
            rank[a as usize] += 1 << 32;
            rank[b as usize] += 1 << 32;
        }
        // Ties exist, so the highest degree is at least 1.
        let max_degree = rank.iter().map(|key| key >> 32).max().unwrap_or(0);
        let histogram = &mut self.histogram;
        histogram.clear();
        histogram.resize(max_degree as usize + 1, 0);
        for key in rank.iter() {
            histogram[(key >> 32) as usize] += 1;
        }
        let triples: u64 = (0u64..)
            .zip(histogram.iter())
            .map(|(degree, count)| count * (degree * degree.saturating_sub(1) / 2))
            .sum();
        let links = network.links() as u64;
        let top_decile_link_share = top_decile_share(histogram, members as u64, links);
        if self.pooled.len() < histogram.len() {
            self.pooled.resize(histogram.len(), 0);
        }
        for (pooled, count) in self.pooled.iter_mut().zip(histogram.iter()) {
            *pooled += count;
        }
        let networked = members as u64 - histogram[0];
        let ((components, largest_component), closed_triples) =
            self.components_and_closed_triples(network, networked);
        let members_f = members as f64;
        let density = if members_f < 2.0 {
            0.0
        } else {
            network.links() as f64 / (members_f * (members_f - 1.0) / 2.0)
        };
        Structure {
            members: members as u64,
            links,
            sole_members: network.sole_members() as u64,
            max_degree,
            top_decile_link_share,
            closed_triples,
            triples,
            random_closed_triples: triples as f64 * density,
            components,
            largest_component,
        }
    }

    /// The components (count of those with two or more members, size of the largest) and
    /// 3 × triangles of a network with `networked` members of degree ≥ 1, from the ties read
    /// once in storage order and oriented into one contiguous array. Reads `self.rank` as filled
    /// by the caller.
    ///
    /// Components: union–find with path halving and union by size (Tarjan 1975, "Efficiency of
    /// a good but not linear set union algorithm", J. ACM 22(2)) over the oriented ties (a
    /// search along the adjacency lists would chase a pointer per member). The networked
    /// members start as `networked` groups and each union of two trees joins two of them, so
    /// the components of two or more members number `networked` − unions, and the largest is
    /// the largest tree a union made.
    ///
    /// Triangles: the "compact forward" algorithm (Latapy 2008, "Main-memory triangle
    /// computations for very large (sparse (power-law)) graphs", Theor. Comput. Sci. 407): each
    /// tie is oriented from the end of lower (degree, id) to the higher, and a triangle u < v < w
    /// is found once, as w among both u's and v's out-neighbours. Out-degrees are at most √(2L),
    /// so the cost is O(L·√L) at worst and far less on sparse networks; look-ups are array
    /// reads. A member with fewer than two out-neighbours is the lowest corner of no triangle
    /// and is skipped.
    fn components_and_closed_triples(
        &mut self,
        network: &Network,
        networked: u64,
    ) -> ((u64, u64), u64) {
        let members = network.members();
        let rank = &self.rank[..members];
        // Counts land two places on, so that after the prefix sum `start[u + 1]` is where u's
        // row begins and filling it moves that to where u's row ends, i.e. where u + 1's begins.
        let start = &mut self.start;
        start.clear();
        start.resize(members + 2, 0);
        let oriented = &mut self.oriented;
        oriented.clear();
        oriented.extend(network.tie_ends().map(|[a, b]| {
            if rank[a as usize] < rank[b as usize] {
                [a, b]
            } else {
                [b, a]
            }
        }));
        for &[low, _] in oriented.iter() {
            start[low as usize + 2] += 1;
        }
        // Each union of two trees joins two groups of networked members, which start apart.
        let parent = &mut self.parent;
        parent.clear();
        parent.extend(0..members as u32);
        let size = &mut self.size;
        size.clear();
        size.resize(members, 1);
        let mut unions = 0;
        let mut largest = 0;
        for &[a, b] in oriented.iter() {
            let (mut x, mut y) = (root(parent, a), root(parent, b));
            if x != y {
                if size[x as usize] < size[y as usize] {
                    std::mem::swap(&mut x, &mut y);
                }
                parent[y as usize] = x;
                size[x as usize] += size[y as usize];
                unions += 1;
                largest = largest.max(size[x as usize]);
            }
        }
        let components = networked - unions;
        let mut sum = 0;
        for entry in start.iter_mut() {
            sum += *entry;
            *entry = sum;
        }
        let targets = &mut self.targets;
        targets.clear();
        targets.resize(oriented.len(), 0);
        for &[low, high] in oriented.iter() {
            let cursor = &mut start[low as usize + 1];
            targets[*cursor as usize] = high;
            *cursor += 1;
        }
        let start = &start[..members + 1];
        let targets = &targets[..];
        let mark = &mut self.mark;
        mark.clear();
        mark.resize(members, u32::MAX);
        let mut triangles = 0u64;
        for (u, row) in (0u32..).zip(start.windows(2)) {
            let out = &targets[row[0] as usize..row[1] as usize];
            if out.len() < 2 {
                continue;
            }
            for &v in out {
                mark[v as usize] = u;
            }
            for &v in out {
                let next = &targets[start[v as usize] as usize..start[v as usize + 1] as usize];
                for &w in next {
                    triangles += u64::from(mark[w as usize] == u);
                }
            }
        }
        ((components, u64::from(largest)), 3 * triangles)
    }
}

/// The root of `node`'s tree in a union–find forest, halving the path on the way (each node
/// visited is linked to its grandparent).
fn root(parent: &mut [u32], mut node: u32) -> u32 {
    loop {
        let up = parent[node as usize];
        if up == node {
            return node;
        }
        let grandparent = parent[up as usize];
        parent[node as usize] = grandparent;
        node = grandparent;
    }
}

/// Adds `count` members of degree `degree` to a degree histogram.
fn add_count(histogram: &mut Vec<u64>, degree: usize, count: u64) {
    if histogram.len() <= degree {
        histogram.resize(degree + 1, 0);
    }
    histogram[degree] += count;
}

/// Share of the 2L tie endpoints held by the ⌈m/10⌉ members of highest degree (NaN if L = 0 or
/// m = 0), from the degree histogram of the m members: the highest degrees are taken from the
/// top of the histogram down, which sums the same degrees as sorting them would.
fn top_decile_share(histogram: &[u64], members: u64, links: u64) -> f64 {
    if links == 0 || members == 0 {
        return f64::NAN;
    }
    let mut left = members.div_ceil(10);
    let mut held = 0u64;
    for (degree, &count) in histogram.iter().enumerate().rev() {
        let taken = count.min(left);
        held += taken * degree as u64;
        left -= taken;
        if left == 0 {
            break;
        }
    }
    held as f64 / (2 * links) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Triangles and components agree with brute force: every triple of members, and a
        /// flood fill from every member.
        #[test]
        fn triangles_and_components_match_brute_force(
            members in 1u32..25,
            pairs in proptest::collection::vec((0u32..25, 0u32..25), 0..120),
        ) {
            let mut network = Network::default();
            for _ in 0..members {
                network.add_member(false);
            }
            for (a, b) in pairs {
                network.add_tie(a % members, b % members);
            }
            let mut triangles = 0;
            for a in 0..members {
                for b in a + 1..members {
                    for c in b + 1..members {
                        let closed = network.has_tie(a, b)
                            && network.has_tie(b, c)
                            && network.has_tie(a, c);
                        triangles += u64::from(closed);
                    }
                }
            }
            let mut group = vec![usize::MAX; members as usize];
            let mut sizes = Vec::new();
            for first in 0..members {
                if group[first as usize] != usize::MAX {
                    continue;
                }
                let mut stack = vec![first];
                group[first as usize] = sizes.len();
                let mut size = 0u64;
                while let Some(node) = stack.pop() {
                    size += 1;
                    for next in network.neighbours(node) {
                        if group[next as usize] == usize::MAX {
                            group[next as usize] = sizes.len();
                            stack.push(next);
                        }
                    }
                }
                sizes.push(size);
            }
            let structure = measure(&network);
            // A workspace that measured other networks first (a larger one, whose stale entries
            // must not leak into the rows, marks, forest or histograms) gives the same.
            let mut workspace = Workspace::default();
            let mut larger = network.clone();
            let first_new = larger.members() as u32;
            for _ in 0..30 {
                larger.add_member(true);
            }
            for node in first_new..larger.members() as u32 {
                larger.add_tie(node, node % first_new);
                larger.add_tie(node, (node + 7) % larger.members() as u32);
            }
            workspace.measure_all([&larger, &network]);
            prop_assert_eq!(workspace.measure(&network).bits(), structure.bits());
            prop_assert_eq!(structure.closed_triples, 3 * triangles);
            // The top decile by sorting the degrees.
            let mut degrees: Vec<u64> =
                (0..members).map(|node| network.degree(node) as u64).collect();
            degrees.sort_unstable_by(|a, b| b.cmp(a));
            let held: u64 = degrees[..degrees.len().div_ceil(10)].iter().sum();
            let expected = if network.links() == 0 {
                f64::NAN
            } else {
                held as f64 / (2 * network.links()) as f64
            };
            prop_assert_eq!(
                structure.top_decile_link_share.to_bits(),
                expected.to_bits()
            );
            prop_assert_eq!(structure.components, sizes.iter().filter(|s| **s >= 2).count() as u64);
            let largest = sizes.iter().copied().filter(|s| *s >= 2).max().unwrap_or(0);
            prop_assert_eq!(structure.largest_component, largest);
        }
    }

    /// A network of `members` regular members (the first `sole` of them sole proprietors) with
    /// the given ties.
    fn network(members: u32, sole: u32, ties: &[(u32, u32)]) -> Network {
        let mut network = Network::default();
        for node in 0..members {
            network.add_member(node < sole);
        }
        for &(a, b) in ties {
            assert!(network.add_tie(a, b));
        }
        network
    }

    #[test]
    fn a_triangle_is_fully_transitive_and_one_component() {
        let structure = measure(&network(3, 0, &[(0, 1), (1, 2), (0, 2)]));
        // Three triples (one centred on each member), all closed.
        assert_eq!(structure.triples, 3);
        assert_eq!(structure.closed_triples, 3);
        assert_eq!(structure.transitivity(), 1.0);
        assert_eq!(structure.random_transitivity(), 1.0, "density 1");
        assert_eq!(structure.max_degree, 2);
        // ⌈3/10⌉ = 1 member holds 2 of the 6 endpoints.
        assert_eq!(structure.top_decile_link_share, 2.0 / 6.0);
        assert_eq!((structure.components, structure.largest_component), (1, 3));
    }

    #[test]
    fn a_star_has_no_triangles_and_its_hub_holds_half_the_endpoints() {
        // Hub 0 with five leaves: C(5,2) = 10 open triples at the hub, none closed.
        let structure = measure(&network(6, 2, &[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]));
        assert_eq!(structure.triples, 10);
        assert_eq!(structure.closed_triples, 0);
        assert_eq!(structure.transitivity(), 0.0);
        // Density 5 / 15.
        assert_eq!(structure.random_transitivity(), 1.0 / 3.0);
        assert_eq!(structure.max_degree, 5);
        assert_eq!(structure.top_decile_link_share, 5.0 / 10.0);
        assert_eq!((structure.components, structure.largest_component), (1, 6));
        assert_eq!(structure.sole_member_share(), 2.0 / 6.0);
    }

    #[test]
    fn a_path_has_open_triples_only() {
        // 0-1-2-3: triples at 1 and 2, none closed; 12 members, ⌈12/10⌉ = 2 hold 4 of 6
        // endpoints; the 8 isolated members are no component.
        let structure = measure(&network(12, 0, &[(0, 1), (1, 2), (2, 3)]));
        assert_eq!(structure.triples, 2);
        assert_eq!(structure.transitivity(), 0.0);
        assert_eq!(structure.top_decile_link_share, 4.0 / 6.0);
        assert_eq!((structure.components, structure.largest_component), (1, 4));
    }

    #[test]
    fn two_components_are_counted_apart_and_pooled_in_the_total() {
        // A triangle {0,1,2} plus a pendant 3 on 2, and a separate pair {4,5}.
        let first = network(7, 1, &[(0, 1), (1, 2), (0, 2), (2, 3), (4, 5)]);
        let structure = measure(&first);
        assert_eq!((structure.components, structure.largest_component), (2, 4));
        // Triples: deg 2,2,3,1,1,1,0 → 1 + 1 + 3 = 5; closed 3 (one triangle).
        assert_eq!(structure.triples, 5);
        assert_eq!(structure.transitivity(), 3.0 / 5.0);
        // ⌈7/10⌉ = 1 member (degree 3) of 10 endpoints.
        assert_eq!(structure.top_decile_link_share, 0.3);

        // A second network, a star of three, pooled with the first.
        let second = network(3, 3, &[(0, 1), (0, 2)]);
        let (parts, total) = measure_all([&first, &second]);
        assert_eq!(parts[0].bits(), structure.bits());
        assert_eq!(parts[1].bits(), measure(&second).bits());
        assert_eq!((total.members, total.links, total.sole_members), (10, 7, 4));
        assert_eq!((total.components, total.largest_component), (3, 4));
        assert_eq!(total.transitivity(), 3.0 / 6.0);
        // Triples weighted by density: 5 · 5/21 + 1 · 2/3 over 6 triples.
        let expected = (5.0 * (5.0 / 21.0) + 2.0 / 3.0) / 6.0;
        assert!((total.random_transitivity() - expected).abs() < 1e-15);
        // Pooled degrees 3,2,2,2,1,1,1,1,1,0: ⌈10/10⌉ = 1 member holds 3 of 14 endpoints.
        assert_eq!(total.top_decile_link_share, 3.0 / 14.0);
    }

    #[test]
    fn a_clique_closes_every_triple() {
        // K5: C(5,3) = 10 triangles, each member has C(4,2) = 6 triples; density 1.
        let ties: Vec<(u32, u32)> = (0..5)
            .flat_map(|a| (a + 1..5).map(move |b| (a, b)))
            .collect();
        let structure = measure(&network(5, 0, &ties));
        assert_eq!(structure.closed_triples, 30);
        assert_eq!(structure.triples, 30);
        assert_eq!(structure.transitivity(), 1.0);
        assert_eq!(structure.random_transitivity(), 1.0);
        assert_eq!(structure.max_degree, 4);
        // ⌈5/10⌉ = 1 member holds 4 of the 20 endpoints.
        assert_eq!(structure.top_decile_link_share, 0.2);
        assert_eq!((structure.components, structure.largest_component), (1, 5));
    }

    #[test]
    fn the_top_decile_takes_part_of_a_tied_degree() {
        // 20 members, ⌈20/10⌉ = 2 in the top decile; four members share the highest degree 2
        // (a triangle 0-1-2 has degree 2 everywhere; a path 3-4-5 has its middle at 2), so the
        // top two hold 2 + 2 of the 2 · 5 = 10 endpoints whichever two are taken.
        let structure = measure(&network(20, 0, &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 5)]));
        assert_eq!(structure.top_decile_link_share, 4.0 / 10.0);
        assert_eq!(structure.triples, 3 + 1);
        assert_eq!(structure.closed_triples, 3);
        assert_eq!((structure.components, structure.largest_component), (2, 3));
    }

    #[test]
    fn an_empty_network_has_undefined_ratios() {
        let structure = measure(&network(4, 0, &[]));
        assert!(structure.transitivity().is_nan());
        assert!(structure.random_transitivity().is_nan());
        assert!(structure.top_decile_link_share.is_nan());
        assert_eq!((structure.components, structure.largest_component), (0, 0));
        assert!(measure(&Network::default()).sole_member_share().is_nan());
    }
}
