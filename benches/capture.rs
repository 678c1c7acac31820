//! Saving at 100 000 participants (issue 20, on redb's own backend):
//!
//! 1. Saving a captured meeting (`capture::save`: 5 attendees, a note, 2 follow-ups,
//!    one transaction), a new participant (`edit::create`, as the form's Ctrl-S) and a
//!    task tick (`edit::update` of a follow-up's `done`, as `x` in pane 2), on the
//!    database opened as the app opens it (`Store::open_app`), each a
//!    `Durability::Immediate` commit; beside one bare fsync'd redb commit (a one-key
//!    write on a fresh redb file) and a one-key write on the same database
//!    (`Store::set_local`). Goal: each save on screen as saved within one frame
//!    (16 ms) at p99: the app draws the status line as soon as the commit returns.
//! 2. A keystroke in the notes editor: `App::on_key` of a letter with the capture form
//!    open, then `App::render` into a 120×40 buffer, with every participant loaded.
//!    Goal: under one frame (16 ms). The draft goes to a channel, as in the app, where
//!    a writer thread takes it off the UI thread.
//!
//! `cargo bench --bench capture` (optionally `-- N` participants, then `ROUNDS` saves,
//! 100 by default). Prints timings; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;
use std::time::Instant;
use teren::capture::{Attendee, CaptureDraft};
use teren::i18n::Lang;
use teren::store::Store;
use teren::tui::app::App;
use teren::tui::keymap::Keymap;
use teren::tui::panes::participants::load_all;
use teren::tui::theme::Theme;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// p50 and p95 of a sample, in the unit it is in.
fn pct(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

/// p50, p99 and max of a sample.
fn p99(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 99 / 100).min(v.len() - 1)], v[v.len() - 1])
}

/// Mean and maximum.
fn mean_max(v: &[f64]) -> (f64, f64) {
    (v.iter().sum::<f64>() / v.len() as f64, v.iter().copied().fold(0.0, f64::max))
}

