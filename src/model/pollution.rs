//! Pollution stocks on the spillover graph (`docs/MODEL.md` §7.1).
//!
//! Each step, region r keeps `(1 − δ − out_r)·S_r`, loses `δ·S_r` to decay and sends `A[r][d]·S_r` to
//! each downstream region d; it then receives its emissions `E_r`. With `out_r = Σ_d A[r][d]`, what
//! leaves the basin is the part of `out_r` that no region receives (the river mouth of a chain).
//! Pollutant mass is conserved: Σ S(t+1) = Σ S(t) + Σ E − decayed − exported.

use crate::scenario::Topology;

/// Stocks and the flows of the last step.
#[derive(Debug, Clone)]
pub struct Basin {
    /// Stock per region (tonnes).
    pub stock: Vec<f64>,
    /// Spillover shares: `edges[u]` lists (d, share) pairs.
    edges: Vec<Vec<(usize, f64)>>,
    /// Outflow share per region (Σ over its edges, plus the river mouth for a chain's last region).
    out_share: Vec<f64>,
    decay: f64,
    /// Inflow each region received in the last step (tonnes).
    pub inflow: Vec<f64>,
    /// Mass sent from u to d in the last step, aligned with `edges`.
    pub flows: Vec<Vec<f64>>,
    /// Cumulative mass removed by decay and leaving the basin (tonnes).
    pub decayed: f64,
    pub exported: f64,
}

impl Basin {
    pub fn new(
        topology: &Topology,
        regions: usize,
        spillover: f64,
        decay: f64,
        initial: f64,
    ) -> Self {
        let (edges, out_share) = match topology {
            Topology::Chain => {
                let edges = (0..regions)
                    .map(|r| {
                        if r + 1 < regions {
                            vec![(r + 1, spillover)]
                        } else {
                            Vec::new()
                        }
                    })
                    .collect();
                // The last region's spillover leaves the basin through the river mouth.
                (edges, vec![spillover; regions])
            }
            Topology::Tree(downstream) => {
                let edges = downstream
                    .iter()
                    .map(|d| d.map(|d| vec![(d, spillover)]).unwrap_or_default())
                    .collect();
                // A mouth's spillover leaves its basin.
                (edges, vec![spillover; regions])
            }
            Topology::Matrix(a) => {
                let edges: Vec<Vec<(usize, f64)>> = a
                    .iter()
                    .map(|row| {
                        row.iter()
                            .copied()
                            .enumerate()
                            .filter(|(_, s)| *s > 0.0)
                            .collect()
                    })
                    .collect();
                let out = a.iter().map(|row| row.iter().sum()).collect();
                (edges, out)
            }
        };
        let flows = edges.iter().map(|e| vec![0.0; e.len()]).collect();
        Basin {
            stock: vec![initial; regions],
            edges,
            out_share,
            decay,
            inflow: vec![0.0; regions],
            flows,
            decayed: 0.0,
            exported: 0.0,
        }
    }

    /// Downstream neighbours of region `u` with their spillover shares.
    pub fn downstream(&self, u: usize) -> &[(usize, f64)] {
        &self.edges[u]
    }

    /// Advance one step with this step's emissions (tonnes per region); returns the mass that
    /// left the basin this step (decayed or exported).
    pub fn transport(&mut self, emissions: &[f64]) -> f64 {
        self.inflow.iter_mut().for_each(|x| *x = 0.0);
        let mut left = 0.0;
        for u in 0..self.stock.len() {
            let s = self.stock[u];
            let mut received = 0.0;
            for (k, &(d, share)) in self.edges[u].iter().enumerate() {
                let mass = share * s;
                self.flows[u][k] = mass;
                self.inflow[d] += mass;
                received += mass;
            }
            let decayed = self.decay * s;
            let exported = self.out_share[u] * s - received;
            self.decayed += decayed;
            self.exported += exported;
            left += decayed + exported;
        }
        for r in 0..self.stock.len() {
            let kept = (1.0 - self.decay - self.out_share[r]) * self.stock[r];
            self.stock[r] = kept + self.inflow[r] + emissions[r];
        }
        left
    }

    /// Share of region r's stock that leaves it each step (decay plus outflow).
    pub fn loss_share(&self, r: usize) -> f64 {
        self.decay + self.out_share[r]
    }

    pub fn total(&self) -> f64 {
        self.stock.iter().sum()
    }

