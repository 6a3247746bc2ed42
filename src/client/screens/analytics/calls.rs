//! The calls of Analytics and their replies: a report (`GET /reports/{type}`), its table as a
//! CSV file to save (the same query with `format=csv` and the order shown, so the server
//! audits the export and the file holds exactly what is on screen), the incidents behind a row
//! (`GET /reports/{type}/incidents`), the setting's lists the filters choose from, and the
//! user's saved filter sets (`/report-filter-sets`).

use chrono::NaiveDate;

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::Call;
use crate::wire::{
    BehaviourList, Dimension, FilterField, FilterSet, FilterSetList, IncidentPage, ListItems, NewFilterSet, Report,
    ReportKind, ReportSort, StaffList,
};

/// The replies of the Analytics calls.
pub enum Reply {
    /// `GET /reports/{type}`.
    Report(Result<Report, ApiError>),
    /// `GET /reports/{type}?format=csv`: the file's text, for `Effect::Save` only.
    Csv(Result<String, ApiError>),
    /// `GET /reports/{type}?format=text`: the printout, for `Effect::Print` only.
    Text(Result<String, ApiError>),
    /// `GET /reports/{type}/incidents`.
    Related(Result<IncidentPage, ApiError>),
    /// `GET /locations`.
    Locations(Result<ListItems, ApiError>),
    /// `GET /staff`.
    Staff(Result<StaffList, ApiError>),
    /// `GET /behaviours`.
    Behaviours(Result<BehaviourList, ApiError>),
    /// `GET /report-filter-sets`.
    Sets(Result<FilterSetList, ApiError>),
    /// `POST /report-filter-sets`: the set, and whether it replaced one of the same name.
    Saved(Result<(FilterSet, bool), ApiError>),
    /// `DELETE /report-filter-sets/{id}`.
    Deleted(Result<(), ApiError>),
}

/// What a report is asked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The type.
    pub kind: ReportKind,
    /// The grouping.
    pub by: Dimension,
    /// The first day.
    pub from: NaiveDate,
    /// The last day (included).
    pub to: NaiveDate,
    /// The list filters the type takes that hold something, with their ids.
    pub filters: Vec<(FilterField, Vec<i64>)>,
}

impl Asked {
    /// The request for `path` with this query.
    fn request(&self, path: String) -> Request {
        let mut request = Request::get(path)
            .query("by", self.by.slug())
            .query("from", self.from.to_string())
            .query("to", self.to.to_string());
        for (field, ids) in &self.filters {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            request = request.query(field.param(), ids.join(","));
        }
        request.session()
    }
}

/// The report `asked` for.
pub fn report(asked: &Asked) -> Call {
    Call::new(
        "report",
        asked.request(format!("/reports/{}", asked.kind.slug())).report(),
        |r: Result<Answer, ApiError>| Reply::Report(r.and_then(Answer::typed)),
    )
}

/// The report `asked` for in `format` (`csv` or `text`), rows in `sort`'s order.
fn export(asked: &Asked, sort: Option<ReportSort>, format: &'static str) -> Request {
    let mut request = asked
        .request(format!("/reports/{}", asked.kind.slug()))
        .report()
        .query("format", format);
    if let Some(sort) = sort {
        request = request.query("sort", sort.param());
    }
    request
}

/// The table of the report `asked` for as a CSV file, rows in `sort`'s order.
pub fn csv(asked: &Asked, sort: Option<ReportSort>) -> Call {
    Call::new("csv", export(asked, sort, "csv"), |r: Result<Answer, ApiError>| {
        Reply::Csv(r.map(Answer::download))
    })
}

/// The report `asked` for as a plain-text printout (heading, totals, the table in `sort`'s
/// order), written by the server so that the printout and the CSV hold the same rows.
pub fn text(asked: &Asked, sort: Option<ReportSort>) -> Call {
    Call::new("text", export(asked, sort, "text"), |r: Result<Answer, ApiError>| {
        Reply::Text(r.map(Answer::download))
    })
}

/// The first 1,000 incidents behind the row `key` of the report `asked` for (the whole report
/// for none).
pub fn related(asked: &Asked, key: Option<&str>) -> Call {
    let mut request = asked
        .request(format!("/reports/{}/incidents", asked.kind.slug()))
        .query("limit", "1000");
    if let Some(key) = key {
        request = request.query("row", key.to_string());
    }
    Call::new("related", request, |r: Result<Answer, ApiError>| {
        Reply::Related(r.and_then(Answer::typed))
    })
}

/// The setting's lists the filters choose from: locations, staff and clicker behaviours.
pub fn lists() -> Vec<Call> {
    let get = |path: &str| Request::get(path).session();
    vec![
        Call::new("locations", get("/locations"), |r: Result<Answer, ApiError>| {
            Reply::Locations(r.and_then(Answer::typed))
        }),
        Call::new("staff", get("/staff"), |r: Result<Answer, ApiError>| {
            Reply::Staff(r.and_then(Answer::typed))
        }),
        Call::new("behaviours", get("/behaviours"), |r: Result<Answer, ApiError>| {
            Reply::Behaviours(r.and_then(Answer::typed))
        }),
    ]
}

/// The user's saved filter sets.
pub fn filter_sets() -> Call {
    Call::new(
        "sets",
        Request::get("/report-filter-sets").session(),
        |r: Result<Answer, ApiError>| Reply::Sets(r.and_then(Answer::typed)),
    )
}

/// Save `set` (replacing one of the same name).
pub fn save_set(set: &NewFilterSet) -> Call {
    Call::new(
        "save-set",
        Request::post("/report-filter-sets").json(set).session(),
        |r: Result<Answer, ApiError>| {
            Reply::Saved(r.and_then(|a| {
                let replaced = a.status == 200;
                a.typed().map(|set| (set, replaced))
            }))
        },
    )
}

/// Delete the saved set `id`.
pub fn delete_set(id: i64) -> Call {
    Call::new(
        "delete-set",
        Request::delete(format!("/report-filter-sets/{id}")).session(),
        |r: Result<Answer, ApiError>| Reply::Deleted(r.map(|_| ())),
    )
}
