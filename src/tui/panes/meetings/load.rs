//! What the meetings pane shows, read from the store off the UI thread: the
//! meetings newest first with their follow-ups, the names they mention, and the
//! projects whose dates the period filter offers.

use super::*;

/// One meeting as the list shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub meeting: Meeting,
    /// Follow-ups of this meeting (indices into `Loaded::followups`).
    pub followups: Vec<usize>,
    pub open: usize,
}

/// Everything the pane shows, read from the store.
#[derive(Default)]
pub struct Loaded {
    /// Newest first.
    pub rows: Vec<Row>,
    pub entries: Vec<Entry>,
    pub followups: Vec<FollowUp>,
    pub names: HashMap<Id, String>,
    /// Partnerships that have meetings, by name: what the partnership filter cycles.
    pub partnerships: Vec<(Id, String)>,
    /// Projects with dates, by start: the period filter offers their spans.
    pub projects: Vec<ProjectSpan>,
}

/// A project's name and dates, for the period filter.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSpan {
    pub id: Id,
    pub name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The period filter: calendar spans relative to today, or a project's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// This calendar month.
    Month,
    /// The last three months up to today.
    ThreeMonths,
    /// This calendar year.
    Year,
    /// The dates of a project (index into `Loaded::projects`).
    Project(usize),
}

/// Read every live meeting, its follow-ups and the names of its attendees (from
/// `people` once everyone is loaded there).
pub fn load(store: &Store, lang: Lang, people: &crate::tui::panes::participants::Directory) -> Result<Loaded> {
    // Half the meetings on each of two threads: reading them was most of the load.
    let (mut meetings, mut more) = (Vec::new(), Vec::new());
    store.for_each_view_halves(
        Entity::Meeting,
        Meeting::collect_live(&mut meetings),
        Meeting::collect_live(&mut more),
    )?;
    meetings.append(&mut more);
    meetings.sort_by_key(|m| std::cmp::Reverse((m.date, m.time, m.id)));
    let live: HashSet<Id> = meetings.iter().map(|m| m.id).collect();
    let mut followups = Vec::new();
    store.for_each_view(Entity::FollowUp, |id, d| {
        let f = FollowUp::from_doc(id, &d);
        if !f.deleted && f.meeting.is_some_and(|m| live.contains(&m)) {
            followups.push(f);
        }
    })?;
    followups.sort_by(|a, b| (a.due.is_none(), a.due, &a.text, a.id).cmp(&(b.due.is_none(), b.due, &b.text, b.id)));
    let mut by_meeting: HashMap<Id, Vec<usize>> = HashMap::new();
    for (i, f) in followups.iter().enumerate() {
        if let Some(m) = f.meeting {
            by_meeting.entry(m).or_default().push(i);
        }
    }
    let wanted: HashSet<Id> = meetings.iter().flat_map(|m| m.attendees.iter().copied()).collect();
    // Names from the loaded list, else one pass over the store's list rows: a read
    // per attendee, then a pass over every record, were most of this pane's first
    // visit at 100 000 participants. Deleted attendees are named from their records.
    let mut names = HashMap::new();
    if people.complete {
        for r in people.rows.iter().filter(|r| wanted.contains(&r.id)) {
            names.insert(r.id, r.name.clone());
        }
    } else {
        store.for_each_participant_row(usize::MAX, |id, r| {
            if wanted.contains(&id) {
                names.insert(id, r.name.to_string());
            }
        })?;
    }
    let view = store.view()?;
    let missing: Vec<Id> = wanted.iter().filter(|id| !names.contains_key(id)).copied().collect();
    for id in missing {
        if let Some(d) = view.doc(Entity::Participant, id)? {
            names.insert(id, crate::model::Participant::name_in(&d));
        }
    }
    let pids: HashSet<Id> = meetings.iter().filter_map(|m| m.partnership).collect();
    let mut partnerships = Vec::new();
    for id in pids {
        if let Some(d) = store.doc(Entity::Partnership, id)? {
            let p = Partnership::from_doc(id, &d);
            if !p.deleted {
                partnerships.push((id, p.name));
            }
        }
    }
    partnerships.sort_by_key(|a| (crate::search::fold(&a.1), a.0));
    let mut projects = Vec::new();
    store.for_each_doc(Entity::Project, |id, d| {
        let p = Project::from_doc(id, &d);
        if !p.deleted && (p.from.is_some() || p.to.is_some()) {
            projects.push(ProjectSpan { id, name: p.name, from: p.from, to: p.to });
        }
    })?;
    projects.sort_by(|a, b| (a.from, &a.name, a.id).cmp(&(b.from, &b.name, b.id)));
    // The notes' words, half on each thread too.
    let (a, b) = meetings.split_at(meetings.len() / 2);
    let words = |half: &[Meeting]| half.iter().map(|m| entry(m, lang)).collect::<Vec<Entry>>();
    let entries: Vec<Entry> = std::thread::scope(|s| {
        let second = s.spawn(|| words(b));
        let mut first = words(a);
        // A thread that stopped leaves its half to this one: one entry per row.
        first.extend(second.join().unwrap_or_else(|_| words(b)));
        first
    });
    let rows = meetings
        .into_iter()
        .map(|m| {
            let fups = by_meeting.remove(&m.id).unwrap_or_default();
            let open = fups.iter().filter(|&&i| !followups[i].done).count();
            Row { meeting: m, followups: fups, open }
        })
        .collect();
    Ok(Loaded { rows, entries, followups, names, partnerships, projects })
}

/// The searchable text of a meeting: title, place, gmina, type, and each word of the
/// notes on its own, so that a word of the note finds it and a short query does not
/// match every long note as a scattered subsequence.
fn entry(m: &Meeting, lang: Lang) -> Entry {
    let mut words: Vec<&str> = m
        .note
        .as_deref()
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .collect();
    words.sort_unstable();
    words.dedup();
    let head = [m.title.as_deref(), m.place.as_deref(), m.gmina.as_deref(), Some(m.kind.label(lang))];
    Entry::new(head.into_iter().flatten().chain(words))
}
