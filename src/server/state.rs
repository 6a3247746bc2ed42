//! Shared state of the server: the store, the clock, the sealing key, the policy, the
//! limiter of the sign-in routes, the group-commit writer of clicks and the WAL checkpointer.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::TimeDelta;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::checkpointer::Checkpointer;
use super::click_writer::ClickWriter;
use super::clock::Clock;
use super::limiter::Limiter;
use super::store::{Lockout, Store};

/// Time limits and thresholds of the security policy (SECURITY.md 10, 19, 23, 9; ASVS 5.0 7.5.1).
#[derive(Debug, Clone)]
pub struct Policy {
    /// A session unused for this long expires.
    pub session_idle: TimeDelta,
    /// A session expires this long after sign-in whatever happens.
    pub session_absolute: TimeDelta,
    /// A login challenge expires this long after it was issued.
    pub challenge_ttl: TimeDelta,
    /// This many successive failures lock an account.
    pub lockout_threshold: i64,
    /// A sign-in attempt still being checked this long after the account's last reservation is
    /// taken for a check that died: its in-flight slot no longer stops a success from
    /// resetting the count (`store::users`).
    pub attempt_stale: TimeDelta,
    /// A temporary password expires this long after it was set.
    pub temporary_password_ttl: TimeDelta,
    /// A signed-in user may add a second factor only this long after giving their password
    /// (signing in, `/auth/reauth` or a password change).
    pub recent_authentication: TimeDelta,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            session_idle: TimeDelta::minutes(30),
            session_absolute: TimeDelta::hours(12),
            challenge_ttl: TimeDelta::minutes(5),
            lockout_threshold: 6,
            attempt_stale: TimeDelta::seconds(120),
            temporary_password_ttl: TimeDelta::hours(72),
            recent_authentication: TimeDelta::minutes(5),
        }
    }
}

impl Policy {
    /// The lock-out rule as the store applies it.
    pub fn lockout(&self) -> Lockout {
        Lockout {
            threshold: self.lockout_threshold,
            stale_after: self.attempt_stale.num_seconds(),
        }
    }
}

/// The 32-byte server key that seals TOTP secrets (ChaCha20-Poly1305) and keys the HMACs under
/// which the server refers to values it must not store in a guessable form ([`ServerKey::mac`]).
/// It lives outside the database: in a key file, or in memory for the demo.
#[derive(Clone)]
pub struct ServerKey(Arc<Zeroizing<[u8; 32]>>);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(REDACTED)")
    }
}

/// Why a sealed value could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("a sealed secret could not be opened (wrong server key or damaged data)")]
pub struct UnsealError;

impl ServerKey {
    /// A fresh random key (the demo's, which dies with the process).
    pub fn generate() -> ServerKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        super::auth::fill_random(bytes.as_mut_slice());
        ServerKey(Arc::new(bytes))
    }

    /// Read the key file (64 hex digits), creating it with mode 0600 if it is missing.
    pub fn load_or_create(path: &Path) -> Result<ServerKey, String> {
        if let Some(key) = ServerKey::load(path)? {
            return Ok(key);
        }
        let key = ServerKey::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create the key file {}: {e}", path.display()))?;
        let text = Zeroizing::new(hex::encode(key.0.as_slice()));
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| format!("cannot write the key file {}: {e}", path.display()))?;
        Ok(key)
    }

    /// Read the key file (64 hex digits); `None` when there is none. A file other users may
    /// read is refused.
    pub fn load(path: &Path) -> Result<Option<ServerKey>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0);
                    if mode & 0o077 != 0 {
                        return Err(format!(
                            "the key file {} may be read by other users; run `chmod 600` on it",
                            path.display()
                        ));
                    }
                }
                let decoded = Zeroizing::new(
                    hex::decode(text.trim()).map_err(|_| format!("the key file {} is not hex", path.display()))?,
                );
                let mut bytes = Zeroizing::new([0u8; 32]);
                if decoded.len() != 32 {
                    return Err(format!(
                        "the key file {} must hold 32 bytes (64 hex digits)",
                        path.display()
                    ));
                }
                bytes.copy_from_slice(&decoded);
                Ok(Some(ServerKey(Arc::new(bytes))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read the key file {}: {e}", path.display())),
        }
    }

    /// Seal `plaintext`, bound to `context` (e.g. the user id) so a sealed value cannot be
    /// moved to another row. Output: 12-byte nonce followed by the ciphertext and tag.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()));
        let mut nonce = [0u8; 12];
        super::auth::fill_random(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// HMAC-SHA256 of `data` for one `purpose` (a constant label such as
    /// `b"bsmart:unknown-email:v1"`). Each purpose gets its own key, HMAC-SHA256(server key,
    /// purpose), so the server key itself is used by HMAC only to derive keys, values of one
    /// purpose say nothing about another, and the ChaCha20-Poly1305 sealing stays apart. Without
    /// the key nobody can check a guess against the output (unlike a plain SHA-256).
    pub fn mac(&self, purpose: &[u8], data: &[u8]) -> [u8; 32] {
        let purpose_key = Zeroizing::new(hmac_sha256(self.0.as_slice(), purpose));
        hmac_sha256(purpose_key.as_slice(), data)
    }

    /// Open a value made by [`ServerKey::seal`] with the same context.
    pub fn unseal(&self, sealed: &[u8], context: &[u8]) -> Result<Zeroizing<Vec<u8>>, UnsealError> {
        if sealed.len() < 12 + 16 {
            return Err(UnsealError);
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()));
        let (nonce, body) = sealed.split_at(12);
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| UnsealError)
    }
}

