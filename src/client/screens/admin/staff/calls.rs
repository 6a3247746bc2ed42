//! The Staff page's calls and replies, exactly as the route table of `wire::admin` has them:
//! `GET /admin/users` with the server's filters, `GET /admin/access/groups` (the groups a cover
//! account may see), `POST /admin/users`, `POST /admin/users/{id}/actions` and
//! `POST /admin/users/import`.

use super::filters::Filters;
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{ActionDone, AdminUserList, CreatedUser, GroupList, ImportReport, NewUser, UserAction, UserImport};

/// The replies of the page's calls.
pub enum Reply {
    /// `GET /admin/users`.
    Users(Result<AdminUserList, ApiError>),
    /// `GET /admin/access/groups`.
    Groups(Result<GroupList, ApiError>),
    /// `POST /admin/users`.
    Created(Result<CreatedUser, ApiError>),
    /// `POST /admin/users/{id}/actions`.
    Done(Result<ActionDone, ApiError>),
    /// `POST /admin/users/import` (a dry run or for real).
    Imported(Result<ImportReport, ApiError>),
}

fn call<T: crate::client::api::ReplyType + 'static>(
    slot: &'static str,
    request: Request,
    reply: fn(Result<T, ApiError>) -> Reply,
) -> Call {
    Call::new(slot, request.session(), move |r: Result<Answer, ApiError>| {
        reply(r.and_then(Answer::typed))
    })
}

/// The accounts `filters` let through.
pub fn users(filters: &Filters) -> Call {
    let mut request = Request::get("/admin/users");
    for (key, value) in filters.pairs() {
        request = request.query(key, value);
    }
    call("users", request, Reply::Users)
}

/// Every tutor group and year group.
pub fn groups() -> Call {
    call("groups", Request::get("/admin/access/groups"), Reply::Groups)
}

/// Make the account `user`.
pub fn create(user: &NewUser) -> Call {
    call("create", Request::post("/admin/users").json(user), Reply::Created)
}

/// Do `action` to the account `id`.
pub fn action(id: i64, action: &UserAction) -> Call {
    call(
        "action",
        Request::post(format!("/admin/users/{id}/actions")).json(action),
        Reply::Done,
    )
}

/// Send the CSV file's text (`dry_run`: only say what would happen).
pub fn import(csv: &str, dry_run: bool) -> Call {
    let body = UserImport {
        csv: csv.to_string(),
        dry_run,
    };
    call("import", Request::post("/admin/users/import").json(&body), Reply::Imported)
}
