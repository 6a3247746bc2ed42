//! The limiter of the sign-in routes (SECURITY.md rule 14): 429 with `Retry-After`, so that
//! locking every staff account out, or guessing at many accounts, is slow. It is not the
//! lock-out (that is the counter of `store::users`); it only slows things down.
//!
//! A school reaches a hosted server through one NAT address, and at 8:30 its whole staff room
//! signs in through it. So nothing is limited per address alone except what names a new
//! account: each step is counted per **address and the account it names** (for a login the
//! normalised email; for a step that carries a challenge or a bearer token, that challenge or
//! token, which stands for one account's sign-in), with a small burst, and the logins of an
//! address (together with challenges that name no sign-in at all) are counted against a far
//! higher ceiling per address. Sixty staff signing in with 2FA within a minute from one address
//! all get through; one address trying a hundred accounts is slowed.
//!
//! Addresses come from the TCP connection (no proxy header is trusted). IPv6 addresses are
//! grouped by their /64, which one subscriber usually holds whole; an IPv4-mapped IPv6 address
//! is its IPv4 address. Keys are kept as short hashes, and the limiter's memory is bounded: every
//! [`SWEEP_EVERY`] checks it forgets keys whose bucket is full again (governor's
//! `retain_recent`), and past [`LimiterConfig::max_keys`] it forgets a table entirely (failing
//! open for that table; the lock-out still holds) and says so in the log.
//!
//! The buckets use the process's monotonic clock (governor's), not the injected server clock:
//! moving a test's clock does not refill them.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

/// How many checks pass between two sweeps of the keyed state.
pub const SWEEP_EVERY: u64 = 1024;

/// The buckets of a [`Limiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Each address and account: a burst, then one more every period.
    pub per_account: Quota,
    /// Each address alone, counting logins and unknown challenges.
    pub per_address: Quota,
    /// The most keys either table holds before it is forgotten.
    pub max_keys: usize,
}

impl Default for LimiterConfig {
    /// Per address and account: 10 at once, one more every 6 s (Vaultwarden's login limiter,
    /// now per account). Per address: 80 logins at once, one more every second, so 60 staff
    /// signing in at 8:30 from one address are never refused while a hundred accounts tried
    /// in a row are.
    fn default() -> LimiterConfig {
        LimiterConfig {
            per_account: quota(10, Duration::from_secs(6)),
            per_address: quota(80, Duration::from_secs(1)),
            max_keys: 100_000,
        }
    }
}

/// A burst of `burst` and one more every `period`.
fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// An address as the limiter counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKey {
    /// An IPv4 address (or an IPv4-mapped IPv6 one).
    V4([u8; 4]),
    /// The /64 of an IPv6 address.
    V6([u8; 8]),
}

impl From<IpAddr> for AddressKey {
    fn from(addr: IpAddr) -> AddressKey {
        match addr {
            IpAddr::V4(v4) => AddressKey::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey::V4(v4.octets()),
                None => {
                    let mut prefix = [0u8; 8];
                    prefix.copy_from_slice(&v6.octets()[..8]);
                    AddressKey::V6(prefix)
                }
            },
        }
    }
}

