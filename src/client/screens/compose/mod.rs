//! Writing a Behaviour Communication (tone Positive / Negative / N/A and a message of at most
//! 4,000 characters, counted as you type), or a response in a communication's thread.
//!
//! Opened from a profile or the clicker (`m`, about that individual), from a thread on a
//! profile's Communications tab (`Enter`: a response), or with `r` then `m` (first pick who it
//! is about). `Ctrl-S` sends it through the outbox ([`crate::client::outbox`]): it carries a
//! client-made id, waits while the server cannot be reached, and is never sent twice. `Esc`
//! with text typed asks before anything is lost.

mod view;

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use uuid::Uuid;

use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Note, Page};
use crate::client::call::Typed;
use crate::client::keymap::{self, Binding, KeyAction, b, ch, ctrl, k};
use crate::client::outbox::Outgoing;
use crate::client::widgets::text_box::TextBox;
use crate::wire::{IndividualSummary, NewCommunication, NewResponse, PupilName, Tone};

/// Most characters of a message (the server refuses more).
pub const MAX_MESSAGE: usize = 4000;

/// `Ctrl-S`: send.
const SEND: KeyAction = KeyAction::Page(0);
/// A tone key on the tone field.
const TONE: KeyAction = KeyAction::Page(1);

/// The keys while writing.
const KEYS: &[Binding] = &[
    b(&[ctrl('s')], "Ctrl-S", SEND, "send", true),
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "tone / message", true),
    b(
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        KeyAction::PrevField,
        "previous field",
        false,
    ),
    b(
        &[ch('p'), ch('n'), ch('a'), k(KeyCode::Left), k(KeyCode::Right), ch(' ')],
        "p/n/a ←/→",
        TONE,
        "on the tone: Positive / Negative / N/A",
        false,
    ),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "leave (asks first when typed)",
        true,
    ),
];
/// The keys of the question "leave?".
const LEAVE_KEYS: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Back, "leave: what you typed is lost", true),
    b(
        &[ch('n'), k(KeyCode::Esc)],
        "n/Esc",
        KeyAction::Open,
        "stay and go on writing",
        true,
    ),
];
/// Picking who it is about (`r` then `m`).
const PICK_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name", false),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Open,
        "write about the selected individual",
        true,
    ),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "clear the filter, else back",
        true,
    ),
];

/// What is being written.
#[derive(Debug, Clone)]
pub enum Subject {
    /// Nobody picked yet (`r` then `m`).
    Pick,
    /// A communication about this individual.
    About(IndividualSummary),
    /// A response to a communication about this individual.
    Respond {
        /// The communication.
        communication: Uuid,
        /// Its individual.
        individual: PupilName,
        /// Its author.
        author: String,
    },
}

/// Which field has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The tone.
    Tone,
    /// The message.
    Message,
}

/// The page. `Debug` prints states, never the message or a name.
pub struct Compose {
    /// What it is.
    pub subject: Subject,
    picker: Picker,
    /// The tone chosen (none yet: it must be chosen).
    pub tone: Option<Tone>,
    message: TextBox,
    /// The field with the keys.
    pub field: Field,
    /// "Leave? What you typed will be lost" is asked.
    pub leaving: bool,
    /// The line under the form.
    pub note: Option<Note>,
}

impl std::fmt::Debug for Compose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new communication, picking who first (`r` then `m`).
pub fn new_page() -> Compose {
    Compose::new(Subject::Pick)
}

impl Compose {
    fn new(subject: Subject) -> Compose {
        let field = match subject {
            Subject::Respond { .. } => Field::Message,
            _ => Field::Tone,
        };
        Compose {
            subject,
            picker: Picker::new(false, true),
            tone: None,
            message: TextBox::new("Message", MAX_MESSAGE),
            field,
            leaving: false,
            note: None,
        }
    }

    /// A communication about `individual`.
    pub fn about(individual: IndividualSummary) -> Compose {
        Compose::new(Subject::About(individual))
    }

    /// A response to `communication` (about `individual`, written by `author`).
    pub fn respond(communication: Uuid, individual: PupilName, author: String) -> Compose {
        Compose::new(Subject::Respond {
            communication,
            individual,
            author,
        })
    }

    /// The message as typed.
    pub fn message(&self) -> String {
        self.message.text()
    }