    /// The regions of a river or river network ordered so that each comes after its downstream
    /// region: by the number of links to the mouth, each region's counted once (the walk stops at
    /// a region already counted).
    fn mouth_first(&self) -> Vec<usize> {
        let n = self.stock.len();
        let mut hops: Vec<Option<usize>> = vec![None; n];
        let mut path = Vec::new();
        for start in 0..n {
            let mut u = start;
            while hops[u].is_none() {
                match self.edges[u].first() {
                    Some(&(d, _)) => {
                        path.push(u);
                        u = d;
                    }
                    None => hops[u] = Some(0),
                }
            }
            let mut k = hops[u].unwrap_or(0);
            while let Some(v) = path.pop() {
                k += 1;
                hops[v] = Some(k);
            }
        }
        let mut order: Vec<(usize, usize)> = hops
            .into_iter()
            .enumerate()
            .map(|(u, k)| (k.unwrap_or(0), u))
            .collect();
        order.sort_unstable();
        order.into_iter().map(|(_, u)| u).collect()
    }

    /// Where a tonne emitted in each region spends its time (see [`Residence`]).
    pub fn residence(&self, topology: &Topology) -> Residence {
        let n = self.stock.len();
        let loss: Vec<f64> = (0..n).map(|r| self.loss_share(r)).collect();
        match topology {
            Topology::Chain | Topology::Tree(_) => {
                // G[u][u] = 1/(δ + out_u); each step down the river multiplies by the share passed on
                // over the receiver's loss. Totals by recursion from the mouths up:
                // T_u = G[u][u]·(1 + s_u·T_d) for u's downstream region d.
                let own: Vec<f64> = loss.iter().map(|l| 1.0 / l).collect();
                let mut total = own.clone();
                for u in self.mouth_first() {
                    if let Some(&(d, share)) = self.edges[u].first() {
                        total[u] = own[u] * (1.0 + share * total[d]);
                    }
                }
                Residence {
                    n,
                    own,
                    total,
                    response: Response::Chain(
                        self.edges.iter().map(|e| e.first().copied()).collect(),
                    ),
                }
            }
            Topology::Matrix(_) => {
                // G = (D − Aᵀ)⁻¹ with D = diag(δ + out): column-diagonally dominant for δ > 0.
                let mut m = vec![0.0; n * n];
                for k in 0..n {
                    m[k * n + k] = loss[k];
                }
                for (u, edges) in self.edges.iter().enumerate() {
                    for &(d, share) in edges {
                        m[d * n + u] -= share;
                    }
                }
                let g = invert(m, n);
                let own = (0..n).map(|u| g[u * n + u]).collect();
                let total = (0..n).map(|u| (0..n).map(|k| g[k * n + u]).sum()).collect();
                Residence {
                    n,
                    own,
                    total,
                    response: Response::Dense(g),
                }
            }
        }
    }
}

/// The steady-state response of the stocks to emissions, G = (D − Aᵀ)⁻¹ with D = diag(δ + out):
/// a constant emission of 1 t/month in region u holds G\[k\]\[u\] tonnes in region k (the linear stock
/// equation's fixed point, S = M·S + E with M the transport step). Equivalently, G\[k\]\[u\] is the number
/// of months a tonne emitted in u spends in k. With damage d per tonne-month, a tonne emitted in u does
/// d·G\[u\]\[u\] at home and d·Σ_{k≠u} G\[k\]\[u\] downstream (`docs/MODEL.md` §7.9 and §7.8).
#[derive(Debug, Clone)]
pub struct Residence {
    n: usize,
    own: Vec<f64>,
    total: Vec<f64>,
    response: Response,
}

#[derive(Debug, Clone)]
enum Response {
    /// A river: the single downstream neighbour of each region and its share.
    Chain(Vec<Option<(usize, f64)>>),
    /// Row-major G for a matrix basin.
    Dense(Vec<f64>),
}

impl Residence {
    /// Months a tonne emitted in u stays in u (G\[u\]\[u\]).
    pub fn own(&self, u: usize) -> f64 {
        self.own[u]
    }

    /// Months a tonne emitted in u stays in the basin (Σ_k G\[k\]\[u\]).
    pub fn total(&self, u: usize) -> f64 {
        self.total[u]
    }

    /// Call `f(k, G[k][u])` for every other region k the emission of u reaches. On a river the walk
    /// stops once G falls below 10⁻¹³ of G\[u\]\[u\], so a long river costs O(reach), not O(N).
    pub fn for_each_reached(&self, u: usize, mut f: impl FnMut(usize, f64)) {
        match &self.response {
            Response::Chain(next) => {
                let floor = 1e-13 * self.own[u];
                let (mut k, mut g) = (u, self.own[u]);
                while let Some((d, share)) = next[k] {
                    g *= share * self.own[d];
                    if g < floor {
                        break;
                    }
                    f(d, g);
                    k = d;
                }
            }
            Response::Dense(g) => {
                for k in (0..self.n).filter(|&k| k != u) {
                    let v = g[k * self.n + u];
                    if v > 0.0 {
                        f(k, v);
                    }
                }
            }
        }
    }
}

