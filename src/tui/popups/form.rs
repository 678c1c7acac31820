//! A form of one-line fields as a popup: typing goes to the focused field, the form
//! keys move and save, and saving writes through [`crate::edit`], the same checks as
//! the command line. New participants are checked for namesakes first.

use super::duplicate::Duplicate;
use super::{centered, form_hints};
use crate::edit::{self, EditError};
use crate::i18n::t;
use crate::model::{Entity, Id, Participant};
use crate::tui::form::{self, Field, Form, Target};
use crate::tui::keymap::Action;
use crate::tui::panes::participants::SelectAfterReload;
use crate::tui::view::{Effect, Env, Layer, View};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

pub struct FormPopup {
    form: Form,
}

impl FormPopup {
    pub fn new(form: Form) -> FormPopup {
        FormPopup { form }
    }

    fn save(&mut self, env: &Env) -> Effect {
        match save(&mut self.form, env) {
            Saved::Done(effect) => effect,
            Saved::Duplicates(existing) => Effect::Replace(Box::new(Duplicate::new(self.form.clone(), existing))),
            Saved::Kept(status) => status.map_or(Effect::None, Effect::Status),
        }
    }
}

/// What saving a form came to.
pub enum Saved {
    /// Written: close the form and reload.
    Done(Effect),
    /// A new participant looks like these: ask first.
    Duplicates(Vec<(Id, String)>),
    /// Not written: the errors are in the form (and a store error for the status line).
    Kept(Option<String>),
}

/// Check and write a form.
pub fn save(f: &mut Form, env: &Env) -> Saved {
    if !f.valid() {
        f.error = Some(t(env.lang, "fix_errors").to_string());
        return Saved::Kept(None);
    }
    let pairs = f.pairs();
    let result = match f.target {
        Target::Create(entity) => {
            // Only people are checked for duplicates; resources and needs repeat names.
            if entity == Entity::Participant && !f.duplicate_ok {
                let place = Some(f.value("place")).filter(|p| !p.trim().is_empty());
                let dups = edit::duplicates_of(&env.store, f.value("name"), place).unwrap_or_default();
                if !dups.is_empty() {
                    return Saved::Duplicates(
                        dups.iter()
                            .map(|p| (p.id, format!("{} ({})", p.name, p.place.clone().unwrap_or_default())))
                            .collect(),
                    );
                }
            }
            edit::create(&env.store, entity, &pairs)
        }
        Target::Edit(entity, id) => edit::update(&env.store, entity, id, &pairs).map(|()| id),
    };
    match result {
        Ok(id) => {
            let mut done = vec![Effect::Close, Effect::Status(t(env.lang, "saved").to_string())];
            if matches!(f.target, Target::Create(Entity::Participant) | Target::Edit(Entity::Participant, _)) {
                done.push(Effect::Tell(Box::new(SelectAfterReload(id))));
            }
            done.push(Effect::Changed);
            Saved::Done(Effect::Many(done))
        }
        Err(e) => {
            let field = match &e {
                EditError::Invalid { field, .. } => Some(field.clone()),
                // A name that finds no one (or several) sits in the form's reference field.
                EditError::NotFound { .. } | EditError::Ambiguous { .. } => Some(
                    match f.target {
                        Target::Create(Entity::Resource) | Target::Edit(Entity::Resource, _) => "contact",
                        Target::Create(Entity::Need) | Target::Edit(Entity::Need, _) => "meeting",
                        _ => "org",
                    }
                    .to_string(),
                ),
                _ => None,
            };
            let msg = crate::tui::errors::save_error(env.lang, &e);
            let status = matches!(e, EditError::Store(_)).then(|| msg.clone());
            f.set_error(field.as_deref(), msg);
            Saved::Kept(status)
        }
    }
}