    /// Send it, when it is complete: through the outbox, then back.
    fn send(&mut self, cx: &mut Cx) {
        if self.message.is_blank() {
            self.field = Field::Message;
            self.note = Note::error("Write the message first.");
            return;
        }
        let message = self.message.text().trim().to_string();
        match &self.subject {
            Subject::Pick => return,
            Subject::About(individual) => {
                let Some(tone) = self.tone else {
                    self.field = Field::Tone;
                    self.note = Note::error("Choose the tone first: p Positive, n Negative, a N/A.");
                    return;
                };
                cx.send(Outgoing::Communication {
                    communication: NewCommunication {
                        id: Uuid::new_v4(),
                        individual_id: individual.id,
                        tone,
                        message,
                    },
                    individual: individual.name.clone(),
                });
                cx.say("Communication recorded: it goes to their key staff as soon as the server has it.");
            }
            Subject::Respond { communication, .. } => {
                cx.send(Outgoing::Response {
                    communication: *communication,
                    response: NewResponse {
                        id: Uuid::new_v4(),
                        message,
                    },
                });
                cx.say("Response recorded: its author is told as soon as the server has it.");
            }
        }
        self.message.set("");
        cx.back();
    }

    fn form_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.leaving {
            match keymap::lookup(&[LEAVE_KEYS], &key) {
                Some(KeyAction::Back) => cx.back(),
                Some(KeyAction::Open) => self.leaving = false,
                _ => cx.say("y leaves (what you typed is lost), n stays."),
            }
            return true;
        }
        let action = keymap::lookup(&[KEYS], &key);
        match action {
            Some(SEND) => self.send(cx),
            Some(KeyAction::NextField | KeyAction::PrevField) if matches!(self.subject, Subject::About(_)) => {
                self.field = match self.field {
                    Field::Tone => Field::Message,
                    Field::Message => Field::Tone,
                };
            }
            Some(KeyAction::Back) if self.has_draft() => self.leaving = true,
            Some(KeyAction::Back) => cx.back(),
            Some(TONE) if self.field == Field::Tone => {
                const ORDER: [Tone; 3] = [Tone::Positive, Tone::Negative, Tone::Na];
                let at = self.tone.and_then(|t| ORDER.iter().position(|o| *o == t));
                self.tone = Some(match key.code {
                    KeyCode::Char('p') => Tone::Positive,
                    KeyCode::Char('n') => Tone::Negative,
                    KeyCode::Char('a') => Tone::Na,
                    KeyCode::Left => ORDER[at.map_or(2, |i| (i + 2) % 3)],
                    _ => ORDER[at.map_or(0, |i| (i + 1) % 3)],
                });
                self.note = None;
            }
            _ if self.field == Field::Message => {
                if self.message.input(key) && self.message.len() >= MAX_MESSAGE {
                    self.note = Note::info("That is the longest a message can be (4,000 characters).");
                }
            }
            _ if key.code == KeyCode::Char('?') => cx.help(),
            _ => cx.say("On the tone: p Positive, n Negative, a N/A; Tab goes to the message."),
        }
        true
    }
}

impl Page for Compose {
    fn title(&self) -> String {
        match self.subject {
            Subject::Respond { .. } => "Respond to a communication".into(),
            _ => "Behaviour Communication".into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match (&self.subject, self.leaving) {
            (Subject::Pick, _) => &[PICK_KEYS],
            (_, true) => &[LEAVE_KEYS],
            (_, false) => &[KEYS],
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 15)
    }

    fn edits_text(&self) -> bool {
        true
    }

    fn has_draft(&self) -> bool {
        !self.message.is_blank()
    }

    fn start(&mut self, cx: &mut Cx) {
        if matches!(self.subject, Subject::Pick) {
            self.picker.start(cx);
        }
    }

    fn refresh(&mut self, cx: &mut Cx) {
        if matches!(self.subject, Subject::Pick) {
            self.picker.start(cx);
        }
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if !matches!(self.subject, Subject::Pick) {
            return self.form_key(key, cx);
        }
        match self.picker.key(key) {
            Picked::Used => {}
            Picked::Individuals(mut picked) => {
                if let Some(one) = picked.pop() {
                    self.subject = Subject::About(one);
                    self.field = Field::Tone;
                }
            }
            Picked::NotMine if key.code == KeyCode::Esc => cx.back(),
            Picked::NotMine if key.code == KeyCode::Char('?') => cx.help(),
            Picked::NotMine => return false,
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        match (&self.subject, self.field) {
            (Subject::Pick, _) => self.picker.paste(text),
            (_, Field::Message) => self.message.paste(text),
            (_, Field::Tone) => {}
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let _ = self.picker.reply(reply, cx);
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render(self, f, area, ctx);
    }

    fn summary(&self) -> String {
        let subject = match self.subject {
            Subject::Pick => "pick",
            Subject::About(_) => "about",
            Subject::Respond { .. } => "respond",
        };
        format!(
            "Compose {{ subject: {subject}, tone: {:?}, chars: {}, leaving: {} }}",
            self.tone,
            self.message.len(),
            self.leaving
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