fn main() {
    let mut numbers = std::env::args().skip(1).filter_map(|a| a.parse::<usize>().ok());
    let n = numbers.next().unwrap_or(100_000);
    let rounds = numbers.next().unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("teren-bench-capture-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let result = run(n, rounds, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

fn run(n: usize, rounds: usize, dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let path = dir.join("bench.redb");
    let t = Instant::now();
    teren::demo::generate(&Store::open_bulk(&path)?, n, 1, &mut |_, _| {})?;
    println!("{n} participants: demo generated in {:.1} s", t.elapsed().as_secs_f64());
    let store = Arc::new(Store::open_app(&path)?);
    let loaded = load_all(&store)?;
    let people: Vec<(String, String)> =
        loaded.rows.iter().take(500).map(|r| (r.id.to_string(), r.name.clone())).collect();

    // 1. Saving a capture beside a bare commit, interleaved so both see the same disk.
    let raw = redb::Database::create(dir.join("bare.redb"))?;
    let table: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("bare");
    let (mut save, mut plan, mut bare, mut fresh) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut person, mut tick) = (Vec::new(), Vec::new());
    use teren::model::Entity;
    for i in 0..rounds {
        let d = CaptureDraft {
            kind: "group".into(),
            date: "2026-11-20".into(),
            place: "Dobiegniew".into(),
            hours: "2".into(),
            attendees: (0..5)
                .map(|k| {
                    let (id, name) = &people[(i * 5 + k) % people.len()];
                    Attendee::Known { id: id.clone(), name: name.clone() }
                })
                .collect(),
            notes: format!("Zebranie {i} w świetlicy: plan festynu, podział zadań.\n- [ ] plakat @2026-12-01"),
            followups: "2026-12-05: zadzwonić do sołtysa".into(),
        };
        let t = Instant::now();
        teren::capture::plan(&store, &d)?;
        plan.push(ms(t));
        let t = Instant::now();
        let meeting = teren::capture::save(&store, &d)?;
        save.push(ms(t));
        let t = Instant::now();
        let fields = [("name".to_string(), format!("Halina Świątek {i}")), ("place".to_string(), "Ługi".to_string())];
        teren::edit::create(&store, Entity::Participant, &fields)?;
        person.push(ms(t));
        let followup = store
            .docs(Entity::FollowUp)?
            .into_iter()
            .find(|(_, doc)| doc.str("meeting") == Some(meeting.to_string().as_str()))
            .map(|(id, _)| id);
        if let Some(f) = followup {
            let t = Instant::now();
            teren::edit::update(&store, Entity::FollowUp, f, &[("done".into(), "true".into())])?;
            tick.push(ms(t));
        }
        let t = Instant::now();
        store.set_local("bench.bare", Some(i.to_string().as_bytes()))?;
        bare.push(ms(t));
        let t = Instant::now();
        let tx = raw.begin_write()?;
        tx.open_table(table)?.insert(i as u64, i as u64)?;
        tx.commit()?;
        fresh.push(ms(t));
    }
    for (what, v) in
        [("capture save", &save), ("new participant", &person), ("task tick", &tick), ("bare commit", &fresh)]
    {
        if !v.is_empty() {
            let (a, b, c) = p99(v.clone());
            println!("{what:<16} p50 {a:.2} ms, p99 {b:.2} ms, max {c:.2} ms ({} saves)", v.len());
        }
    }
    let ((sm, smax), (bm, bmax), (fm, fmax)) = (mean_max(&save), mean_max(&bare), mean_max(&fresh));
    let (s50, s95) = pct(save);
    let (p50, p95) = pct(plan);
    let (b50, b95) = pct(bare);
    let (f50, f95) = pct(fresh);
    println!(
        "capture save (5 attendees, note, 2 follow-ups): p50 {s50:.2} ms, p95 {s95:.2} ms, mean {sm:.2} ms, max {smax:.2} ms"
    );
    println!("  of which the checks and lookups (capture::plan): p50 {p50:.2} ms, p95 {p95:.2} ms");
    println!(
        "bare fsync'd redb commit, fresh redb file:     p50 {f50:.2} ms, p95 {f95:.2} ms, mean {fm:.2} ms, max {fmax:.2} ms"
    );
    println!(
        "one-key commit, same database:                 p50 {b50:.2} ms, p95 {b95:.2} ms, mean {bm:.2} ms, max {bmax:.2} ms"
    );
    println!("save / bare redb commit (p50): {:.2}x, (mean): {:.2}x", s50 / f50, sm / fm);
    println!("save / one-key commit, same database (p50): {:.2}x, (mean): {:.2}x", s50 / b50, sm / bm);

    // 2. A keystroke in the notes: on_key + render at 120×40, all participants loaded.
    let mut app = App::new(store.clone(), Lang::Pl, Theme { color: false, ascii: false }, Keymap::default_map(), 40)?;
    drop(loaded);
    app.load();
    for job in app.take_jobs() {
        app.job_done(job.run_here(&store));
    }
    let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    while app.popup_kind().is_some() {
        app.on_key(key(KeyCode::Esc));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    app.env.drafts.sink = Some(tx);
    // The app's writer debounces and writes; here it only takes the drafts off the channel.
    let writer = std::thread::spawn(move || while rx.recv().is_ok() {});
    app.on_key(key(KeyCode::Char('c')));
    // From the attendees to the notes.
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.popup_kind(), Some("capture"));
    let area = Rect::new(0, 0, 120, 40);
    let text = "Spotkanie w świetlicy wiejskiej, omówienie potrzeb sołectwa i planu na wiosnę. ";
    let mut times = Vec::new();
    for c in text.chars().cycle().take(2_000) {
        let t = Instant::now();
        app.on_key(key(KeyCode::Char(c)));
        let mut buf = Buffer::empty(area);
        app.render(area, &mut buf);
        times.push(ms(t));
    }
    let (k50, k95) = pct(times.clone());
    let max = times.iter().copied().fold(0.0, f64::max);
    println!(
        "notes keystroke (on_key + render 120x40): p50 {k50:.3} ms, p95 {k95:.3} ms, max {max:.2} ms (goal < 16 ms)"
    );
    app.env.drafts.sink = None;
    drop(app);
    let _ = writer.join();
    Ok(())
}