/// Inverse of a row-major n × n matrix by Gauss–Jordan elimination with partial pivoting. Only called
/// on D − Aᵀ, which is non-singular when pollution decays (the scenario check requires it).
fn invert(mut m: Vec<f64>, n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&a, &b| m[a * n + col].abs().total_cmp(&m[b * n + col].abs()))
            .expect("a non-empty column");
        if pivot != col {
            for j in 0..n {
                m.swap(col * n + j, pivot * n + j);
                inv.swap(col * n + j, pivot * n + j);
            }
        }
        let scale = 1.0 / m[col * n + col];
        for j in 0..n {
            m[col * n + j] *= scale;
            inv[col * n + j] *= scale;
        }
        for row in (0..n).filter(|&r| r != col) {
            let factor = m[row * n + col];
            if factor != 0.0 {
                for j in 0..n {
                    m[row * n + j] -= factor * m[col * n + j];
                    inv[row * n + j] -= factor * inv[col * n + j];
                }
            }
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_stock_approaches_emission_over_decay_geometrically() {
        // S(t) − E/δ = (1 − δ)^t (S0 − E/δ): the closed form of the linear stock equation.
        let (e, delta, s0) = (12.0, 0.1, 500.0);
        let mut b = Basin::new(&Topology::Chain, 1, 0.0, delta, s0);
        for t in 1..=60 {
            b.transport(&[e]);
            let expected = e / delta + (1.0 - delta).powi(t) * (s0 - e / delta);
            assert!((b.stock[0] - expected).abs() < 1e-9 * expected, "t={t}");
        }
    }

    #[test]
    fn matrix_transport_conserves_mass() {
        let a = vec![
            vec![0.0, 0.2, 0.1],
            vec![0.05, 0.0, 0.3],
            vec![0.0, 0.0, 0.0],
        ];
        let mut b = Basin::new(&Topology::Matrix(a), 3, 0.0, 0.1, 100.0);
        let start = b.total();
        let mut emitted = 0.0;
        for t in 0..50 {
            let e = [1.0 + t as f64, 2.0, 0.5];
            emitted += e.iter().sum::<f64>();
            b.transport(&e);
        }
        let balance = start + emitted - b.decayed - b.exported;
        assert!((b.total() - balance).abs() < 1e-9 * balance);
        // Row 2 has no outflow and row 0/1 send everything to regions: nothing leaves the basin.
        assert!(b.exported.abs() < 1e-9);
    }

    /// Feed a constant unit emission into region u until the stocks settle: the simulated G[·][u].
    fn settled_response(
        topology: &Topology,
        n: usize,
        spillover: f64,
        decay: f64,
        u: usize,
    ) -> Vec<f64> {
        let mut b = Basin::new(topology, n, spillover, decay, 0.0);
        let mut e = vec![0.0; n];
        e[u] = 1.0;
        for _ in 0..5_000 {
            b.transport(&e);
        }
        b.stock
    }

    #[test]
    fn residence_is_the_fixed_point_of_transport() {
        let a = vec![
            vec![0.0, 0.2, 0.1],
            vec![0.05, 0.0, 0.3],
            vec![0.4, 0.0, 0.0],
        ];
        // Two basins: 3 → 1 → 0 (mouth) with 2 → 1 as a tributary, and 4 (a mouth of its own),
        // listed so that a region's downstream region may come before or after it.
        let tree = Topology::Tree(vec![None, Some(0), Some(1), Some(1), None]);
        for (topology, spillover, n) in [
            (Topology::Chain, 0.25, 3),
            (Topology::Matrix(a), 0.0, 3),
            (tree, 0.3, 5),
        ] {
            let b = Basin::new(&topology, n, spillover, 0.05, 0.0);
            let res = b.residence(&topology);
            for u in 0..n {
                let s = settled_response(&topology, n, spillover, 0.05, u);
                assert!(
                    (res.own(u) - s[u]).abs() < 1e-9 * s[u],
                    "{topology:?} own {u}"
                );
                let total: f64 = s.iter().sum();
                assert!(
                    (res.total(u) - total).abs() < 1e-9 * total,
                    "{topology:?} total {u}"
                );
                let mut reached = vec![0.0; n];
                res.for_each_reached(u, |k, g| reached[k] = g);
                for k in (0..n).filter(|&k| k != u) {
                    assert!(
                        (reached[k] - s[k]).abs() < 1e-9 * total,
                        "{topology:?} G[{k}][{u}]"
                    );
                }
            }
        }
    }

    #[test]
    fn chain_exports_only_through_the_last_region() {
        let mut b = Basin::new(&Topology::Chain, 3, 0.3, 0.1, 10.0);
        b.transport(&[0.0; 3]);
        assert!((b.exported - 3.0).abs() < 1e-12);
        assert!((b.inflow[1] - 3.0).abs() < 1e-12 && (b.inflow[0]).abs() < 1e-12);
    }
}