/// The participant form: empty (`a`) or filled from the record (`e`).
pub fn participant_form(env: &Env, edit_id: Option<Id>) -> Form {
    let store = &env.store;
    let p =
        edit_id.and_then(|id| store.doc(Entity::Participant, id).ok().flatten().map(|d| Participant::from_doc(id, &d)));
    let v = |f: &dyn Fn(&Participant) -> String| p.as_ref().map(f).unwrap_or_default();
    let org = p
        .as_ref()
        .map(|p| {
            p.memberships
                .iter()
                .filter_map(|m| store.doc(Entity::Participant, m.org).ok().flatten().and_then(|d| d.string("name")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let l = env.lang;
    let fields = vec![
        Field::new("name", t(l, "name"), &v(&|p| p.name.clone()), form::required_name, l),
        Field::new("category", t(l, "category"), &v(&|p| p.category.code().to_string()), form::category, l),
        Field::new("kind", t(l, "kind"), &v(&|p| p.kind.code().to_string()), form::kind, l),
        Field::new("org", t(l, "org"), &org, form::any, l),
        Field::new("gmina", t(l, "gmina"), &v(&|p| p.gmina.clone().unwrap_or_default()), form::any, l),
        Field::new("place", t(l, "place"), &v(&|p| p.place.clone().unwrap_or_default()), form::any, l),
        Field::new("phone", t(l, "phone"), &v(&|p| p.phone.clone().unwrap_or_default()), form::phone, l),
        Field::new("email", t(l, "email"), &v(&|p| p.email.clone().unwrap_or_default()), form::email, l),
        Field::new("tags", t(l, "tags"), &v(&|p| p.tags.join(", ")), form::any, l),
        Field::new("note", t(l, "note"), &v(&|p| p.note.clone().unwrap_or_default()), form::any, l),
    ];
    let (title, target) = match edit_id {
        Some(id) => (t(l, "edit_participant"), Target::Edit(Entity::Participant, id)),
        None => (t(l, "new_participant"), Target::Create(Entity::Participant)),
    };
    Form { title: title.to_string(), target, fields, focus: 0, error: None, duplicate_ok: false, dirty: false }
}

impl View for FormPopup {
    fn kind(&self) -> &'static str {
        "form"
    }

    fn layer(&self) -> Layer {
        Layer::Form
    }

    /// A focused text field sees keys before the keymap: every printable key types.
    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        let f = &mut self.form;
        let field = f.fields.get_mut(f.focus)?;
        if !field.edit(&ev) {
            return None;
        }
        f.dirty = true;
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        match action {
            Action::Save => Some(self.save(env)),
            Action::NextField if self.form.focus + 1 == self.form.fields.len() => Some(self.save(env)),
            Action::NextField => {
                self.form.next();
                Some(Effect::None)
            }
            Action::PrevField => {
                self.form.prev();
                Some(Effect::None)
            }
            Action::Cancel => Some(Effect::Close),
            _ => None,
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let f = &self.form;
        let r = centered(area, 76, (f.fields.len() as u16) + 6);
        Clear.render(r, buf);
        let block =
            Block::default().borders(Borders::ALL).border_set(env.theme.border()).title(format!(" {} ", f.title));
        let inner = block.inner(r);
        block.render(r, buf);
        let label_w = f.fields.iter().map(|x| x.label.chars().count()).max().unwrap_or(8) as u16 + 2;
        for (i, field) in f.fields.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.y + inner.height {
                break;
            }
            let focused = i == f.focus;
            let marker = if focused { ">" } else { " " };
            let mut spans = vec![
                Span::raw(marker),
                Span::styled(format!("{:<w$}", field.label, w = label_w as usize - 1), env.theme.dim()),
            ];
            spans.extend(field.spans(focused, &env.theme));
            if field.error.is_some() {
                // The message itself goes under the fields, where it has the full width.
                spans.push(Span::styled("  ✗", env.theme.error()));
            }
            let style = if focused { Style::default().add_modifier(Modifier::BOLD) } else { Style::default() };
            Paragraph::new(Line::from(spans))
                .style(style)
                .render(Rect { x: inner.x, y, width: inner.width, height: 1 }, buf);
        }
        let y = inner.y + f.fields.len() as u16 + 1;
        if y < inner.y + inner.height {
            let focused_error =
                f.fields.get(f.focus).and_then(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let first_error = f.fields.iter().find_map(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let error = f.error.clone().or(focused_error).or(if f.error.is_some() { first_error } else { None });
            let msg =
                error.clone().unwrap_or_else(|| form_hints(env, &[Action::Save, Action::NextField, Action::Cancel]));
            let style = if error.is_some() { env.theme.error() } else { env.theme.dim() };
            let height = (inner.y + inner.height - y).min(2);
            Paragraph::new(Span::styled(msg, style))
                .wrap(Wrap { trim: true })
                .render(Rect { x: inner.x, y, width: inner.width, height }, buf);
        }
    }
}