/// HMAC-SHA256 of `data` under `key`.
fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The injected clock.
    pub clock: Arc<dyn Clock>,
    /// Seals TOTP secrets.
    pub key: ServerKey,
    /// Limits and thresholds.
    pub policy: Policy,
    /// The limiter of the sign-in routes; `None` turns it off (tests that hammer login, and a
    /// demo server under a fuzzer).
    pub limiter: Option<Arc<Limiter>>,
    /// The group-commit writer of clicks.
    pub clicks: ClickWriter,
    /// The task that checkpoints the WAL beside the writers (commits never do it themselves).
    pub checkpoints: Checkpointer,
}

impl AppState {
    /// State with the default policy and the default limiter; starts the click writer (so it
    /// must be called inside a tokio runtime).
    pub fn new(store: Store, clock: Arc<dyn Clock>, key: ServerKey) -> AppState {
        AppState {
            clicks: ClickWriter::start(store.clone()),
            checkpoints: Checkpointer::start(store.clone()),
            store,
            clock,
            key,
            policy: Policy::default(),
            limiter: Some(Arc::new(Limiter::default())),
        }
    }

    /// The current time in unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_is_bound_to_its_context() {
        let key = ServerKey::generate();
        let sealed = key.seal(b"totp secret bytes", b"user:1");
        assert_eq!(key.unseal(&sealed, b"user:1").unwrap().as_slice(), b"totp secret bytes");
        assert!(key.unseal(&sealed, b"user:2").is_err());
        assert!(ServerKey::generate().unseal(&sealed, b"user:1").is_err());
        assert!(key.unseal(&sealed[..10], b"user:1").is_err());
    }

    #[test]
    fn macs_depend_on_the_key_and_the_purpose() {
        let key = ServerKey::generate();
        let mac = key.mac(b"purpose-a", b"data");
        assert_eq!(key.mac(b"purpose-a", b"data"), mac, "deterministic");
        assert_ne!(key.mac(b"purpose-b", b"data"), mac);
        assert_ne!(key.mac(b"purpose-a", b"date"), mac);
        assert_ne!(ServerKey::generate().mac(b"purpose-a", b"data"), mac);
    }

    /// RFC 4231 test case 2, through the derivation: the purpose key is HMAC(key, purpose).
    #[test]
    fn hmac_is_rfc_4231_hmac_sha256() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            expected
        );
        let key = ServerKey(Arc::new(Zeroizing::new([0x0b; 32])));
        let purpose_key = hmac_sha256(&[0x0b; 32], b"p");
        assert_eq!(key.mac(b"p", b"x"), hmac_sha256(&purpose_key, b"x"));
    }

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        assert!(ServerKey::load(&path).unwrap().is_none(), "load never creates");
        let key = ServerKey::load_or_create(&path).unwrap();
        let sealed = key.seal(b"x", b"c");
        let again = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(again.unseal(&sealed, b"c").unwrap().as_slice(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "zz").unwrap();
        assert!(ServerKey::load_or_create(&path).unwrap_err().contains("not hex"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(ServerKey::load_or_create(&path).unwrap_err().contains("chmod 600"));
        }
    }
}