/// What a sign-in step names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named<'a> {
    /// An account, by its normalised email: a login. Counts against the address's ceiling too.
    Account(&'a str),
    /// A sign-in in progress, by its challenge or bearer token (or the token's hash).
    SignIn(&'a str),
}

/// A key of the per-account table: the address and a short hash of what the step names.
type AccountKey = (AddressKey, [u8; 16]);

/// One keyed table of buckets, which can be forgotten whole.
#[derive(Debug)]
struct Table<K: Hash + Eq + Clone> {
    quota: Quota,
    buckets: RwLock<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(quota: Quota) -> Table<K> {
        Table {
            quota,
            buckets: RwLock::new(RateLimiter::keyed(quota)),
        }
    }

    /// Take one token of `key`, or answer how long until there is one.
    fn take(&self, key: &K) -> Result<(), Duration> {
        let buckets = self.buckets.read().unwrap_or_else(|e| e.into_inner());
        buckets
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Forget the keys whose buckets are full again; if more than `max_keys` remain, forget
    /// them all (the lock-out still holds; this only slows down).
    fn bound(&self, max_keys: usize, what: &str) {
        let mut buckets = self.buckets.write().unwrap_or_else(|e| e.into_inner());
        buckets.retain_recent();
        if buckets.len() > max_keys {
            tracing::warn!(
                keys = buckets.len(),
                table = what,
                "the sign-in limiter forgot a full table"
            );
            *buckets = RateLimiter::keyed(self.quota);
        }
        buckets.shrink_to_fit();
    }
}

/// The limiter (see the module documentation).
#[derive(Debug)]
pub struct Limiter {
    per_account: Table<AccountKey>,
    per_address: Table<AddressKey>,
    max_keys: usize,
    checks: AtomicU64,
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter::new(LimiterConfig::default())
    }
}

impl Limiter {
    /// A limiter with these buckets.
    pub fn new(config: LimiterConfig) -> Limiter {
        Limiter {
            per_account: Table::new(config.per_account),
            per_address: Table::new(config.per_address),
            max_keys: config.max_keys,
            checks: AtomicU64::new(0),
        }
    }

    /// Count one sign-in step from `addr` naming `named`; `Err` is how long to wait. The
    /// account's bucket is checked first, so hammering one account does not use up the
    /// ceiling the whole address shares.
    pub fn check(&self, addr: IpAddr, named: Named<'_>) -> Result<(), Duration> {
        self.sweep();
        let address = AddressKey::from(addr);
        let (kind, value) = match named {
            Named::Account(email) => (b'a', email),
            Named::SignIn(reference) => (b's', reference),
        };
        let digest = Sha256::new()
            .chain_update([kind])
            .chain_update(value.as_bytes())
            .finalize();
        let mut short = [0u8; 16];
        short.copy_from_slice(&digest[..16]);
        self.per_account.take(&(address, short))?;
        match named {
            Named::Account(_) => self.per_address.take(&address),
            Named::SignIn(_) => Ok(()),
        }
    }

    /// Count a step from `addr` that named no sign-in at all (an unknown challenge) against
    /// the address's ceiling, like a login; `Err` is how long to wait.
    pub fn charge_address(&self, addr: IpAddr) -> Result<(), Duration> {
        self.per_address.take(&AddressKey::from(addr))
    }

    /// How many keys the two tables hold.
    #[cfg(test)]
    fn tracked_keys(&self) -> usize {
        self.per_account.len() + self.per_address.len()
    }

    /// Every [`SWEEP_EVERY`] checks, forget the keys whose buckets are full again, and a table
    /// that is still over the bound.
    fn sweep(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        self.per_account.bound(self.max_keys, "address and account");
        self.per_address.bound(self.max_keys, "address");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            AddressKey::from(ip("2001:db8:1:2:aaaa::1")),
            AddressKey::from(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            AddressKey::from(ip("2001:db8:1:2::1")),
            AddressKey::from(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            AddressKey::from(ip("::ffff:192.0.2.7")),
            AddressKey::from(ip("192.0.2.7"))
        );
        assert_ne!(AddressKey::from(ip("192.0.2.7")), AddressKey::from(ip("192.0.2.8")));
    }

    #[test]
    fn each_account_has_its_bucket_and_the_address_a_higher_ceiling() {
        let limiter = Limiter::new(LimiterConfig {
            per_account: quota(3, Duration::from_secs(60)),
            per_address: quota(5, Duration::from_secs(60)),
            max_keys: 100,
        });
        let addr = ip("2001:db8::1");
        for _ in 0..3 {
            assert!(limiter.check(addr, Named::Account("a@school.test")).is_ok());
        }
        let wait = limiter.check(addr, Named::Account("a@school.test")).unwrap_err();
        assert!(wait > Duration::from_secs(1), "{wait:?}");
        // The refused attempt at one account took nothing from the address.
        assert!(limiter.check(addr, Named::Account("b@school.test")).is_ok());
        assert!(limiter.check(addr, Named::Account("c@school.test")).is_ok());
        assert!(
            limiter.check(addr, Named::Account("d@school.test")).is_err(),
            "the ceiling"
        );
        // Steps of sign-ins in progress are not counted against the address.
        for n in 0..10 {
            assert!(limiter.check(addr, Named::SignIn(&format!("challenge-{n}"))).is_ok());
        }
        assert!(
            limiter
                .check(ip("2001:db8:0:1::1"), Named::Account("d@school.test"))
                .is_ok()
        );
        assert!(limiter.charge_address(addr).is_err());
    }

    #[test]
    fn memory_is_bounded() {
        let limiter = Limiter::new(LimiterConfig {
            per_account: quota(1, Duration::from_secs(3600)),
            per_address: quota(1, Duration::from_secs(3600)),
            max_keys: 100,
        });
        for n in 0..(3 * SWEEP_EVERY) {
            let _ = limiter.check(ip("192.0.2.1"), Named::SignIn(&n.to_string()));
        }
        assert!(
            limiter.tracked_keys() <= SWEEP_EVERY as usize + 100,
            "{}",
            limiter.tracked_keys()
        );
    }
}
