//! The pure planning step: outbox rows → what to do now.

use eingang_store::tables::outbox::OutboxRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Deliver {
        outbox_id: i64,
        item_kind: String,
        item_id: String,
        attempts: i64,
        /// An earlier attempt may have stored part or all of it (it failed, or a process
        /// died while it was in flight): the connector checks before writing.
        retry: bool,
    },
    /// Not yet due (backing off after a failure) until the given time.
    Wait { outbox_id: i64, until: i64 },
}

/// Pending and failed rows whose time has come are delivered; failed rows still backing off
/// wait; delivered and paused rows are left alone. In creation order.
pub fn plan(rows: &[OutboxRow], now: i64) -> Vec<Op> {
    rows.iter()
        .filter(|r| matches!(r.state.as_str(), "pending" | "failed" | "in_flight"))
        .map(|r| match r.next_attempt_at {
            Some(t) if t > now => Op::Wait {
                outbox_id: r.id,
                until: t,
            },
            _ => Op::Deliver {
                outbox_id: r.id,
                item_kind: r.item_kind.clone(),
                item_id: r.item_id.clone(),
                attempts: r.attempts,
                retry: r.attempts > 0 || r.state == "in_flight",
            },
        })
        .collect()
}

/// Backoff bounds: the first retry within `base_ms`, growing ×2 per attempt up to `cap_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: i64,
    pub cap_ms: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base_ms: 5_000,
            cap_ms: 3_600_000,
        }
    }
}

/// Exponential backoff with full jitter: a delay in [1 s, 1 s + min(cap, base · 2^attempts)),
/// the jitter taken from `seed` (the caller's clock) so the function stays pure. (A retry
/// crate such as `backon` keeps its state in memory; ours must survive a restart, so the
/// next attempt time is stored in the outbox row and computed here.)
pub fn backoff_ms(attempts: i64, seed: i64, b: Backoff) -> i64 {
    let exp = b.base_ms.saturating_mul(1_i64 << attempts.clamp(0, 20));
    let ceiling = exp.min(b.cap_ms).max(1);
    // A cheap, well-spread hash of the seed (splitmix64).
    let mut z = u64::from_ne_bytes(seed.to_ne_bytes()).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    b.base_ms.min(1_000) + i64::try_from(z % u64::try_from(ceiling).unwrap_or(1)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, state: &str, next: Option<i64>) -> OutboxRow {
        OutboxRow {
            id,
            item_kind: "submission".into(),
            item_id: format!("s{id}"),
            target: "default".into(),
            state: state.into(),
            attempts: 2,
            next_attempt_at: next,
        }
    }

    #[test]
    fn due_items_are_delivered_backing_off_ones_wait_and_done_ones_are_left_alone() {
        let rows = [
            row(1, "pending", None),
            row(2, "failed", Some(500)),
            row(3, "failed", Some(2_000)),
            row(4, "delivered", None),
            row(5, "paused", None),
            row(6, "in_flight", None),
            row(7, "failed_permanently", None),
        ];
        let ops = plan(&rows, 1_000);
        assert_eq!(
            ops,
            [
                Op::Deliver {
                    outbox_id: 1,
                    item_kind: "submission".into(),
                    item_id: "s1".into(),
                    attempts: 2,
                    retry: true
                },
                Op::Deliver {
                    outbox_id: 2,
                    item_kind: "submission".into(),
                    item_id: "s2".into(),
                    attempts: 2,
                    retry: true
                },
                Op::Wait {
                    outbox_id: 3,
                    until: 2_000
                },
                Op::Deliver {
                    outbox_id: 6,
                    item_kind: "submission".into(),
                    item_id: "s6".into(),
                    attempts: 2,
                    retry: true
                },
            ],
            "an item left in flight by a killed process is delivered again (idempotently)"
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for attempts in 0..30 {
            for seed in [0, 1, 42, i64::MAX] {
                let d = backoff_ms(attempts, seed, Backoff::default());
                assert!((1_000..=3_601_000).contains(&d), "{attempts}: {d}");
            }
        }
        let spread: std::collections::HashSet<i64> = (0..50)
            .map(|s| backoff_ms(5, s, Backoff::default()))
            .collect();
        assert!(spread.len() > 40, "full jitter spreads retries");
        let fast = Backoff {
            base_ms: 50,
            cap_ms: 400,
        };
        assert!((0..100).all(|s| backoff_ms(9, s, fast) <= 450));
    }
}
