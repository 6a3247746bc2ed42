//! API calls between the parts of the client and the runner.
//!
//! A part of the client (the sign-in flow, the lock screen, a page, the App itself) asks for a
//! call with a [`Call`]: a [`Request`], a *slot* (its purpose, e.g. `"incidents"`: a newer call
//! in the same slot makes the older answer stale) and `finish`, which turns the answer into that
//! part's own typed reply (e.g. `dashboard::Reply::Incidents(..)`). The App gives it an id and
//! the [`Route`] back to whoever asked, holds it while the client is locked, adds the session's
//! token, and hands it to the runner as a [`PendingCall`]. The runner sends it and sends back a
//! [`Delivery`] with the answer and the call; the App drops it if it is stale or its page is
//! gone, sends it again if only its token was out of date, and otherwise types the answer
//! ([`Delivery::typed`]) and gives it to its route, which downcasts it with [`take`].
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
    /// The outbox (records waiting for the server): every answer counts, none is stale.
    Outbox,
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

    /// Ready to run, with its id, route and (for session calls) the token and its generation.
    pub fn pending(self, id: u64, route: Route, token: Option<(SecretString, u64)>) -> PendingCall {
        let (token, generation) = token.unzip();
        PendingCall {
            id,
            route,
            call: self,
            token,
            generation,
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
    /// The call itself.
    pub call: Call,
    token: Option<SecretString>,
    /// Which session token it carries (see [`Delivery::generation`]).
    generation: Option<u64>,
}

impl std::fmt::Debug for PendingCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PendingCall(#{} {:?} {:?})", self.id, self.route, self.call.request)
    }
}

impl PendingCall {
    /// `METHOD /path`.
    pub fn line(&self) -> String {
        self.call.request.line()
    }

    /// What is sent.
    pub fn request(&self) -> &Request {
        &self.call.request
    }

    /// Send it and make the reply's action.
    pub async fn run(self, api: &Api) -> Action {
        let result = api.send(&self.call.request, self.token.as_ref()).await;
        self.deliver(result)
    }

    /// The action for `result` as the answer to this call.
    pub fn deliver(self, result: Result<Answer, ApiError>) -> Action {
        Action::Reply(Delivery {
            id: self.id,
            route: self.route,
            generation: self.generation,
            result,
            call: self.call,
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

    /// Tests: the action as if the request went out and the connection dropped before an
    /// answer (the server may have acted on it).
    pub fn dropped(self) -> Action {
        self.deliver(Err(ApiError::NoAnswer("the connection closed".into())))
    }
}

/// An answer on its way back to whoever asked, not typed yet.
pub struct Delivery {
    /// The call's id.
    pub id: u64,
    /// Who gets it.
    pub route: Route,
    /// The session token the call carried, by generation: the App counts up each time the
    /// token changes (sign-in, unlock), so a refusal of an older token (a call still in flight
    /// when the token rotated) is told apart from the end of the session.
    pub generation: Option<u64>,
    /// The answer.
    pub result: Result<Answer, ApiError>,
    /// The call, to type the answer with, or to send again.
    pub call: Call,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let outcome = match &self.result {
            Ok(_) => "Ok(..)".to_string(),
            Err(e) => e.outcome(),
        };
        write!(
            f,
            "Delivery(#{} {:?} {} {outcome})",
            self.id, self.route, self.call.slot
        )
    }
}

impl Delivery {
    /// The server answered (whatever it said).
    pub fn reached(&self) -> bool {
        !matches!(&self.result, Err(e) if e.offline())
    }

    /// A session call was refused because its session is gone (expired, revoked).
    pub fn session_ended(&self) -> bool {
        self.generation.is_some() && matches!(&self.result, Err(e) if e.session_ended())
    }

    /// The typed reply, for its route to [`take`].
    pub fn typed(self) -> Typed {
        (self.call.finish)(self.result)
    }
}

/// The reply as the type its route expects (`None` if it is another type).
pub fn take<R: 'static>(reply: Typed) -> Option<R> {
    reply.downcast::<R>().ok().map(|b| *b)
}
