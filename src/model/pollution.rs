//! Pollution stocks on the spillover graph (ODD submodel "Pollution").
//!
//! Each step, region r keeps `(1 − δ − out_r)·S_r`, loses `δ·S_r` to decay and sends `A[r][d]·S_r` to
//! each downstream region d; it then receives its emissions `E_r`. With `out_r = Σ_d A[r][d]`, what
//! leaves the basin is the part of `out_r` that no region receives (the river mouth of a chain).
//! Pollutant mass is conserved: Σ S(t+1) = Σ S(t) + Σ E − decayed − exported.

use crate::scenario::validate::Topology;

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

    /// Advance one step with this step's emissions (tonnes per region).
    pub fn transport(&mut self, emissions: &[f64]) {
        self.inflow.iter_mut().for_each(|x| *x = 0.0);
        for u in 0..self.stock.len() {
            let s = self.stock[u];
            let mut received = 0.0;
            for (k, &(d, share)) in self.edges[u].iter().enumerate() {
                let mass = share * s;
                self.flows[u][k] = mass;
                self.inflow[d] += mass;
                received += mass;
            }
            self.decayed += self.decay * s;
            self.exported += self.out_share[u] * s - received;
        }
        for r in 0..self.stock.len() {
            let kept = (1.0 - self.decay - self.out_share[r]) * self.stock[r];
            self.stock[r] = kept + self.inflow[r] + emissions[r];
        }
    }

    /// Share of region r's stock that leaves it each step (decay plus outflow).
    pub fn loss_share(&self, r: usize) -> f64 {
        self.decay + self.out_share[r]
    }

    pub fn total(&self) -> f64 {
        self.stock.iter().sum()
    }
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

    #[test]
    fn chain_exports_only_through_the_last_region() {
        let mut b = Basin::new(&Topology::Chain, 3, 0.3, 0.1, 10.0);
        b.transport(&[0.0; 3]);
        assert!((b.exported - 3.0).abs() < 1e-12);
        assert!((b.inflow[1] - 3.0).abs() < 1e-12 && (b.inflow[0]).abs() < 1e-12);
    }
}
