//! The idle lock decision (SECURITY.md 38, 39).
//!
//! The time of the last key press is kept twice: as an [`Instant`] (monotonic, immune to the
//! wall clock being set) and as a [`SystemTime`] (wall clock, which keeps running while the
//! machine is suspended, when the monotonic clock stops: rust-lang/rust#87906). The client locks
//! when *either* says more than the idle time has passed. The clock is injected ([`Clock`]) so
//! tests can move either one on its own.
//!
//! Only key presses and pastes call [`IdleTimer::touch`]; API replies, resizes and timers never
//! do. Every way into the unlocked state (sign-in, unlock) calls it too, so the timer starts.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A source of both clocks.
pub trait Clock: Send + Sync {
    /// Monotonic now.
    fn instant(&self) -> Instant;
    /// Wall-clock now.
    fn system(&self) -> SystemTime;
}

/// The real clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn instant(&self) -> Instant {
        Instant::now()
    }
    fn system(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock for tests: starts at the real time and moves only when told.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<(Instant, SystemTime)>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            now: Mutex::new((Instant::now(), SystemTime::now())),
        }
    }
}

impl ManualClock {
    /// A clock whose wall clock reads `wall` (snapshot tests, which show times).
    pub fn at(wall: SystemTime) -> ManualClock {
        ManualClock {
            now: Mutex::new((Instant::now(), wall)),
        }
    }

    /// Move both clocks forward (time passing while the machine is awake).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        now.0 += by;
        now.1 += by;
    }
    /// Move only the wall clock (the machine was suspended: the monotonic clock stood still).
    pub fn jump_wall(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        now.1 += by;
    }
}

impl Clock for ManualClock {
    fn instant(&self) -> Instant {
        self.now.lock().unwrap_or_else(|e| e.into_inner()).0
    }
    fn system(&self) -> SystemTime {
        self.now.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}

/// When the last key was pressed, by both clocks.
#[derive(Debug, Clone, Copy)]
pub struct IdleTimer {
    idle_lock: Duration,
    last_key_instant: Instant,
    last_key_system: SystemTime,
}

impl IdleTimer {
    /// A timer that starts now.
    pub fn new(idle_lock: Duration, clock: &dyn Clock) -> Self {
        IdleTimer {
            idle_lock,
            last_key_instant: clock.instant(),
            last_key_system: clock.system(),
        }
    }

    /// A key was pressed (or the user just got into the unlocked state): start again.
    pub fn touch(&mut self, clock: &dyn Clock) {
        self.last_key_instant = clock.instant();
        self.last_key_system = clock.system();
    }

    /// The configured idle time.
    pub fn idle_lock(&self) -> Duration {
        self.idle_lock
    }

    /// True when either clock says the idle time has passed. A wall clock that went backwards
    /// counts as no time passed on that clock (the monotonic one still decides).
    pub fn expired(&self, clock: &dyn Clock) -> bool {
        let mono = clock.instant().saturating_duration_since(self.last_key_instant);
        let wall = clock
            .system()
            .duration_since(self.last_key_system)
            .unwrap_or(Duration::ZERO);
        mono >= self.idle_lock || wall >= self.idle_lock
    }

    /// How long until the lock is due, by the stricter of the two clocks (zero when due).
    pub fn remaining(&self, clock: &dyn Clock) -> Duration {
        let mono = clock.instant().saturating_duration_since(self.last_key_instant);
        let wall = clock
            .system()
            .duration_since(self.last_key_system)
            .unwrap_or(Duration::ZERO);
        self.idle_lock.saturating_sub(mono.max(wall))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_secs(120);

    #[test]
    fn locks_after_the_idle_time_on_the_monotonic_clock() {
        let clock = ManualClock::default();
        let timer = IdleTimer::new(IDLE, &clock);
        clock.advance(Duration::from_secs(119));
        assert!(!timer.expired(&clock));
        assert_eq!(timer.remaining(&clock), Duration::from_secs(1));
        clock.advance(Duration::from_secs(1));
        assert!(timer.expired(&clock));
        assert_eq!(timer.remaining(&clock), Duration::ZERO);
    }

    #[test]
    fn a_wall_clock_jump_alone_locks() {
        let clock = ManualClock::default();
        let timer = IdleTimer::new(IDLE, &clock);
        clock.jump_wall(Duration::from_secs(3600));
        assert!(timer.expired(&clock));
    }

    #[test]
    fn a_key_press_starts_again_and_a_backwards_wall_clock_is_harmless() {
        let clock = ManualClock::default();
        let mut timer = IdleTimer::new(IDLE, &clock);
        clock.advance(Duration::from_secs(100));
        timer.touch(&clock);
        clock.advance(Duration::from_secs(100));
        assert!(!timer.expired(&clock));
        let mut back = IdleTimer::new(IDLE, &clock);
        back.last_key_system += Duration::from_secs(3600);
        assert!(!back.expired(&clock));
        clock.advance(IDLE);
        assert!(back.expired(&clock));
    }
}
