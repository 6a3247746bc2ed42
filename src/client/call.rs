//! API calls between the parts of the client and the runner.
//!
//! A part of the client (the sign-in flow, the lock screen, a page, the App itself) asks for a
//! call with a [`Call`]: a [`Request`], a *slot* (its purpose, e.g. `"incidents"`: a newer call
//! in the same slot makes the older answer stale) and `finish`, which turns the answer into that
//! part's own typed reply (e.g. `dashboard::Reply::Incidents(..)`). The App gives it an id and
//! the [`Route`] back to whoever asked, holds it while the client is locked, adds the session's
//! token, and hands it to the runner as a [`PendingCall`]. The runner sends it and sends back a
//! [`Delivery`]; the App drops it if it is stale or its page is gone, and otherwise gives the
//! typed reply to its route, which downcasts it with [`take`].
//!
//! So a screen owns its calls and replies: adding one touches no enum outside its folder.

use std::any::Any;

use secrecy::SecretString;

use super::action::Action;
use super::api::{Answer, Api, ApiError, Request, answer};

/// Who gets a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// The App itself (the setting, the connection probe, sign-out).
    App,
    /// The sign-in flow.
    SignIn,
    /// The lock screen.
    Lock,
    /// The page with this id on the navigation stack.
    Page(u64),
}

/// What `finish` makes of an answer: a part's own reply type, boxed.
pub type Typed = Box<dyn Any + Send>;

type Finish = Box<dyn FnOnce(Result<Answer, ApiError>) -> Typed + Send>;

/// A call as a part of the client asks for it.
pub struct Call {
    /// Its purpose; a newer call in the same slot (and route) makes older answers stale.
    pub slot: &'static str,
    /// What to send.
    pub request: Request,
    /// May go out while the client is locked (only unlocking and signing out may).
    pub while_locked: bool,
    finish: Finish,
}

impl Call {
    /// A call whose answer becomes `R` through `finish`.
    pub fn new<R: Send + 'static>(
        slot: &'static str,
        request: Request,
        finish: impl FnOnce(Result<Answer, ApiError>) -> R + Send + 'static,
    ) -> Call {
        Call {
            slot,
            request,
            while_locked: false,
            finish: Box::new(move |result| Box::new(finish(result)) as Typed),
        }
    }

    /// Allowed while the client is locked.
    pub fn while_locked(mut self) -> Call {
        self.while_locked = true;
        self
    }

    /// Ready to run, with its id, route and (for session calls) token.
    pub fn pending(self, id: u64, route: Route, token: Option<SecretString>) -> PendingCall {
        PendingCall {
            id,
            route,
            slot: self.slot,
            request: self.request,
            token,
            finish: self.finish,
        }
    }
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Call({} {:?})", self.slot, self.request)
    }
}

/// A call the runner is to send.
pub struct PendingCall {
    /// Its id.
    pub id: u64,
    /// Who gets the reply.
    pub route: Route,
    /// Its slot.
    pub slot: &'static str,
    /// What to send.
    pub request: Request,
    token: Option<SecretString>,
    finish: Finish,
}

impl std::fmt::Debug for PendingCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PendingCall(#{} {:?} {:?})", self.id, self.route, self.request)
    }
}

impl PendingCall {
    /// `METHOD /path`.
    pub fn line(&self) -> String {
        self.request.line()
    }

    /// Send it and make the reply's action.
    pub async fn run(self, api: &Api) -> Action {
        let result = api.send(&self.request, self.token.as_ref()).await;
        self.deliver(result)
    }

    /// The action for `result` as the answer to this call.
    pub fn deliver(self, result: Result<Answer, ApiError>) -> Action {
        let reached = !matches!(&result, Err(e) if e.unreached());
        let session_ended = self.token.is_some() && matches!(&result, Err(e) if e.session_ended());
        Action::Reply(Delivery {
            id: self.id,
            route: self.route,
            slot: self.slot,
            reached,
            session_ended,
            reply: (self.finish)(result),
        })
    }

    /// Tests: the action as if the server had answered `status` with `body` (decoded exactly as
    /// a real answer is).
    pub fn respond(self, status: u16, body: &[u8]) -> Action {
        self.deliver(answer(status, body))
    }

    /// Tests: the action as if the server could not be reached.
    pub fn unreachable(self) -> Action {
        self.deliver(Err(ApiError::Network("the connection failed".into())))
    }
}

/// A reply on its way back to whoever asked.
pub struct Delivery {
    /// The call's id.
    pub id: u64,
    /// Who gets it.
    pub route: Route,
    /// The call's slot.
    pub slot: &'static str,
    /// The server answered (whatever it said).
    pub reached: bool,
    /// A session call was refused because the session is gone (expired, revoked).
    pub session_ended: bool,
    /// The typed reply, for its route to [`take`].
    pub reply: Typed,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Delivery(#{} {:?} {} reached={} session_ended={})",
            self.id, self.route, self.slot, self.reached, self.session_ended
        )
    }
}

/// The reply as the type its route expects (`None` if it is another type).
pub fn take<R: 'static>(reply: Typed) -> Option<R> {
    reply.downcast::<R>().ok().map(|b| *b)
}
