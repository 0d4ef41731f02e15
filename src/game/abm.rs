//! The agent-based counterpart of a game: N agents per population, pairwise imitation with the Fermi
//! rule (Szabó & Tőke 1998; Traulsen et al. 2006).
//!
//! In each step of length dt, every agent gets a revision opportunity with probability 2K·dt. A
//! revising agent picks a random peer of its own population; if the peer plays the other strategy, it
//! adopts it with probability 1/(1 + exp(−Δπ/K)), where Δπ is the peer's expected payoff minus its own
//! against the other populations' current mix. Updates are synchronous within a step.
//!
//! The expected change per step is exactly x_i ← x_i + p·x_i(1 − x_i)·tanh(D_i(x)/(2K)) with
//! p = 2K·dt (the mean-field map, [`mean_field_step`]). As dt → 0 it becomes the ODE
//! ẋ_i = 2K·x_i(1 − x_i)·tanh(D_i/(2K)), which tends to the replicator dynamics ẋ_i = x_i(1 − x_i)·D_i
//! as selection weakens (K → ∞). Large populations follow the map (law of large numbers), so with
//! small steps and weak selection they follow the replicator trajectory.

use super::Game;
use crate::engine::rng::{Purpose, StreamKey};

/// Mean-field velocity of the Fermi imitation process with noise `k`.
pub fn mean_field_velocity(game: &Game, k: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..game.size() {
        out[i] = 2.0 * k * x[i] * (1.0 - x[i]) * (game.advantage(i, x) / (2.0 * k)).tanh();
    }
}

/// One step of the exact expectation of the imitation process (the mean-field map).
pub fn mean_field_step(game: &Game, x: &mut [f64]) {
    let k = game.abm.noise;
    let p = 2.0 * k * game.abm.dt;
    let d: Vec<f64> = (0..game.size()).map(|i| game.advantage(i, x)).collect();
    for (xi, di) in x.iter_mut().zip(d) {
        *xi += p * *xi * (1.0 - *xi) * (di / (2.0 * k)).tanh();
    }
}

/// Simulate from `start` for the game's `t_max`; returns (t, shares) every `every` steps.
pub fn simulate(game: &Game, start: &[f64], every: usize) -> Vec<(f64, Vec<f64>)> {
    let settings = game.abm;
    let n = settings.agents as usize;
    let k = settings.noise;
    let revise = 2.0 * k * settings.dt;
    let steps = (game.integration.t_max / settings.dt).round() as usize;
    let key = StreamKey::new(settings.seed, 0);
    // Exactly round(x0·N) agents start on the first strategy.
    let mut agents: Vec<Vec<bool>> = start
        .iter()
        .map(|&x0| {
            (0..n)
                .map(|a| a < (x0 * n as f64).round() as usize)
                .collect()
        })
        .collect();
    let mut next = agents.clone();
    let shares = |agents: &[Vec<bool>]| -> Vec<f64> {
        agents
            .iter()
            .map(|pop| pop.iter().filter(|&&s| s).count() as f64 / n as f64)
            .collect()
    };
    let mut x = shares(&agents);
    let mut out = vec![(0.0, x.clone())];
    for step in 1..=steps {
        for (i, (pop, new)) in agents.iter().zip(next.iter_mut()).enumerate() {
            let d = game.advantage(i, &x);
            // Probability of adopting the first strategy from a peer (Δπ = D) and the second (Δπ = −D).
            let to_first = 1.0 / (1.0 + (-d / k).exp());
            let to_second = 1.0 - to_first;
            let mut rng = key.stream(Purpose::Design, step as u32, i as u32);
            for (a, s) in new.iter_mut().enumerate() {
                *s = pop[a];
                if !rng.chance(revise) {
                    continue;
                }
                let peer = ((rng.uniform() * n as f64) as usize).min(n - 1);
                if pop[peer] != pop[a] && rng.chance(if pop[peer] { to_first } else { to_second }) {
                    *s = pop[peer];
                }
            }
        }
        std::mem::swap(&mut agents, &mut next);
        x = shares(&agents);
        if step % every == 0 || step == steps {
            out.push((step as f64 * settings.dt, x.clone()));
        }
    }
    out
}
